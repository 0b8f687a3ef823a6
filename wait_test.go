package lambda_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// statusSequence serves an instance whose status walks through statuses,
// one per poll, staying on the last.
func statusSequence(mux *http.ServeMux, polls *atomic.Int32, statuses ...string) {
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		n := int(polls.Add(1))
		st := statuses[min(n, len(statuses))-1]
		writeData(w, 200, fmt.Sprintf(`{"id":"inst_1","status":%q}`, st))
	})
}

func TestWaitUntilReady(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []string
		status   lambda.InstanceStatus
		err      error
		polls    int32
	}{
		{"already running", []string{"running"}, "running", nil, 1},
		{"pending to running", []string{"pending", "provisioning", "provisioning", "running"}, "running", nil, 4},
		{"fails fast on error", []string{"pending", "error"}, "error", lambda.ErrWaitFailed, 2},
		{"fails fast on terminated", []string{"terminated"}, "terminated", lambda.ErrWaitFailed, 1},
		{"fails fast on stopped", []string{"stopped"}, "stopped", lambda.ErrWaitFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var polls atomic.Int32
			statusSequence(mux, &polls, tt.statuses...)
			var seen []string
			inst, err := client.Instances.WaitUntilReady(context.Background(), "inst_1", fastWait,
				lambda.WithWaitProgress(func(s string) { seen = append(seen, s) }))
			if tt.err == nil {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, tt.err)
			}
			require.NotNil(t, inst, "the last state seen is returned")
			assert.Equal(t, tt.status, inst.Status)
			assert.Equal(t, tt.polls, polls.Load())
			assert.Len(t, seen, int(tt.polls))
		})
	}
}

func TestWaitUntilReadyFailsFastWhenGone(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var polls atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		polls.Add(1)
		writeError(w, 404, "not_found", "Instance not found")
	})
	inst, err := client.Instances.WaitUntilReady(context.Background(), "inst_1", fastWait)
	require.ErrorIs(t, err, lambda.ErrNotFound)
	assert.Nil(t, inst)
	assert.EqualValues(t, 1, polls.Load())
}

func TestWaitUntilReadyRidesOutA5xx(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithMaxRetries(0))
	var polls atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		switch polls.Add(1) {
		case 1:
			writeData(w, 200, `{"id":"inst_1","status":"pending"}`)
		case 2, 3:
			writeError(w, 503, "service_unavailable", "blip")
		default:
			writeData(w, 200, `{"id":"inst_1","status":"running"}`)
		}
	})
	inst, err := client.Instances.WaitUntilReady(context.Background(), "inst_1", fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusRunning, inst.Status)

	// A server failing every poll ends the wait, not an endless loop.
	client2, mux2, _ := setup(t, lambda.WithMaxRetries(0))
	mux2.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 500, "server_error", "down")
	})
	_, err = client2.Instances.WaitUntilReady(context.Background(), "inst_1", fastWait)
	require.ErrorIs(t, err, lambda.ErrServer)
}

func TestWaitUntilReadyTimesOutWithLastState(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var polls atomic.Int32
	statusSequence(mux, &polls, "pending", "provisioning")
	// Long enough for several polls on a loaded machine under -race: the
	// error must carry the last state, the second of the sequence.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	inst, err := client.Instances.WaitUntilReady(ctx, "inst_1", fastWait)
	elapsed := time.Since(start)
	require.ErrorIs(t, err, lambda.ErrWaitTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotNil(t, inst)
	assert.Equal(t, lambda.InstanceStatusProvisioning, inst.Status)
	assert.Contains(t, err.Error(), "provisioning")
	// The status never becomes running: a wait that ignored its deadline
	// would not end at all, so generous slack still tells.
	assert.Less(t, elapsed, 10*time.Second, "the wait ends at the deadline")
	assert.Greater(t, polls.Load(), int32(2))
}

func TestWaitUntilReadyCancelled(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var polls atomic.Int32
	statusSequence(mux, &polls, "pending")
	ctx, cancelledAt := cancelLater(t, 50*time.Millisecond)
	_, err := client.Instances.WaitUntilReady(ctx, "inst_1", lambda.WithWaitDelay(time.Minute, time.Minute))
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, lambda.ErrWaitTimeout)
	assert.Less(t, time.Since(cancelledAt()), time.Second, "a cancel must end the minute-long poll delay at once")
}
