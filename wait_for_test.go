package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// counter is a resource of the caller's own, to show WaitFor polls any
// getter, not only the SDK's.
type counter struct{ n int }

func TestWaitFor(t *testing.T) {
	t.Parallel()
	errBoom := &lambda.Error{HTTPStatus: 500, Code: lambda.CodeServerError}
	errGone := &lambda.Error{HTTPStatus: 404, Code: lambda.CodeNotFound}
	errDenied := &lambda.Error{HTTPStatus: 403, Code: lambda.CodeForbidden}
	type poll struct {
		n   int
		err error
	}
	tests := []struct {
		name   string
		polls  []poll // one per call of the getter, staying on the last
		cond   lambda.WaitCondition[counter]
		want   error // nil, or what the error must match
		last   int   // the N of the state returned; -1 for none
		calls  int
		report []string // what WithWaitProgress saw
	}{
		{"done at once", []poll{{n: 3}}, lambda.WaitCondition[counter]{Done: atLeast(3)}, nil, 3, 1, []string{"3"}},
		{"done after polls", []poll{{n: 1}, {n: 2}, {n: 3}}, lambda.WaitCondition[counter]{Done: atLeast(3)}, nil, 3, 3,
			[]string{"1", "2", "3"}},
		{"fails fast on a failed state", []poll{{n: 1}, {n: -1}}, lambda.WaitCondition[counter]{Done: atLeast(3),
			Failed: func(c *counter) bool { return c.n < 0 }}, lambda.ErrWaitFailed, -1, 2, []string{"1", "-1"}},
		{"rides out two server failures", []poll{{n: 1}, {err: errBoom}, {err: errBoom}, {n: 3}},
			lambda.WaitCondition[counter]{Done: atLeast(3)}, nil, 3, 4, []string{"1", "3"}},
		{"gives up after three", []poll{{n: 1}, {err: errBoom}}, lambda.WaitCondition[counter]{Done: atLeast(3)},
			lambda.ErrServer, 1, 4, []string{"1"}},
		{"fails fast on a 4xx", []poll{{n: 1}, {err: errDenied}}, lambda.WaitCondition[counter]{Done: atLeast(3)},
			lambda.ErrForbidden, 1, 2, []string{"1"}},
		{"not found fails without Gone", []poll{{err: errGone}}, lambda.WaitCondition[counter]{Done: atLeast(3)},
			lambda.ErrNotFound, -1, 1, nil},
		{"not found is done with Gone", []poll{{n: 1}, {n: 2}, {err: errGone}}, lambda.WaitCondition[counter]{Gone: true},
			nil, -1, 3, []string{"1", "2", lambda.StatusDeleted}},
		{"a nil state is an error", []poll{{n: 1}, {}}, lambda.WaitCondition[counter]{Done: atLeast(3)}, nil, 1, 2, []string{"1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			get := func(context.Context) (*counter, error) {
				p := tt.polls[min(calls, len(tt.polls)-1)]
				calls++
				if p.err != nil || (p.n == 0 && tt.name == "a nil state is an error") {
					return nil, p.err
				}
				return &counter{n: p.n}, nil
			}
			tt.cond.Name = "counter c1"
			tt.cond.Status = func(c *counter) string { return fmt.Sprint(c.n) }
			var seen []string
			got, err := lambda.WaitFor(testCtx(t), get, tt.cond, fastWait,
				lambda.WithWaitProgress(func(s string) { seen = append(seen, s) }))
			switch {
			case tt.name == "a nil state is an error":
				require.ErrorContains(t, err, "no state")
			case tt.want == nil:
				require.NoError(t, err)
			default:
				require.ErrorIs(t, err, tt.want)
				assert.Contains(t, err.Error(), "counter c1", "the error names what was waited on")
			}
			if tt.last < 0 && tt.want != lambda.ErrWaitFailed {
				assert.Nil(t, got)
			} else if tt.want != lambda.ErrWaitFailed {
				require.NotNil(t, got, "the last state seen is returned")
				assert.Equal(t, tt.last, got.n)
			}
			assert.Equal(t, tt.calls, calls, "polls")
			assert.Equal(t, tt.report, seen, "progress")
		})
	}
}

func atLeast(n int) func(*counter) bool { return func(c *counter) bool { return c.n >= n } }

