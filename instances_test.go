package lambda_test

import (
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// wireReq is the part of a recorded request a test checks.
type wireReq struct {
	Method, Path, Query, Body string
}

// lastReq returns the last request the simulator received.
func lastReq(t *testing.T, srv *lambdatest.Server) lambdatest.Request {
	t.Helper()
	reqs := srv.Requests()
	require.NotEmpty(t, reqs, "no request reached the simulator")
	return reqs[len(reqs)-1]
}

// assertWire checks method, path, query and JSON body ("" for none) of the
// simulator's last request, and that every POST carried an idempotency key.
func assertWire(t *testing.T, srv *lambdatest.Server, want wireReq) {
	t.Helper()
	r := lastReq(t, srv)
	assert.Equal(t, want.Method, r.Method, "method")
	assert.Equal(t, want.Path, r.Path, "path")
	wq, err := url.ParseQuery(want.Query)
	require.NoError(t, err)
	gq, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	assert.Equal(t, wq, gq, "query %q", r.RawQuery)
	if want.Body == "" {
		assert.Empty(t, r.Body, "body")
	} else {
		assert.JSONEq(t, want.Body, string(r.Body), "body")
	}
	if r.Method == http.MethodPost {
		assert.NotEmpty(t, r.Header.Get("Idempotency-Key"), "POST without Idempotency-Key")
	}
	assert.Equal(t, "Bearer "+lambdatest.DefaultAPIKey, r.Header.Get("Authorization"))
}

// eventually polls get until ok says yes, failing the test after 5 s. The
// condition runs off the test goroutine, so it reports through the
// CollectT (a require there would call FailNow on the wrong goroutine).
func eventually[T any](t *testing.T, get func() (*T, error), ok func(*T) bool) *T {
	t.Helper()
	var last *T
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		v, err := get()
		if !assert.NoError(c, err) {
			return
		}
		if assert.True(c, ok(v), "condition not met yet") {
			last = v
		}
	}, 5*time.Second, 5*time.Millisecond)
	return last
}

// drain collects an iterator, failing on its first error.
func drain[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		require.NoError(t, err)
		out = append(out, v)
	}
	return out
}

func webRequest() *lambda.CreateInstanceRequest {
	return &lambda.CreateInstanceRequest{Name: "web", InstanceType: lambda.InstanceTypeCompute4x,
		Region: "us-west-1", Image: "ubuntu-22.04", SSHKeys: []string{"key_abc123"}, Tags: map[string]string{"env": "prod"}}
}

