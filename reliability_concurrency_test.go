package lambda_test

// The fault-injection suite, part 4: one client shared by 64 goroutines
// through a 429 storm and 5xx faults. Run it under -race.

import (
	"context"
	"net/http"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// TestSharedClientThroughA429StormAnd5xx: 64 goroutines each create an
// instance and read it back, through one client, against a simulator that
// allows 40 requests a second and injects 5xx answers and dropped
// connections, some after the create was carried out.
//
// What must hold:
//   - every call ends in success or a typed error; with 10 retries allowed
//     and the window resetting every second, all of them succeed;
//   - no create is duplicated: the API lists exactly the 64 instances the
//     calls returned;
//   - no thundering herd. The simulator has to see at least calls+faults
//     requests (each fault costs one more); on top come those it refuses
//     with 429. Some are unavoidable: the first 64 creates leave at once,
//     before any answer, and 24 are refused; a retry after a fault, sent
//     milliseconds later, may land in a full window (at most one per fault);
//     right after a reset nothing is known of the new window until its
//     first answer, so the calls woken in that instant go out (allow half a
//     window). Beyond that, a client that spends the remaining figure as it
//     sends (less what is in flight), holds back every attempt, retries
//     included, while nothing is left, and looks again after its jittered
//     wait, is refused nothing. Asserted: requests <= calls + 2*faults +
//     (goroutines-limit) + limit/2 = 216; measured 160 to 180. Clients that
//     looked at the figures once per call, or let their sleepers all come
//     back at the reset, sent 210 to 275 (each pending call refused once per
//     window: 294 at worst); one ignoring the waits would burn its 10
//     retries in milliseconds: up to 1,408 requests.
func TestSharedClientThroughA429StormAnd5xx(t *testing.T) {
	t.Parallel()
	const (
		goroutines = 64
		limit      = 40
		calls      = 2 * goroutines // a create and a get each
	)
	_, srv := newSim(t, lambdatest.WithRateLimit(limit, time.Second))
	client := simClient(t, srv, lambda.WithMaxRetries(10))
	faults := []lambdatest.Fault{
		{Method: "POST", Path: instancesPath, Status: 503, Times: 6},
		{Method: "POST", Path: instancesPath, Status: 500, Times: 6, AfterHandling: true},
		{Method: "POST", Path: instancesPath, Drop: true, Times: 4, AfterHandling: true},
		{Method: "GET", Path: instancesPath + "/*", Status: 502, Times: 6},
	}
	faultHits := 0
	for _, f := range faults {
		srv.InjectFault(f)
		faultHits += f.Times
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		created []string
		errs    []error
	)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst, err := client.Instances.Create(ctx, createReq)
			if err == nil {
				var got *lambda.Instance
				got, err = client.Instances.Get(ctx, inst.ID)
				if err == nil && got.ID != inst.ID {
					t.Errorf("Get(%s) returned %s", inst.ID, got.ID)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			created = append(created, inst.ID)
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)

	for _, err := range errs {
		assertTyped(t, err)
	}
	require.Empty(t, errs, "with 10 retries every call outlasts the storm")

	requests := 0
	for _, r := range srv.Requests() {
		if r.Path == instancesPath || (r.Method == http.MethodGet && len(r.Path) > len(instancesPath)) {
			requests++
		}
	}
	minimum := calls + faultHits
	bound := minimum + faultHits + (goroutines - limit) + limit/2
	t.Logf("%d calls, %d fault hits: the simulator saw %d requests (minimum %d, bound %d) in %v",
		calls, faultHits, requests, minimum, bound, elapsed)
	assert.GreaterOrEqual(t, requests, minimum)
	assert.LessOrEqual(t, requests, bound, "a thundering herd: calls were sent into windows already used up")

	listed := instanceIDs(t, srv)
	sort.Strings(created)
	sort.Strings(listed)
	assert.Equal(t, created, listed, "exactly the instances the calls returned exist: no duplicate, none lost")
	assert.Len(t, listed, goroutines)
}
