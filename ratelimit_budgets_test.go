package lambda_test

import (
	"net/http"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// TestRateLimitWindowsAreKeptApart: a spent workloads window (500 a
// minute) holds back workloads calls only; instance calls, counted against
// the plan's hour, go on.
func TestRateLimitWindowsAreKeptApart(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithMaxRetryWait(time.Second))
	var workloads, instances atomic.Int32
	reset := strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)
	mux.HandleFunc("/workloads", func(w http.ResponseWriter, r *http.Request) {
		workloads.Add(1)
		w.Header().Set("X-RateLimit-Limit", "500")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", reset)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"success","data":{"workloads":[]}}`))
	})
	mux.HandleFunc("/instances/inst_abc123", func(w http.ResponseWriter, r *http.Request) {
		instances.Add(1)
		w.Header().Set("X-RateLimit-Limit", "10000")
		w.Header().Set("X-RateLimit-Remaining", "9543")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10))
		writeData(w, http.StatusOK, instanceJSON)
	})
	ctx := testCtx(t)

	_, err := client.Workloads.List(ctx, nil)
	require.NoError(t, err)
	rl, ok := client.RateLimit()
	require.True(t, ok)
	assert.Equal(t, 500, rl.Limit)

	// The workloads window is spent for a minute, past the longest wait:
	// the call fails at once, unsent.
	_, err = client.Workloads.List(ctx, nil)
	require.ErrorIs(t, err, lambda.ErrRateLimited)
	assert.EqualValues(t, 1, workloads.Load())

	for range 3 {
		_, err = client.Instances.Get(ctx, "inst_abc123")
		require.NoError(t, err, "an instance call was held back by the workloads window")
	}
	assert.EqualValues(t, 3, instances.Load())
	rl, _ = client.RateLimit()
	assert.Equal(t, 10000, rl.Limit, "RateLimit shows the window of the latest answer")
}

// TestRateLimitWindowsOnTheSimulator: with the plan's hour spent, the
// simulator's workloads routes still answer, and the client sends them.
func TestRateLimitWindowsOnTheSimulator(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, lambdatest.WithPlan(lambdatest.PlanProfessional), lambdatest.WithRateLimit(2, time.Hour))
	ctx := testCtx(t)
	for range 2 {
		_, err := client.Instances.List(ctx, nil)
		require.NoError(t, err)
	}
	sent := len(srv.Requests())
	_, err := client.Instances.List(ctx, nil)
	require.ErrorIs(t, err, lambda.ErrRateLimited)
	assert.Equal(t, sent, len(srv.Requests()), "the spent hour's call was sent")

	page, err := client.Workloads.List(ctx, nil)
	require.NoError(t, err)
	assert.NotEmpty(t, page.Items)
	d, err := client.Deployments.Create(ctx, &lambda.CreateDeploymentRequest{Config: "high-performance", Region: "us-west-2", MinInstances: 3})
	require.NoError(t, err)
	assert.NotEmpty(t, d.ID)
	rl, ok := client.RateLimit()
	require.True(t, ok)
	assert.Equal(t, 500, rl.Limit)
	assert.Equal(t, 498, rl.Remaining)
}
