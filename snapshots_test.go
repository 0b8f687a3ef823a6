package lambda_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// readyVolume creates a volume and waits until it is available.
func readyVolume(t *testing.T, client *lambda.Client, name string, sizeGB int) *lambda.Volume {
	t.Helper()
	ctx := testCtx(t)
	v, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: name, SizeGB: sizeGB, Region: "us-west-1"})
	require.NoError(t, err)
	v, err = client.Volumes.WaitUntilReady(ctx, v.ID, fastWait)
	require.NoError(t, err)
	return v
}

func TestSnapshotsCreateRestoreDeleteOnTheWire(t *testing.T) {
	t.Parallel()
	// The refusals below need the snapshot still creating, then still
	// restoring, one call later: the statuses are paused around them, so
	// that no machine is too slow for that.
	client, srv := newSim(t)
	ctx := testCtx(t)
	vol := readyVolume(t, client, "data", 50)

	srv.PauseTransitions()
	snap, err := client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "nightly", VolumeID: vol.ID})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/snapshots", Body: `{"name":"nightly","volume_id":"` + vol.ID + `"}`})
	assert.Regexp(t, `^snap_`, snap.ID)
	assert.Equal(t, "nightly", snap.Name)
	assert.Equal(t, vol.ID, snap.VolumeID)
	assert.Equal(t, 50, snap.SizeGB)
	assert.Equal(t, lambda.SnapshotStatusCreating, snap.Status)
	assert.WithinDuration(t, srv.Now(), snap.CreatedAt, time.Minute)

	// Restoring before the snapshot is available is refused.
	_, err = client.Snapshots.Restore(ctx, snap.ID)
	require.ErrorIs(t, err, lambda.ErrConflict)
	srv.ResumeTransitions()

	ready, err := client.Snapshots.WaitUntilReady(ctx, snap.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.SnapshotStatusAvailable, ready.Status)

	got, err := client.Snapshots.Get(ctx, snap.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/snapshots/" + snap.ID})
	assert.Equal(t, *ready, *got)

	srv.PauseTransitions()
	restoring, err := client.Snapshots.Restore(ctx, snap.ID)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/snapshots/" + snap.ID + "/restore"})
	assert.Equal(t, lambda.SnapshotStatusRestoring, restoring.Status)
	err = client.Snapshots.Delete(ctx, snap.ID)
	require.ErrorIs(t, err, lambda.ErrConflict, "a snapshot being restored cannot be deleted")
	srv.ResumeTransitions()
	restored, err := client.Snapshots.WaitUntilReady(ctx, snap.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.SnapshotStatusAvailable, restored.Status)

	require.NoError(t, client.Snapshots.Delete(ctx, snap.ID))
	assertWire(t, srv, wireReq{Method: "DELETE", Path: "/v1/snapshots/" + snap.ID})
	_, err = client.Snapshots.Get(ctx, snap.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)
	_, err = client.Snapshots.WaitUntilReady(ctx, snap.ID, fastWait)
	require.ErrorIs(t, err, lambda.ErrNotFound)

	_, err = client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "orphan", VolumeID: "vol_missing"})
	require.ErrorIs(t, err, lambda.ErrNotFound)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "volume_id", lerr.Details.Field)
}

func TestSnapshotsListAndAllPageThrough(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	a := readyVolume(t, client, "a", 10)
	b := readyVolume(t, client, "b", 20)
	var ids []string
	for i := range 25 {
		vol := a
		if i%5 == 0 {
			vol = b
		}
		sn, err := client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: fmt.Sprintf("snap-%02d", i), VolumeID: vol.ID})
		require.NoError(t, err)
		ids = append(ids, sn.ID)
	}

	page, err := client.Snapshots.List(ctx, &lambda.ListSnapshotsOptions{ListOptions: lambda.ListOptions{Page: 1, Limit: 10},
		Sort: "name", Order: lambda.SortDescending})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/snapshots", Query: "page=1&limit=10&sort=name&order=desc"})
	require.Len(t, page.Items, 10)
	assert.Equal(t, "snap-24", page.Items[0].Name)
	assert.True(t, page.Pagination.HasNext)
	assert.Equal(t, 25, page.Pagination.TotalItems)

	srv.ResetRequests()
	all := drain(t, client.Snapshots.All(ctx, &lambda.ListSnapshotsOptions{ListOptions: lambda.ListOptions{Limit: 10}}))
	got := make([]string, len(all))
	for i, sn := range all {
		got[i] = sn.ID
	}
	assert.Equal(t, ids, got)
	assert.Len(t, srv.Requests(), 3)

	// The volume filter is sent on every page.
	srv.ResetRequests()
	ofB := drain(t, client.Snapshots.All(ctx, &lambda.ListSnapshotsOptions{ListOptions: lambda.ListOptions{Limit: 2}, VolumeID: b.ID}))
	for _, r := range srv.Requests() {
		assert.Contains(t, r.RawQuery, "volume_id="+b.ID)
	}
	assert.Len(t, ofB, 5)
	for _, sn := range ofB {
		assert.Equal(t, b.ID, sn.VolumeID)
	}
}