func TestInstancesCreateGetUpdateOnTheWire(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	inst, err := client.Instances.Create(ctx, webRequest())
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/instances", Body: `{"name":"web","instance_type":"compute-4x",
		"region":"us-west-1","image":"ubuntu-22.04","ssh_keys":["key_abc123"],"tags":{"env":"prod"}}`})
	assert.Regexp(t, `^inst_`, inst.ID)
	assert.Equal(t, "web", inst.Name)
	assert.Equal(t, lambda.InstanceTypeCompute4x, inst.InstanceType)
	assert.Equal(t, lambda.InstanceStatusPending, inst.Status)
	assert.Equal(t, []string{"key_abc123"}, inst.SSHKeys)
	assert.Equal(t, map[string]string{"env": "prod"}, inst.Tags)
	assert.WithinDuration(t, srv.Now(), inst.CreatedAt, time.Minute)

	got, err := client.Instances.Get(ctx, inst.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances/" + inst.ID})
	assert.Equal(t, inst.ID, got.ID)

	up, err := client.Instances.Update(ctx, inst.ID, &lambda.UpdateInstanceRequest{Tags: lambda.Ptr(map[string]string{})})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "PATCH", Path: "/v1/instances/" + inst.ID, Body: `{"tags":{}}`})
	assert.Empty(t, up.Tags)
	assert.Equal(t, "web", up.Name)
}

func TestInstancesLifeCycle(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	get := func(id string) func() (*lambda.Instance, error) {
		return func() (*lambda.Instance, error) { return client.Instances.Get(ctx, id) }
	}
	hasStatus := func(s lambda.InstanceStatus) func(*lambda.Instance) bool {
		return func(i *lambda.Instance) bool { return i.Status == s }
	}

	inst, err := client.Instances.Create(ctx, webRequest())
	require.NoError(t, err)
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusRunning, inst.Status)
	assert.NotEmpty(t, inst.PublicIP, "a running instance has a public IP")

	stopped, err := client.Instances.Stop(ctx, inst.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/instances/" + inst.ID + "/stop"})
	assert.Equal(t, lambda.InstanceStatusStopping, stopped.Status)
	eventually(t, get(inst.ID), hasStatus(lambda.InstanceStatusStopped))

	// A stopped instance is not ready, and will not become ready by itself.
	_, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.ErrorIs(t, err, lambda.ErrWaitFailed)

	started, err := client.Instances.Start(ctx, inst.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/instances/" + inst.ID + "/start"})
	assert.Equal(t, lambda.InstanceStatusPending, started.Status)
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusRunning, inst.Status)

	restarting, err := client.Instances.Restart(ctx, inst.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/instances/" + inst.ID + "/restart"})
	assert.Equal(t, lambda.InstanceStatusRestarting, restarting.Status)
	_, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.NoError(t, err)

	resizing, err := client.Instances.Resize(ctx, inst.ID, &lambda.ResizeInstanceRequest{InstanceType: lambda.InstanceTypeCompute8x})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/instances/" + inst.ID + "/resize", Body: `{"instance_type":"compute-8x"}`})
	assert.Equal(t, lambda.InstanceStatusResizing, resizing.Status)
	assert.Equal(t, lambda.InstanceTypeCompute8x, resizing.InstanceType)
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceTypeCompute8x, inst.InstanceType)

	// Starting a running instance is refused by the API, typed.
	_, err = client.Instances.Start(ctx, inst.ID)
	require.ErrorIs(t, err, lambda.ErrConflict)

	require.NoError(t, client.Instances.Delete(ctx, inst.ID))
	assertWire(t, srv, wireReq{Method: "DELETE", Path: "/v1/instances/" + inst.ID})
	_, err = client.Instances.Get(ctx, inst.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)
	err = client.Instances.Delete(ctx, inst.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)
}

func TestInstancesListAndAllPageThrough250(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	ids := srv.SeedInstances(250)

	page, err := client.Instances.List(ctx, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Page: 2, Limit: 10},
		Status: lambda.InstanceStatusRunning, Sort: "created_at", Order: lambda.SortDescending})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances", Query: "page=2&limit=10&status=running&sort=created_at&order=desc"})
	require.Len(t, page.Items, 10)
	assert.Equal(t, ids[239], page.Items[0].ID, "descending: page 2 starts at the 11th newest")
	assert.Equal(t, lambda.Pagination{Page: 2, Limit: 10, TotalItems: 250, TotalPages: 25, HasNext: true, HasPrev: true}, page.Pagination)

	srv.ResetRequests()
	var got []string
	for inst, err := range client.Instances.All(ctx, nil) {
		require.NoError(t, err)
		got = append(got, inst.ID)
	}
	assert.Equal(t, ids, got, "every instance once, in creation order")
	reqs := srv.Requests()
	require.Len(t, reqs, 3, "250 instances are 3 pages of 100")
	for i, r := range reqs {
		assert.Equal(t, fmt.Sprintf("limit=100&page=%d", i+1), r.RawQuery)
	}

	// A filter reaches every page.
	west := drain(t, client.Instances.All(ctx, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 10}, Region: "us-west-1"}))
	assert.Len(t, west, 84) // instances 0, 3, 6, … 249 of the 250
	for _, in := range west {
		assert.Equal(t, "us-west-1", in.Region)
	}
}

func TestInstancesConcurrentCreates(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	const n = 50
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := webRequest()
			req.Name = fmt.Sprintf("web-%d", i)
			inst, err := client.Instances.Create(ctx, req)
			errs[i] = err
			if err == nil {
				ids[i] = inst.ID
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i := range n {
		require.NoError(t, errs[i])
		assert.False(t, seen[ids[i]], "duplicate ID %s", ids[i])
		seen[ids[i]] = true
	}
	assert.Len(t, drain(t, client.Instances.All(ctx, nil)), n)
	keys := map[string]bool{}
	for _, r := range platformRequests(srv, http.MethodPost, "") {
		keys[r.Header.Get("Idempotency-Key")] = true
	}
	assert.Len(t, keys, n, "every create has its own idempotency key")
}

func TestInstancesCreateReplayedWithSameKeyCreatesOne(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	first, err := client.Instances.Create(ctx, webRequest(), lambda.WithIdempotencyKey("create-web-1"))
	require.NoError(t, err)
	second, err := client.Instances.Create(ctx, webRequest(), lambda.WithIdempotencyKey("create-web-1"))
	require.NoError(t, err)
	assert.Equal(t, first.ID, second.ID)
	assert.Equal(t, "create-web-1", lastReq(t, srv).Header.Get("Idempotency-Key"))
	assert.Len(t, drain(t, client.Instances.All(ctx, nil)), 1)

	// The same key with another body is a conflict, not a second instance.
	other := webRequest()
	other.Name = "db"
	_, err = client.Instances.Create(ctx, other, lambda.WithIdempotencyKey("create-web-1"))
	require.ErrorIs(t, err, lambda.ErrConflict)
	assert.Len(t, drain(t, client.Instances.All(ctx, nil)), 1)
}

func TestInstancesCreateWhoseAnswerIsLostIsRetriedOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		fault lambdatest.Fault
	}{
		{"connection dropped", lambdatest.Fault{Method: "POST", Path: "/v1/instances", AfterHandling: true, Drop: true}},
		{"503 after the work", lambdatest.Fault{Method: "POST", Path: "/v1/instances", AfterHandling: true, Status: 503}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			ctx := testCtx(t)
			srv.InjectFault(tt.fault)
			inst, err := client.Instances.Create(ctx, webRequest())
			require.NoError(t, err)

			all := drain(t, client.Instances.All(ctx, nil))
			require.Len(t, all, 1, "exactly one instance")
			assert.Equal(t, inst.ID, all[0].ID)
			var keys []string
			for _, r := range platformRequests(srv, http.MethodPost, "") {
				keys = append(keys, r.Header.Get("Idempotency-Key"))
			}
			require.Len(t, keys, 2, "one attempt, one retry")
			assert.Equal(t, keys[0], keys[1], "the retry carries the same key")
		})
	}
}

func TestComputeEmptyIDsAreRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	drop := func(_ any, err error) error { return err }
	calls := map[string]func(id string) error{
		"Instances.Get":            func(id string) error { return drop(client.Instances.Get(ctx, id)) },
		"Instances.Update":         func(id string) error { return drop(client.Instances.Update(ctx, id, nil)) },
		"Instances.Delete":         func(id string) error { return client.Instances.Delete(ctx, id) },
		"Instances.Start":          func(id string) error { return drop(client.Instances.Start(ctx, id)) },
		"Instances.Stop":           func(id string) error { return drop(client.Instances.Stop(ctx, id)) },
		"Instances.Restart":        func(id string) error { return drop(client.Instances.Restart(ctx, id)) },
		"Instances.Resize":         func(id string) error { return drop(client.Instances.Resize(ctx, id, nil)) },
		"Instances.Network":        func(id string) error { return drop(client.Instances.Network(ctx, id)) },
		"Instances.Metrics":        func(id string) error { return drop(client.Instances.Metrics(ctx, id, nil)) },
		"Instances.WaitUntilReady": func(id string) error { return drop(client.Instances.WaitUntilReady(ctx, id)) },
		"Instances.StreamMetrics": func(id string) error {
			for _, err := range client.Instances.StreamMetrics(ctx, id, nil) {
				return err
			}
			return errors.New("the stream ended without an error")
		},
		"Volumes.Get":    func(id string) error { return drop(client.Volumes.Get(ctx, id)) },
		"Volumes.Delete": func(id string) error { return client.Volumes.Delete(ctx, id) },
		"Volumes.Attach": func(id string) error {
			return drop(client.Volumes.Attach(ctx, id, &lambda.AttachVolumeRequest{InstanceID: "inst_1"}))
		},
		"Volumes.Attach instance": func(id string) error {
			return drop(client.Volumes.Attach(ctx, "vol_1", &lambda.AttachVolumeRequest{InstanceID: id}))
		},
		"Volumes.Detach":           func(id string) error { return drop(client.Volumes.Detach(ctx, id)) },
		"Volumes.Resize":           func(id string) error { return drop(client.Volumes.Resize(ctx, id, nil)) },
		"Volumes.WaitUntilReady":   func(id string) error { return drop(client.Volumes.WaitUntilReady(ctx, id)) },
		"Snapshots.Get":            func(id string) error { return drop(client.Snapshots.Get(ctx, id)) },
		"Snapshots.Delete":         func(id string) error { return client.Snapshots.Delete(ctx, id) },
		"Snapshots.Restore":        func(id string) error { return drop(client.Snapshots.Restore(ctx, id)) },
		"Snapshots.WaitUntilReady": func(id string) error { return drop(client.Snapshots.WaitUntilReady(ctx, id)) },
		"Firewall.DeleteRule":      func(id string) error { return client.Firewall.DeleteRule(ctx, id) },
	}
	for name, call := range calls {
		for _, id := range []string{"", "  "} {
			err := call(id)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest, "%s(%q)", name, id)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Zero(t, lerr.HTTPStatus, "%s: refused by the client, not the API", name)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

func TestComputePathParametersAreEscaped(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	const id = "inst_1:status=running&x"
	_, err := client.Instances.Get(ctx, id)
	require.ErrorIs(t, err, lambda.ErrNotFound)
	r := lastReq(t, srv)
	assert.Equal(t, "/v1/instances/"+id, r.Path, "the ID is one path segment")
	assert.Empty(t, r.RawQuery, "no part of the ID became a query")

	n := len(srv.Requests())
	_, err = client.Volumes.Detach(ctx, "vol/../../instances")
	require.ErrorIs(t, err, lambda.ErrInvalidRequest, "an ID with separators is refused")
	assert.Len(t, srv.Requests(), n, "and not sent")
}

func TestInstancesMetrics(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	id := srv.SeedInstances(1)[0]
	end := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	start := end.Add(-time.Hour)

	m, err := client.Instances.Metrics(ctx, id, &lambda.MetricsOptions{Start: start, End: end, Period: lambda.MetricsPeriodFiveMinute})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances/" + id + "/metrics",
		Query: "start=2026-11-23T11:00:00Z&end=2026-11-23T12:00:00Z&period=300"})
	assert.Equal(t, id, m.InstanceID)
	assert.Equal(t, 5*time.Minute, m.Period)
	assert.True(t, m.Start.Equal(start), "start %v", m.Start)
	assert.True(t, m.End.Equal(end), "end %v", m.End)
	require.Len(t, m.Samples, 13, "11:00 to 12:00 inclusive, every 5 minutes")
	for i, s := range m.Samples {
		assert.True(t, s.Timestamp.Equal(start.Add(time.Duration(i)*5*time.Minute)), "sample %d at %v", i, s.Timestamp)
		assert.True(t, s.CPUPercent > 0 && s.CPUPercent <= 100, "cpu %v", s.CPUPercent)
		assert.True(t, s.MemoryPercent > 0 && s.MemoryPercent <= 100, "memory %v", s.MemoryPercent)
	}
	assert.NotZero(t, m.Samples[0].NetworkInBytes+m.Samples[0].DiskReadBytes)

	// A local time is sent in UTC; nil options ask for the API's defaults.
	_, err = client.Instances.Metrics(ctx, id, &lambda.MetricsOptions{Start: start.In(time.FixedZone("X", 3600)), End: end.In(time.FixedZone("Y", -7200))})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances/" + id + "/metrics", Query: "start=2026-11-23T11:00:00Z&end=2026-11-23T12:00:00Z"})
	m, err = client.Instances.Metrics(ctx, id, nil)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances/" + id + "/metrics"})
	assert.Equal(t, time.Minute, m.Period)
	assert.NotEmpty(t, m.Samples)

	// A period the client cannot send is refused before sending; one the
	// API does not offer is refused by the API.
	n := len(srv.Requests())
	_, err = client.Instances.Metrics(ctx, id, &lambda.MetricsOptions{Period: 1500 * time.Millisecond})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	assert.Len(t, srv.Requests(), n)
	_, err = client.Instances.Metrics(ctx, id, &lambda.MetricsOptions{Period: 2 * time.Minute})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, http.StatusBadRequest, lerr.HTTPStatus)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "period", lerr.Details.Field)

	_, err = client.Instances.Metrics(ctx, "inst_missing", nil)
	require.ErrorIs(t, err, lambda.ErrNotFound)
}
