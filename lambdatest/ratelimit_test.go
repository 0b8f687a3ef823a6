package lambdatest_test

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func TestPlanLimits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		plan           lambdatest.Plan
		perHour, burst int
	}{
		{lambdatest.PlanFree, 1000, 50},
		{lambdatest.PlanProfessional, 10000, 200},
		{lambdatest.PlanEnterprise, 100000, 1000},
	}
	for _, tc := range tests {
		perHour, burst, ok := tc.plan.Limits()
		assert.True(t, ok)
		assert.Equal(t, [2]int{tc.perHour, tc.burst}, [2]int{perHour, burst}, tc.plan)
		srv := newServer(t, lambdatest.WithPlan(tc.plan))
		r := mustCall(t, srv, http.StatusOK, "GET", "/v1/instances", "")
		assert.Equal(t, strconv.Itoa(tc.perHour), r.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(tc.perHour-1), r.header.Get("X-RateLimit-Remaining"))
		q := mustCall(t, srv, http.StatusOK, "GET", "/v1/account/quota", "").data(t)
		assert.Equal(t, string(tc.plan), q["plan"])
		assert.EqualValues(t, tc.perHour, q["requests_per_hour"])
		assert.EqualValues(t, tc.burst, q["burst"])
	}
	_, _, ok := lambdatest.Plan("gold").Limits()
	assert.False(t, ok)
	assert.Panics(t, func() { lambdatest.NewServer(lambdatest.WithPlan("gold")) })
}

// TestPlanBurst: past the burst within one second, a 429 that says to wait
// for the next second, while the headers still describe the hour, which
// the refused request does not spend.
func TestPlanBurst(t *testing.T) {
	t.Parallel()
	// A stopped clock keeps every request in one second of the burst's
	// windows, however slowly a loaded machine sends them.
	stopped := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	srv := newServer(t, lambdatest.WithPlan(lambdatest.PlanFree), lambdatest.WithClock(func() time.Time { return stopped }))
	ok := 0
	var refused resp
	for i := 0; i < 200; i++ {
		r := call(t, srv, "GET", "/v1/instances", "")
		if r.status == http.StatusTooManyRequests {
			refused = r
			break
		}
		require.Equal(t, http.StatusOK, r.status)
		ok++
	}
	require.Equal(t, http.StatusTooManyRequests, refused.status, "the burst of 50 never refused a request")
	assert.Equal(t, 50, ok, "50 a second")
	e := refused.json["error"].(map[string]any)
	assert.Equal(t, "rate_limit_exceeded", e["code"])
	assert.Equal(t, "Rate limit exceeded. Retry after 1 seconds.", e["message"])
	assert.EqualValues(t, 1, e["retry_after"])
	assert.Equal(t, "1", refused.header.Get("Retry-After"))
	assert.Equal(t, "1000", refused.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, strconv.Itoa(1000-ok), refused.header.Get("X-RateLimit-Remaining"))
}

// TestBurstRefusalAfterTheWindowEnded: a 429 for the burst describes the
// window its route counts against as it is now: one that ended within the
// burst's second is a fresh window, not the spent one.
func TestBurstRefusalAfterTheWindowEnded(t *testing.T) {
	t.Parallel()
	var now atomic.Int64 // nanoseconds since the Unix epoch: a clock the test moves
	start := time.Date(2030, 6, 1, 12, 0, 0, 0, time.UTC)
	now.Store(start.UnixNano())
	srv := newServer(t, lambdatest.WithPlan(lambdatest.PlanFree), lambdatest.WithRateLimit(1000, 100*time.Millisecond),
		lambdatest.WithClock(func() time.Time { return time.Unix(0, now.Load()).UTC() }))
	for range 50 {
		mustCall(t, srv, http.StatusOK, "GET", "/v1/instances", "")
	}
	now.Store(start.Add(500 * time.Millisecond).UnixNano()) // the same second, the window over
	r := mustCall(t, srv, http.StatusTooManyRequests, "GET", "/v1/instances", "")
	assert.Equal(t, "1000", r.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "1000", r.header.Get("X-RateLimit-Remaining"), "the window of the first 50 is over")
	assert.Equal(t, "1", r.header.Get("Retry-After"))
}

// TestPlanHourlyWindowAndTheDocumentedBody: the hourly window spent, the
// 429 is the API overview's, word for word.
func TestPlanHourlyWindowAndTheDocumentedBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithPlan(lambdatest.PlanFree), lambdatest.WithRateLimit(3, time.Hour))
	for range 3 {
		mustCall(t, srv, http.StatusOK, "GET", "/v1/instances", "")
	}
	r := mustCall(t, srv, http.StatusTooManyRequests, "GET", "/v1/instances", "")
	assert.JSONEq(t, `{"code":"rate_limit_exceeded","message":"Rate limit exceeded. Retry after 3600 seconds.","retry_after":3600}`,
		string(mustJSON(t, r.json["error"])))
	assert.Equal(t, "3600", r.header.Get("Retry-After"))
	assert.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
}

// TestWorkloadsWindow: the workloads routes count against their own 500 a
// minute, and their answers' headers say so; a spent plan window does not
// hold them back, nor does a spent workloads window hold back the rest.
func TestWorkloadsWindow(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithPlan(lambdatest.PlanEnterprise), lambdatest.WithRateLimit(2, time.Hour))
	mustCall(t, srv, http.StatusOK, "GET", "/v1/instances", "")
	mustCall(t, srv, http.StatusOK, "GET", "/v1/instances", "")
	mustCall(t, srv, http.StatusTooManyRequests, "GET", "/v1/instances", "")

	r := mustCall(t, srv, http.StatusOK, "GET", "/v1/workloads", "")
	assert.Equal(t, "500", r.header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "499", r.header.Get("X-RateLimit-Remaining"))
	reset, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
	require.NoError(t, err)
	assert.WithinDuration(t, srv.Now().Add(time.Minute), time.Unix(reset, 0), 5*time.Second)
	mustCall(t, srv, http.StatusCreated, "POST", "/v1/deployments", `{"config":"c","region":"us-west-2","min_instances":1}`)
	for i := 0; i < 498; i++ {
		mustCall(t, srv, http.StatusOK, "GET", "/v1/workloads", "")
	}
	r = mustCall(t, srv, http.StatusTooManyRequests, "POST", "/v1/workloads", `{"config":"c","region":"us-west-2","min_instances":1}`)
	assert.Equal(t, "500", r.header.Get("X-RateLimit-Limit"))
	wait, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.True(t, wait >= 1 && wait <= 60, "Retry-After %d", wait)
	assert.Equal(t, fmt.Sprintf("Rate limit exceeded. Retry after %d seconds.", wait), r.json["error"].(map[string]any)["message"])

	// Without a plan nothing is refused, and the headers still tell the windows apart.
	def := newServer(t)
	assert.Equal(t, "500", mustCall(t, def, http.StatusOK, "GET", "/v1/workloads", "").header.Get("X-RateLimit-Limit"))
	assert.Equal(t, "10000", mustCall(t, def, http.StatusOK, "GET", "/v1/instances", "").header.Get("X-RateLimit-Limit"))
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := jsonMarshal(v)
	require.NoError(t, err)
	return b
}
