package lambda_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// Each documented behaviour has a test that fails when the behaviour is
// deleted.

// An iterator stops at the last of total_pages, even when the server says
// has_next and the page is full (pagination.go, "The end of a list").
func TestIteratorStopsAtTotalPages(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var requests atomic.Int32
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		items := make([]string, 2)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":"inst_%d_%d","status":"running"}`, page, i)
		}
		fmt.Fprintf(w, `{"success":true,"data":[%s],"pagination":{"page":%d,"limit":2,"total_items":4,"total_pages":2,"has_next":true,"has_prev":%t}}`,
			strings.Join(items, ","), page, page > 1)
	})
	var ids []string
	for inst, err := range client.Instances.All(testCtx(t), &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 2}}) {
		if !assert.NoError(t, err) {
			break
		}
		ids = append(ids, inst.ID)
	}
	assert.Equal(t, []string{"inst_1_0", "inst_1_1", "inst_2_0", "inst_2_1"}, ids)
	assert.EqualValues(t, 2, requests.Load(), "pages fetched past total_pages")
}

// WithResponseInfo on a stream reports the handshake's answer: 101 when
// the connection opened, the refusal's status when it did not
// (metrics_stream.go, dial).
func TestStreamMetricsFillsResponseInfo(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	id := srv.SeedInstances(1)[0]

	var info lambda.ResponseInfo
	for _, err := range client.Instances.StreamMetrics(testCtx(t), id, nil, lambda.WithResponseInfo(&info)) {
		assert.NoError(t, err)
		break
	}
	assert.Equal(t, http.StatusSwitchingProtocols, info.StatusCode)
	assert.Equal(t, 1, info.Attempts)

	var refused lambda.ResponseInfo
	for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_missing", nil, lambda.WithResponseInfo(&refused)) {
		assert.ErrorIs(t, err, lambda.ErrNotFound)
	}
	assert.Equal(t, http.StatusNotFound, refused.StatusCode)
}

// A wait whose next delay would outlast ctx's deadline squeezes it, so that
// one last poll still lands before the deadline (wait.go, pollDelay).
func TestWaitSqueezesTheLastPollBeforeTheDeadline(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	var polls atomic.Int32
	v, err := lambda.WaitFor(ctx, func(context.Context) (*lambda.Instance, error) {
		n := polls.Add(1)
		return &lambda.Instance{Status: map[bool]lambda.InstanceStatus{true: lambda.InstanceStatusRunning, false: lambda.InstanceStatusPending}[n >= 2]}, nil
	}, lambda.WaitCondition[lambda.Instance]{
		Done: func(i *lambda.Instance) bool { return i.Status == lambda.InstanceStatusRunning },
	}, lambda.WithWaitDelay(time.Minute, time.Minute))
	assert.NoError(t, err, "the second poll was not squeezed before the deadline")
	if assert.NotNil(t, v) {
		assert.Equal(t, lambda.InstanceStatusRunning, v.Status)
	}
	assert.EqualValues(t, 2, polls.Load())
}

// The metrics stream's reconnect backoff is at least the wait a 429 asked
// for (Retry-After), even when its own backoff is shorter
// (metrics_stream.go, backoff).
func TestStreamMetricsReconnectWaitsWhatA429AskedFor(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	id := srv.SeedInstances(1)[0]
	srv.InjectFault(lambdatest.Fault{Path: streamPath(id), Status: http.StatusTooManyRequests, Times: 1,
		Header: http.Header{"Retry-After": {"1"}}})
	start := time.Now()
	opts := &lambda.StreamMetricsOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Second}
	for _, err := range client.Instances.StreamMetrics(testCtx(t), id, opts) {
		assert.NoError(t, err)
		break
	}
	// A lower bound only: a sleep is never shorter than asked.
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "reconnected before the 429's Retry-After")
	assert.Len(t, platformRequests(srv, "", streamPath(id)), 2)
}