func TestWaitForRefusesMissingArguments(t *testing.T) {
	t.Parallel()
	get := func(context.Context) (*counter, error) { return &counter{}, nil }
	_, err := lambda.WaitFor(context.Background(), nil, lambda.WaitCondition[counter]{Done: atLeast(1)})
	assertRefused(t, "nil getter", err)
	_, err = lambda.WaitFor(context.Background(), get, lambda.WaitCondition[counter]{})
	assertRefused(t, "no condition", err)
}

func TestWaitForDeadlineAndCancel(t *testing.T) {
	t.Parallel()
	get := func(context.Context) (*counter, error) { return &counter{n: 1}, nil }
	cond := lambda.WaitCondition[counter]{Done: atLeast(2), Status: func(c *counter) string { return "n=1" }}

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	got, err := lambda.WaitFor(ctx, get, cond, fastWait)
	require.ErrorIs(t, err, lambda.ErrWaitTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "n=1", "the last status is quoted")
	require.NotNil(t, got)

	ctx, cancelledAt := cancelLater(t, 50*time.Millisecond)
	_, err = lambda.WaitFor(ctx, get, cond, lambda.WithWaitDelay(time.Minute, time.Minute))
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(cancelledAt()), time.Second, "a cancel ends the poll delay")
}

func TestWaitUntilStopped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		statuses []string
		err      error
		polls    int32
	}{
		{"already stopped", []string{"stopped"}, nil, 1},
		{"stopping to stopped", []string{"stopping", "stopping", "stopped"}, nil, 3},
		{"waits out a resize", []string{"resizing", "stopped"}, nil, 2},
		{"fails fast when running", []string{"running"}, lambda.ErrWaitFailed, 1},
		{"fails fast when starting", []string{"stopping", "pending"}, lambda.ErrWaitFailed, 2},
		{"fails fast on error", []string{"error"}, lambda.ErrWaitFailed, 1},
		{"fails fast on terminated", []string{"terminated"}, lambda.ErrWaitFailed, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var polls atomic.Int32
			statusSequence(mux, &polls, tt.statuses...)
			inst, err := client.Instances.WaitUntilStopped(context.Background(), "inst_1", fastWait)
			if tt.err == nil {
				require.NoError(t, err)
				assert.Equal(t, lambda.InstanceStatusStopped, inst.Status)
			} else {
				require.ErrorIs(t, err, tt.err)
				require.NotNil(t, inst)
				assert.Contains(t, err.Error(), string(inst.Status))
			}
			assert.Equal(t, tt.polls, polls.Load())
		})
	}
}

// deleteWaiters is WaitUntilDeleted of every service that has Get and
// Delete, with the path it polls.
func deleteWaiters(c *lambda.Client) map[string]struct {
	path string
	wait func(ctx context.Context, id string, opts ...lambda.WaitOption) error
} {
	type w = struct {
		path string
		wait func(ctx context.Context, id string, opts ...lambda.WaitOption) error
	}
	return map[string]w{
		"Instances": {"/instances/x_1", c.Instances.WaitUntilDeleted},
		"Volumes":   {"/volumes/x_1", c.Volumes.WaitUntilDeleted},
		"Snapshots": {"/snapshots/x_1", c.Snapshots.WaitUntilDeleted},
		"Resources": {"/resources/x_1", c.Resources.WaitUntilDeleted},
	}
}

