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
	"github.com/lambda/lambda-go/lambdatest"
)

func TestVolumesCreateGetDeleteOnTheWire(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 100, Region: "us-west-1"})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/volumes", Body: `{"name":"data","size_gb":100,"region":"us-west-1"}`})
	assert.Regexp(t, `^vol_`, vol.ID)
	assert.Equal(t, "data", vol.Name)
	assert.Equal(t, 100, vol.SizeGB)
	assert.Equal(t, "us-west-1", vol.Region)
	assert.Equal(t, lambda.VolumeStatusCreating, vol.Status)
	assert.Empty(t, vol.InstanceID, "null instance_id reads as empty")
	assert.WithinDuration(t, srv.Now(), vol.CreatedAt, time.Minute)

	got, err := client.Volumes.Get(ctx, vol.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/volumes/" + vol.ID})
	assert.Equal(t, vol.ID, got.ID)

	ready, err := client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.VolumeStatusAvailable, ready.Status)

	require.NoError(t, client.Volumes.Delete(ctx, vol.ID))
	assertWire(t, srv, wireReq{Method: "DELETE", Path: "/v1/volumes/" + vol.ID})
	_, err = client.Volumes.Get(ctx, vol.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)

	// Waiting for a volume that is gone fails at once with the API's error.
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.ErrorIs(t, err, lambda.ErrNotFound)
}

func TestVolumesRefusedRequests(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	ctx := testCtx(t)
	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 10, Region: "us-west-1"})
	require.NoError(t, err)
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)

	tests := []struct {
		name  string
		call  func() error
		want  error
		field string
	}{
		{"size out of range", func() error {
			_, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "big", SizeGB: 20000, Region: "us-west-1"})
			return err
		}, lambda.ErrInvalidRequest, "size_gb"},
		{"shrink", func() error {
			_, err := client.Volumes.Resize(ctx, vol.ID, &lambda.ResizeVolumeRequest{SizeGB: 5})
			return err
		}, lambda.ErrInvalidRequest, "size_gb"},
		{"attach to unknown instance", func() error {
			_, err := client.Volumes.Attach(ctx, vol.ID, &lambda.AttachVolumeRequest{InstanceID: "inst_missing"})
			return err
		}, lambda.ErrNotFound, "instance_id"},
		{"detach a free volume", func() error { _, err := client.Volumes.Detach(ctx, vol.ID); return err }, lambda.ErrConflict, ""},
		{"unknown volume", func() error { _, err := client.Volumes.Get(ctx, "vol_missing"); return err }, lambda.ErrNotFound, ""},
	}
	for _, tt := range tests {
		err := tt.call()
		require.ErrorIs(t, err, tt.want, tt.name)
		var lerr *lambda.Error
		require.ErrorAs(t, err, &lerr, tt.name)
		assert.NotZero(t, lerr.HTTPStatus, "%s: the API refused it", tt.name)
		if tt.field != "" {
			require.NotNil(t, lerr.Details, tt.name)
			assert.Equal(t, tt.field, lerr.Details.Field, tt.name)
		}
	}
	got, err := client.Volumes.Get(ctx, vol.ID)
	require.NoError(t, err)
	assert.Equal(t, 10, got.SizeGB, "nothing changed")
	assert.Equal(t, lambda.VolumeStatusAvailable, got.Status)
}

func TestVolumesAttachResizeDetachOnTheWire(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	inst := srv.SeedInstances(1)[0]
	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 10, Region: "us-west-1"})
	require.NoError(t, err)
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)

	attaching, err := client.Volumes.Attach(ctx, vol.ID, &lambda.AttachVolumeRequest{InstanceID: inst})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/volumes/" + vol.ID + "/attach", Body: `{"instance_id":"` + inst + `"}`})
	assert.Equal(t, lambda.VolumeStatusAttaching, attaching.Status)
	assert.Equal(t, inst, attaching.InstanceID)
	attached, err := client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.VolumeStatusAttached, attached.Status, "after an attach, ready means attached")
	assert.Equal(t, inst, attached.InstanceID)

	resizing, err := client.Volumes.Resize(ctx, vol.ID, &lambda.ResizeVolumeRequest{SizeGB: 20})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/volumes/" + vol.ID + "/resize", Body: `{"size_gb":20}`})
	assert.Equal(t, lambda.VolumeStatusResizing, resizing.Status)
	assert.Equal(t, 20, resizing.SizeGB)
	resized, err := client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.VolumeStatusAttached, resized.Status, "a resize goes back to where it was")

	err = client.Volumes.Delete(ctx, vol.ID)
	require.ErrorIs(t, err, lambda.ErrConflict, "an attached volume cannot be deleted")

	detaching, err := client.Volumes.Detach(ctx, vol.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/volumes/" + vol.ID + "/detach"})
	assert.Equal(t, lambda.VolumeStatusDetaching, detaching.Status)
	free, err := client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.VolumeStatusAvailable, free.Status, "after a detach, ready means available")
	assert.Empty(t, free.InstanceID)
	assert.Equal(t, 20, free.SizeGB)
}

