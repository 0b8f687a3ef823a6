package lambda_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// TestComputeLifeCycle walks an instance, a volume and a snapshot through
// every step, reading each state back through the API. Transitions last
// 250 ms so that a Get right after an action still sees the transitional
// status on a busy machine.
func TestComputeLifeCycle(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, lambdatest.WithTransitionDelay(250*time.Millisecond))
	ctx := testCtx(t)

	volStatus := func(id string) (lambda.VolumeStatus, *lambda.Volume) {
		t.Helper()
		v, err := client.Volumes.Get(ctx, id)
		require.NoError(t, err)
		return v.Status, v
	}
	snapStatus := func(id string) lambda.SnapshotStatus {
		t.Helper()
		sn, err := client.Snapshots.Get(ctx, id)
		require.NoError(t, err)
		return sn.Status
	}

	// Create both and wait for both, watching the statuses go by. Each
	// transitional status is asserted with the statuses paused, so that a
	// slow machine cannot let it move on between the call and the check.
	srv.PauseTransitions()
	inst, err := client.Instances.Create(ctx, webRequest())
	require.NoError(t, err)
	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 100, Region: "us-west-1"})
	require.NoError(t, err)
	got, err := client.Instances.Get(ctx, inst.ID)
	require.NoError(t, err)
	assert.Contains(t, []lambda.InstanceStatus{lambda.InstanceStatusPending, lambda.InstanceStatusProvisioning}, got.Status)
	st, _ := volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusCreating, st)

	srv.ResumeTransitions()
	var seen []string
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait,
		lambda.WithWaitProgress(func(s string) { seen = append(seen, s) }))
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusRunning, inst.Status)
	assert.Contains(t, seen, "provisioning", "the waiter saw the instance provisioning")
	assert.Equal(t, "running", seen[len(seen)-1])
	vol, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.VolumeStatusAvailable, vol.Status)

	// Attach.
	srv.PauseTransitions()
	attaching, err := client.Volumes.Attach(ctx, vol.ID, &lambda.AttachVolumeRequest{InstanceID: inst.ID})
	require.NoError(t, err)
	assert.Equal(t, lambda.VolumeStatusAttaching, attaching.Status)
	st, v := volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusAttaching, st)
	assert.Equal(t, inst.ID, v.InstanceID)
	srv.ResumeTransitions()
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	st, v = volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusAttached, st)
	assert.Equal(t, inst.ID, v.InstanceID)

	// An instance with an attached volume cannot be deleted.
	err = client.Instances.Delete(ctx, inst.ID)
	require.ErrorIs(t, err, lambda.ErrConflict)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, 409, lerr.HTTPStatus)
	assert.Contains(t, lerr.Message, vol.ID)
	got, err = client.Instances.Get(ctx, inst.ID)
	require.NoError(t, err, "the refused delete left the instance alone")
	assert.Equal(t, lambda.InstanceStatusRunning, got.Status)

	// Resize the attached volume.
	srv.PauseTransitions()
	_, err = client.Volumes.Resize(ctx, vol.ID, &lambda.ResizeVolumeRequest{SizeGB: 200})
	require.NoError(t, err)
	st, v = volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusResizing, st)
	assert.Equal(t, 200, v.SizeGB)
	srv.ResumeTransitions()
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	st, v = volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusAttached, st, "back to attached after the resize")
	assert.Equal(t, 200, v.SizeGB)

	// Snapshot it, then restore the snapshot.
	srv.PauseTransitions()
	snap, err := client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "before-upgrade", VolumeID: vol.ID})
	require.NoError(t, err)
	assert.Equal(t, 200, snap.SizeGB, "the snapshot has the resized size")
	assert.Equal(t, lambda.SnapshotStatusCreating, snapStatus(snap.ID))
	srv.ResumeTransitions()
	_, err = client.Snapshots.WaitUntilReady(ctx, snap.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.SnapshotStatusAvailable, snapStatus(snap.ID))

	srv.PauseTransitions()
	_, err = client.Snapshots.Restore(ctx, snap.ID)
	require.NoError(t, err)
	assert.Equal(t, lambda.SnapshotStatusRestoring, snapStatus(snap.ID))
	srv.ResumeTransitions()
	_, err = client.Snapshots.WaitUntilReady(ctx, snap.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.SnapshotStatusAvailable, snapStatus(snap.ID))

	// Detach.
	srv.PauseTransitions()
	_, err = client.Volumes.Detach(ctx, vol.ID)
	require.NoError(t, err)
	st, _ = volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusDetaching, st)
	srv.ResumeTransitions()
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, fastWait)
	require.NoError(t, err)
	st, v = volStatus(vol.ID)
	assert.Equal(t, lambda.VolumeStatusAvailable, st)
	assert.Empty(t, v.InstanceID)

	// Delete everything; each is gone afterwards.
	require.NoError(t, client.Snapshots.Delete(ctx, snap.ID))
	require.NoError(t, client.Volumes.Delete(ctx, vol.ID))
	require.NoError(t, client.Instances.Delete(ctx, inst.ID))
	_, err = client.Snapshots.Get(ctx, snap.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)
	_, err = client.Volumes.Get(ctx, vol.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)
	_, err = client.Instances.Get(ctx, inst.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)

	// The whole walk, as the simulator saw it.
	var calls []string
	for _, r := range srv.Requests() {
		if r.Method != "GET" {
			calls = append(calls, r.Method+" "+r.Path)
		}
	}
	want := []string{
		"POST /v1/instances",
		"POST /v1/volumes",
		"POST /v1/volumes/" + vol.ID + "/attach",
		"DELETE /v1/instances/" + inst.ID,
		"POST /v1/volumes/" + vol.ID + "/resize",
		"POST /v1/snapshots",
		"POST /v1/snapshots/" + snap.ID + "/restore",
		"POST /v1/volumes/" + vol.ID + "/detach",
		"DELETE /v1/snapshots/" + snap.ID,
		"DELETE /v1/volumes/" + vol.ID,
		"DELETE /v1/instances/" + inst.ID,
	}
	assert.Equal(t, want, calls)
}
