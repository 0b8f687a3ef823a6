package lambda_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/lambda/lambda-go"
)

// TestAttemptBoundCostsNothingUnderASoonerDeadline: when the caller's
// deadline comes before an attempt's bound could fire, the deadline ends
// the attempt first, so the bound is not armed: a call then allocates no
// more than one with the bound off. Without a deadline the bound is armed
// (the guard that the comparison can see it: armed, it costs about 7).
//
// Not parallel: allocations are counted process-wide.
func TestAttemptBoundCostsNothingUnderASoonerDeadline(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"success":true,"data":{"id":"inst_1","status":"running"}}`))
	}))
	defer srv.Close()
	bounded := newTestClient(t, srv.URL+"/v1", lambda.WithAttemptTimeout(time.Minute))
	unbounded := newTestClient(t, srv.URL+"/v1", lambda.WithAttemptTimeout(0))
	allocs := func(c *lambda.Client, ctx context.Context) float64 {
		return testing.AllocsPerRun(200, func() {
			if _, err := c.Instances.Get(ctx, "inst_1"); err != nil {
				t.Fatal(err)
			}
		})
	}
	soon, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	floor := allocs(unbounded, soon)

	// Within 2: the race detector's runs vary by one.
	assert.Less(t, allocs(bounded, soon), floor+3, "a 30 s deadline comes before a 1 min bound: nothing to arm")
	assert.Greater(t, allocs(bounded, context.Background()), allocs(unbounded, context.Background())+3,
		"without a deadline the bound is armed")
}