func TestVolumesListAndAllPageThrough(t *testing.T) {
	t.Parallel()
	// Volumes stay creating for the whole test, so a status filter is stable.
	client, srv := newSim(t, lambdatest.WithTransitionDelay(time.Minute))
	ctx := testCtx(t)
	var ids []string
	for i := range 25 {
		region := "us-west-1"
		if i%5 == 0 {
			region = "eu-west-1"
		}
		v, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: fmt.Sprintf("vol-%02d", i), SizeGB: i + 1, Region: region})
		require.NoError(t, err)
		ids = append(ids, v.ID)
	}

	page, err := client.Volumes.List(ctx, &lambda.ListVolumesOptions{ListOptions: lambda.ListOptions{Page: 3, Limit: 10},
		Sort: "name", Order: lambda.SortAscending})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/volumes", Query: "page=3&limit=10&sort=name&order=asc"})
	require.Len(t, page.Items, 5)
	assert.Equal(t, "vol-20", page.Items[0].Name)
	assert.Equal(t, lambda.Pagination{Page: 3, Limit: 10, TotalItems: 25, TotalPages: 3, HasNext: false, HasPrev: true}, page.Pagination)

	srv.ResetRequests()
	all := drain(t, client.Volumes.All(ctx, &lambda.ListVolumesOptions{ListOptions: lambda.ListOptions{Limit: 10}}))
	got := make([]string, len(all))
	for i, v := range all {
		got[i] = v.ID
	}
	assert.Equal(t, ids, got)
	var queries []string
	for _, r := range srv.Requests() {
		require.Equal(t, http.MethodGet, r.Method)
		queries = append(queries, r.RawQuery)
	}
	assert.Equal(t, []string{"limit=10&page=1", "limit=10&page=2", "limit=10&page=3"}, queries)

	// Filters reach every page.
	srv.ResetRequests()
	eu := drain(t, client.Volumes.All(ctx, &lambda.ListVolumesOptions{ListOptions: lambda.ListOptions{Limit: 2},
		Region: "eu-west-1", Status: lambda.VolumeStatusCreating}))
	assert.Len(t, eu, 5)
	for _, r := range srv.Requests() {
		assert.Contains(t, r.RawQuery, "region=eu-west-1")
		assert.Contains(t, r.RawQuery, "status=creating")
	}
	assert.Len(t, srv.Requests(), 3)
}

func TestVolumesWaitUntilReadyEndsWithTheContext(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t, lambdatest.WithTransitionDelay(time.Minute))
	vol, err := client.Volumes.Create(testCtx(t), &lambda.CreateVolumeRequest{Name: "slow", SizeGB: 1, Region: "us-west-1"})
	require.NoError(t, err)

	// Long enough for the first poll to come back on a loaded machine; the
	// volume stays creating for a minute.
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	last, err := client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.ErrorIs(t, err, lambda.ErrWaitTimeout)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NotNil(t, last, "the last state seen comes with the error")
	assert.Equal(t, lambda.VolumeStatusCreating, last.Status)
}

// The simulator cannot put a volume or a snapshot in error, so the waiters'
// fail-fast paths are checked against a plain loopback server.
func TestStorageWaitersFailFastOnFinalStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		path   string
		status string
		wait   func(c *lambda.Client) (string, error)
	}{
		{"volume in error", "/volumes/vol_1", "error", func(c *lambda.Client) (string, error) {
			v, err := c.Volumes.WaitUntilReady(context.Background(), "vol_1", fastWait)
			return string(v.Status), err
		}},
		{"volume deleted", "/volumes/vol_1", "deleted", func(c *lambda.Client) (string, error) {
			v, err := c.Volumes.WaitUntilReady(context.Background(), "vol_1", fastWait)
			return string(v.Status), err
		}},
		{"snapshot in error", "/snapshots/snap_1", "error", func(c *lambda.Client) (string, error) {
			sn, err := c.Snapshots.WaitUntilReady(context.Background(), "snap_1", fastWait)
			return string(sn.Status), err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var polls atomic.Int32
			mux.HandleFunc(tt.path, func(w http.ResponseWriter, r *http.Request) {
				// Transitional first, then final: the waiter must poll past the
				// first and stop at the second.
				status := "creating"
				if polls.Add(1) > 1 {
					status = tt.status
				}
				writeData(w, http.StatusOK, `{"id":"x_1","name":"n","size_gb":1,"region":"r","volume_id":"vol_1","status":"`+status+
					`","created_at":"2026-01-24T10:30:00Z","updated_at":"2026-01-24T10:30:00Z"}`)
			})
			last, err := tt.wait(client)
			require.ErrorIs(t, err, lambda.ErrWaitFailed)
			assert.Equal(t, tt.status, last)
			assert.Equal(t, int32(2), polls.Load())
		})
	}
}

// A volume is ready when it is settled: available after Create and Detach,
// attached after Attach.
func ExampleVolumesService_WaitUntilReady() {
	srv := lambdatest.NewServer(lambdatest.WithTransitionDelay(20 * time.Millisecond))
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	fast := lambda.WithWaitDelay(10*time.Millisecond, 50*time.Millisecond)
	instanceID := srv.SeedInstances(1)[0]

	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 100, Region: "us-west-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("created:", vol.Status)
	vol, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fast)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ready:", vol.Status)

	if _, err := client.Volumes.Attach(ctx, vol.ID, &lambda.AttachVolumeRequest{InstanceID: instanceID}); err != nil {
		fmt.Println(err)
		return
	}
	vol, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fast)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("ready:", vol.Status, vol.InstanceID == instanceID)
	// Output:
	// created: creating
	// ready: available
	// ready: attached true
}
