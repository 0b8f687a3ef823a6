package lambda_test

// The fault-injection suite, part 3: rate-limit manners against the
// simulator's enforced fixed window (lambdatest.WithRateLimit). A client
// told that no requests are left does not send requests that can only be
// refused: it waits for the reset, or fails fast when the reset is beyond
// its longest wait or its deadline.

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

func listOnce(ctx context.Context, c *lambda.Client) error {
	_, err := c.Instances.List(ctx, nil)
	return err
}

func TestSimulatorRateLimitWaitsForTheReset(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, lambdatest.WithRateLimit(3, time.Second))
	ctx := context.Background()
	for range 3 {
		require.NoError(t, listOnce(ctx, client))
	}
	rl, ok := client.RateLimit()
	require.True(t, ok)
	require.Equal(t, 0, rl.Remaining, "the third answer says the window is used up")

	require.NoError(t, listOnce(ctx, client), "the fourth call waits for the reset instead of failing")
	sent := platformRequests(srv, http.MethodGet, instancesPath)
	require.Len(t, sent, 4, "no request was sent only to be refused with a 429")
	last := sent[len(sent)-1].Time
	assert.False(t, last.Before(rl.Reset), "the fourth request was sent at %v, before the reset at %v", last, rl.Reset)
}

func TestSimulatorRateLimitFailsFast(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		window  time.Duration
		timeout time.Duration // 0: no deadline
	}{
		{"reset beyond the longest wait (60 s)", time.Hour, 0},
		{"reset beyond the context's deadline", 3 * time.Second, 500 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t, lambdatest.WithRateLimit(2, tt.window))
			for range 2 {
				require.NoError(t, listOnce(context.Background(), client))
			}
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			start := time.Now()
			err := listOnce(ctx, client)
			assert.Less(t, time.Since(start), 500*time.Millisecond, "fails fast, without waiting for the reset")
			require.ErrorIs(t, err, lambda.ErrRateLimited)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.InDelta(t, tt.window.Seconds(), lerr.RetryAfter.Seconds(), 1.5, "the error carries the wait")
			assert.Len(t, platformRequests(srv, http.MethodGet, instancesPath), 2, "the refused call was not sent")
		})
	}
}

// TestSimulator429FromASharedKeyIsWaitedOut: another client used up the
// key's window, so this one learns of it only from a 429; it waits for the
// Retry-After and succeeds with its second request.
func TestSimulator429FromASharedKeyIsWaitedOut(t *testing.T) {
	t.Parallel()
	other, srv := newSim(t, lambdatest.WithRateLimit(2, time.Second))
	for range 2 {
		require.NoError(t, listOnce(context.Background(), other))
	}
	client := simClient(t, srv)
	var info lambda.ResponseInfo
	_, err := client.Instances.List(context.Background(), nil, lambda.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, 2, info.Attempts)
	assert.Len(t, platformRequests(srv, http.MethodGet, instancesPath), 4)
}

// TestSimulatorWithClientSideLimiter: a limiter set a little below the
// simulator's window (4/s against 5/s) keeps every request inside the
// limit: the simulator refuses none, so none is sent twice.
func TestSimulatorWithClientSideLimiter(t *testing.T) {
	t.Parallel()
	_, srv := newSim(t, lambdatest.WithRateLimit(5, time.Second))
	client := simClient(t, srv, lambda.WithRateLimiter(rate.NewLimiter(rate.Every(250*time.Millisecond), 1)))
	const calls = 8
	for range calls {
		var info lambda.ResponseInfo
		_, err := client.Instances.List(context.Background(), nil, lambda.WithResponseInfo(&info))
		require.NoError(t, err)
		assert.Equal(t, 1, info.Attempts, "a request was refused and retried")
	}
	assert.Len(t, platformRequests(srv, http.MethodGet, instancesPath), calls)
}

// TestHostileRateLimitResetDoesNotBrickTheClient: "no requests left until
// the year 5138" is garbage, like a Retry-After that far away; the client
// must go on sending, not refuse every call without asking the API again.
func TestHostileRateLimitResetDoesNotBrickTheClient(t *testing.T) {
	t.Parallel()
	for _, reset := range []string{"99999999999", "9223372036854775807", strconv.FormatInt(time.Now().Add(400*24*time.Hour).Unix(), 10)} {
		client, served := scriptedAPI(t, "/instances/inst_1", func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-RateLimit-Limit", "50")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", reset)
			writeData(w, 200, instanceJSON)
		})
		for range 2 {
			_, err := client.Instances.Get(context.Background(), "inst_1")
			require.NoError(t, err, "reset %s", reset)
		}
		assert.EqualValues(t, 2, served.Load(), "reset %s", reset)
	}
}

// TestConcurrentCallsSpendTheRemainingFigure: an answer said 3 requests
// are left in an hour-long window; of 6 calls started together, 3 are
// sent and 3 fail fast, unsent, rather than all 6 going out on the one
// figure and 3 of them being refused by the API.
func TestConcurrentCallsSpendTheRemainingFigure(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	count := 0
	client, served := scriptedAPI(t, "/instances/inst_1", func(_ int32, w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		count++
		left := max(4-count, 0)
		mu.Unlock()
		w.Header().Set("X-RateLimit-Limit", "4")
		w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(left))
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := client.Instances.Get(context.Background(), "inst_1")
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	refused := 0
	for err := range errs {
		if err != nil {
			require.ErrorIs(t, err, lambda.ErrRateLimited)
			assert.Contains(t, err.Error(), "not sent")
			refused++
		}
	}
	assert.Equal(t, 3, refused)
	assert.EqualValues(t, 4, served.Load(), "requests went out beyond what the figure left")
}

// TestIteratorShowsTheResponse: walking pages with All does not hide the
// answers: WithResponseInfo holds the last page's status, request ID and
// rate-limit figures (go-github's iterators keep them from the caller).
func TestIteratorShowsTheResponse(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	srv.SeedInstances(5)
	var info lambda.ResponseInfo
	n := 0
	for _, err := range client.Instances.All(context.Background(), &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 2}}, lambda.WithResponseInfo(&info)) {
		require.NoError(t, err)
		n++
	}
	assert.Equal(t, 5, n)
	assert.Equal(t, 200, info.StatusCode)
	assert.NotEmpty(t, info.RequestID)
	assert.Positive(t, info.RateLimit.Limit)
	assert.Len(t, platformRequests(srv, http.MethodGet, instancesPath), 3)
}