func TestWaitUntilDeleted(t *testing.T) {
	t.Parallel()
	// Each poll answers the next of these: a status, or an error status.
	tests := []struct {
		name    string
		answers []int // 200 or an error status
		err     error
		polls   int32
	}{
		{"gone at once", []int{404}, nil, 1},
		{"terminated, then gone", []int{200, 200, 404}, nil, 3},
		{"rides out a 503", []int{200, 503, 404}, nil, 3},
		{"fails fast on 403", []int{200, 403}, lambda.ErrForbidden, 2},
		{"gives up on a server down", []int{500}, lambda.ErrServer, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, lambda.WithMaxRetries(0))
			for svc, w := range deleteWaiters(client) {
				var polls atomic.Int32
				mux.HandleFunc(w.path, func(rw http.ResponseWriter, r *http.Request) {
					n := int(polls.Add(1))
					switch st := tt.answers[min(n, len(tt.answers))-1]; st {
					case 200:
						writeData(rw, 200, `{"id":"x_1","status":"terminated"}`)
					default:
						writeError(rw, st, "", "scripted")
					}
				})
				var seen []string
				err := w.wait(testCtx(t), "x_1", fastWait, lambda.WithWaitProgress(func(s string) { seen = append(seen, s) }))
				if tt.err == nil {
					require.NoError(t, err, svc)
					assert.Equal(t, lambda.StatusDeleted, seen[len(seen)-1], "%s: the last progress report", svc)
				} else {
					require.ErrorIs(t, err, tt.err, svc)
					assert.NotContains(t, seen, lambda.StatusDeleted, svc)
				}
				assert.Equal(t, tt.polls, polls.Load(), svc)
			}
		})
	}
}

func TestWaitUntilDeletedTimesOut(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	waiters := deleteWaiters(client)
	for _, w := range waiters {
		mux.HandleFunc(w.path, func(rw http.ResponseWriter, r *http.Request) {
			writeData(rw, 200, `{"id":"x_1","status":"terminated"}`)
		})
	}
	for svc, w := range waiters {
		t.Run(svc, func(t *testing.T) {
			t.Parallel()
			// Long enough for the first poll to be answered on a loaded
			// machine under -race: the error must name the last state.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			err := w.wait(ctx, "x_1", fastWait)
			require.ErrorIs(t, err, lambda.ErrWaitTimeout)
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Contains(t, err.Error(), "terminated")
		})
	}
}

// TestTeardownOnTheSimulator: stop, detach, delete, confirm gone, in order,
// with the waiters alone (no poller of one's own).
func TestTeardownOnTheSimulator(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	ctx := testCtx(t)
	inst, err := client.Instances.Create(ctx, createReq)
	require.NoError(t, err)
	_, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.NoError(t, err)
	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 10, Region: "us-west-1"})
	require.NoError(t, err)
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	_, err = client.Volumes.Attach(ctx, vol.ID, &lambda.AttachVolumeRequest{InstanceID: inst.ID})
	require.NoError(t, err)
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	snap, err := client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "s", VolumeID: vol.ID})
	require.NoError(t, err)
	_, err = client.Snapshots.WaitUntilReady(ctx, snap.ID, fastWait)
	require.NoError(t, err)
	res, err := client.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: "us-east-1", InstanceType: "t2.micro", VPC: "default"})
	require.NoError(t, err)

	_, err = client.Instances.Stop(ctx, inst.ID)
	require.NoError(t, err)
	stopped, err := client.Instances.WaitUntilStopped(ctx, inst.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusStopped, stopped.Status)
	_, err = client.Volumes.Detach(ctx, vol.ID)
	require.NoError(t, err)
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)

	var mu sync.Mutex
	gone := map[string]bool{}
	progress := func(id string) lambda.WaitOption {
		return lambda.WithWaitProgress(func(s string) {
			mu.Lock()
			defer mu.Unlock()
			gone[id] = s == lambda.StatusDeleted
		})
	}
	require.NoError(t, client.Snapshots.Delete(ctx, snap.ID))
	require.NoError(t, client.Snapshots.WaitUntilDeleted(ctx, snap.ID, fastWait, progress(snap.ID)))
	require.NoError(t, client.Volumes.Delete(ctx, vol.ID))
	require.NoError(t, client.Volumes.WaitUntilDeleted(ctx, vol.ID, fastWait, progress(vol.ID)))
	require.NoError(t, client.Instances.Delete(ctx, inst.ID))
	require.NoError(t, client.Instances.WaitUntilDeleted(ctx, inst.ID, fastWait, progress(inst.ID)))
	require.NoError(t, client.Resources.Delete(ctx, res.ID))
	require.NoError(t, client.Resources.WaitUntilDeleted(ctx, res.ID, fastWait, progress(res.ID)))
	assert.Equal(t, map[string]bool{snap.ID: true, vol.ID: true, inst.ID: true, res.ID: true}, gone)

	_, err = client.Instances.Get(ctx, inst.ID)
	require.True(t, errors.Is(err, lambda.ErrNotFound), "gone for real")
}
