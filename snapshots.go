package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Snapshot is a point-in-time copy of a volume.
type Snapshot struct {
	ID        string         `json:"id"`
	Name      string         `json:"name"`
	VolumeID  string         `json:"volume_id"`
	SizeGB    int            `json:"size_gb"`
	Status    SnapshotStatus `json:"status"`
	CreatedAt time.Time      `json:"created_at"`
}

// SnapshotStatus is where a snapshot is in its life cycle.
type SnapshotStatus string

// Snapshot statuses: creating leads to available; restoring goes back to
// available; error is final.
const (
	SnapshotStatusCreating  SnapshotStatus = "creating"
	SnapshotStatusAvailable SnapshotStatus = "available"
	SnapshotStatusRestoring SnapshotStatus = "restoring"
	SnapshotStatusError     SnapshotStatus = "error"
)

// CreateSnapshotRequest is the body of Snapshots.Create.
type CreateSnapshotRequest struct {
	Name     string `json:"name"`
	VolumeID string `json:"volume_id"`
}

// ListSnapshotsOptions filters, sorts and pages Snapshots.List.
type ListSnapshotsOptions struct {
	ListOptions
	Status   SnapshotStatus `url:"status,omitempty"`
	VolumeID string         `url:"volume_id,omitempty"`
	Sort     string         `url:"sort,omitempty"` // "created_at" or "name"
	Order    SortOrder      `url:"order,omitempty"`
}

// Create snapshots a volume. The snapshot starts creating; see
// WaitUntilReady.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *SnapshotsService) Create(ctx context.Context, req *CreateSnapshotRequest, opts ...RequestOption) (*Snapshot, error) {
	if req == nil {
		return nil, nilRequest("Snapshots.Create", "CreateSnapshotRequest")
	}
	return send[Snapshot](ctx, clientOf(s), http.MethodPost, "/snapshots", req, opts)
}

// Get fetches a snapshot.
func (s *SnapshotsService) Get(ctx context.Context, id string, opts ...RequestOption) (*Snapshot, error) {
	if err := requireID("snapshot", id); err != nil {
		return nil, err
	}
	return get[Snapshot](ctx, clientOf(s), path("snapshots", id), nil, opts)
}

// List fetches one page of snapshots.
func (s *SnapshotsService) List(ctx context.Context, opts *ListSnapshotsOptions, ro ...RequestOption) (*Page[Snapshot], error) {
	return list[Snapshot](ctx, clientOf(s), "/snapshots", opts, ro)
}

// All iterates over every snapshot that matches opts, fetching pages as
// the loop needs them. opts is copied: changing it later has no effect.
// The list ends as page/limit lists with a pagination object do (see
// Paging in the package documentation): an item is never
// yielded twice, and a server that repeats or ignores paging ends the loop
// with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *SnapshotsService) All(ctx context.Context, opts *ListSnapshotsOptions, ro ...RequestOption) iter.Seq2[Snapshot, error] {
	return all(ctx, opts, s.List, ro)
}

// Delete deletes a snapshot. The API refuses it (ErrConflict) while it is
// being restored.
// A retry that finds it gone (404) after an earlier attempt that may have
// taken effect (a lost connection, a 5xx) is reported as success, since that
// attempt most likely did it; ResponseInfo.Attempts shows the retry. A 404
// on the first attempt is ErrNotFound. WaitUntilDeleted confirms the resource is gone.
func (s *SnapshotsService) Delete(ctx context.Context, id string, opts ...RequestOption) error {
	if err := requireID("snapshot", id); err != nil {
		return err
	}
	return del(ctx, clientOf(s), path("snapshots", id), opts)
}

// Restore writes an available snapshot back onto its source volume; the
// snapshot goes through restoring back to available (see WaitUntilReady).
func (s *SnapshotsService) Restore(ctx context.Context, id string, opts ...RequestOption) (*Snapshot, error) {
	if err := requireID("snapshot", id); err != nil {
		return nil, err
	}
	return send[Snapshot](ctx, clientOf(s), http.MethodPost, path("snapshots", id, "restore"), nil, opts)
}

// WaitUntilReady polls the snapshot until it is available, waiting out
// creating and restoring. It fails fast when the snapshot is in error or
// cannot be read (404), and otherwise waits until ctx ends: give ctx a
// deadline. It returns the last state seen, with the error when there is
// one.
func (s *SnapshotsService) WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Snapshot, error) {
	if err := requireID("snapshot", id); err != nil {
		return nil, err
	}
	cond := statusWait("snapshot "+id, snapshotStatus, []SnapshotStatus{SnapshotStatusAvailable},
		[]SnapshotStatus{SnapshotStatusError})
	return cond.wait(ctx, s.getter(id), opts)
}

// WaitUntilDeleted polls the snapshot until the API answers that it is not
// found: call it after Delete. It reports StatusDeleted to WithWaitProgress
// at the end, fails on any other 4xx, and otherwise waits until ctx ends:
// give ctx a deadline.
func (s *SnapshotsService) WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error {
	if err := requireID("snapshot", id); err != nil {
		return err
	}
	_, err := deletedWait("snapshot "+id, snapshotStatus).wait(ctx, s.getter(id), opts)
	return err
}

// getter is Get of one snapshot, as a wait polls it.
func (s *SnapshotsService) getter(id string) func(context.Context) (*Snapshot, error) {
	return func(ctx context.Context) (*Snapshot, error) { return s.Get(ctx, id) }
}

func snapshotStatus(sn *Snapshot) SnapshotStatus { return sn.Status }
