package lambda

import (
	"context"
	"iter"
	"net/http"
	"strings"
	"time"
)

// Volume is a block storage volume.
type Volume struct {
	ID     string       `json:"id"`
	Name   string       `json:"name"`
	SizeGB int          `json:"size_gb"`
	Region string       `json:"region"`
	Status VolumeStatus `json:"status"`
	// InstanceID is the instance the volume is attached to; empty when it
	// is not attached.
	InstanceID string    `json:"instance_id,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// VolumeStatus is where a volume is in its life cycle.
type VolumeStatus string

// Volume statuses. Available (free) and attached (in use) are the settled
// ones; error and deleted are final.
const (
	VolumeStatusCreating  VolumeStatus = "creating"
	VolumeStatusAvailable VolumeStatus = "available"
	VolumeStatusAttaching VolumeStatus = "attaching"
	VolumeStatusAttached  VolumeStatus = "attached"
	VolumeStatusDetaching VolumeStatus = "detaching"
	VolumeStatusResizing  VolumeStatus = "resizing"
	VolumeStatusError     VolumeStatus = "error"
	VolumeStatusDeleted   VolumeStatus = "deleted"
)

// CreateVolumeRequest is the body of Volumes.Create.
type CreateVolumeRequest struct {
	Name   string `json:"name"`
	SizeGB int    `json:"size_gb"` // 1 to 16384
	Region string `json:"region"`
}

// AttachVolumeRequest is the body of Volumes.Attach.
type AttachVolumeRequest struct {
	InstanceID string `json:"instance_id"`
}

// ResizeVolumeRequest is the body of Volumes.Resize.
type ResizeVolumeRequest struct {
	SizeGB int `json:"size_gb"` // larger than the current size: volumes only grow
}

// ListVolumesOptions filters, sorts and pages Volumes.List.
type ListVolumesOptions struct {
	ListOptions
	Status VolumeStatus `url:"status,omitempty"`
	Region string       `url:"region,omitempty"`
	Sort   string       `url:"sort,omitempty"` // "created_at" or "name"
	Order  SortOrder    `url:"order,omitempty"`
}

// Create creates a volume. It starts creating; see WaitUntilReady.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *VolumesService) Create(ctx context.Context, req *CreateVolumeRequest, opts ...RequestOption) (*Volume, error) {
	if req == nil {
		return nil, nilRequest("Volumes.Create", "CreateVolumeRequest")
	}
	return send[Volume](ctx, clientOf(s), http.MethodPost, "/volumes", req, opts)
}

// Get fetches a volume.
func (s *VolumesService) Get(ctx context.Context, id string, opts ...RequestOption) (*Volume, error) {
	if err := requireID("volume", id); err != nil {
		return nil, err
	}
	return get[Volume](ctx, clientOf(s), path("volumes", id), nil, opts)
}

// List fetches one page of volumes.
func (s *VolumesService) List(ctx context.Context, opts *ListVolumesOptions, ro ...RequestOption) (*Page[Volume], error) {
	return list[Volume](ctx, clientOf(s), "/volumes", opts, ro)
}

// All iterates over every volume that matches opts, fetching pages as the
// loop needs them. opts is copied: changing it later has no effect.
// The list ends as page/limit lists with a pagination object do (see
// Paging in the package documentation): an item is never
// yielded twice, and a server that repeats or ignores paging ends the loop
// with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *VolumesService) All(ctx context.Context, opts *ListVolumesOptions, ro ...RequestOption) iter.Seq2[Volume, error] {
	return all(ctx, opts, s.List, ro)
}

// Delete deletes a volume. The API refuses it (ErrConflict) while the
// volume is attached.
// A retry that finds it gone (404) after an earlier attempt that may have
// taken effect (a lost connection, a 5xx) is reported as success, since that
// attempt most likely did it; ResponseInfo.Attempts shows the retry. A 404
// on the first attempt is ErrNotFound. WaitUntilDeleted confirms the resource is gone.
func (s *VolumesService) Delete(ctx context.Context, id string, opts ...RequestOption) error {
	if err := requireID("volume", id); err != nil {
		return err
	}
	return del(ctx, clientOf(s), path("volumes", id), opts)
}

// Attach attaches an available volume to an instance; it goes through
// attaching to attached.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *VolumesService) Attach(ctx context.Context, id string, req *AttachVolumeRequest, opts ...RequestOption) (*Volume, error) {
	if err := requireID("volume", id); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, nilRequest("Volumes.Attach", "AttachVolumeRequest")
	}
	if strings.TrimSpace(req.InstanceID) == "" {
		return nil, &Error{Code: CodeInvalidRequest, Message: "instance ID to attach to is empty",
			Details: &ErrorDetails{Field: "instance_id"}}
	}
	return send[Volume](ctx, clientOf(s), http.MethodPost, path("volumes", id, "attach"), req, opts)
}

// Detach detaches an attached volume; it goes through detaching to
// available.
func (s *VolumesService) Detach(ctx context.Context, id string, opts ...RequestOption) (*Volume, error) {
	if err := requireID("volume", id); err != nil {
		return nil, err
	}
	return send[Volume](ctx, clientOf(s), http.MethodPost, path("volumes", id, "detach"), nil, opts)
}

// Resize grows a volume; it goes through resizing back to where it was.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *VolumesService) Resize(ctx context.Context, id string, req *ResizeVolumeRequest, opts ...RequestOption) (*Volume, error) {
	if err := requireID("volume", id); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, nilRequest("Volumes.Resize", "ResizeVolumeRequest")
	}
	return send[Volume](ctx, clientOf(s), http.MethodPost, path("volumes", id, "resize"), req, opts)
}

// WaitUntilReady polls the volume until it is settled: available (free) or
// attached (in use). It waits out creating, attaching, detaching and
// resizing, so after Create it returns the available volume, after Attach
// the attached one, after Detach the available one. It fails fast when the
// volume is in error or deleted, or cannot be read (404), and otherwise
// waits until ctx ends: give ctx a deadline. It returns the last state
// seen, with the error when there is one.
func (s *VolumesService) WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Volume, error) {
	if err := requireID("volume", id); err != nil {
		return nil, err
	}
	cond := statusWait("volume "+id, volumeStatus, []VolumeStatus{VolumeStatusAvailable, VolumeStatusAttached},
		[]VolumeStatus{VolumeStatusError, VolumeStatusDeleted})
	return cond.wait(ctx, s.getter(id), opts)
}

// WaitUntilDeleted polls the volume until the API answers that it is not
// found: call it after Delete. It waits out every status on the way
// (deleted, say), and reports StatusDeleted to WithWaitProgress at the end.
// It fails on any other 4xx, and otherwise waits until ctx ends: give ctx a
// deadline.
func (s *VolumesService) WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error {
	if err := requireID("volume", id); err != nil {
		return err
	}
	_, err := deletedWait("volume "+id, volumeStatus).wait(ctx, s.getter(id), opts)
	return err
}

// getter is Get of one volume, as a wait polls it.
func (s *VolumesService) getter(id string) func(context.Context) (*Volume, error) {
	return func(ctx context.Context) (*Volume, error) { return s.Get(ctx, id) }
}

func volumeStatus(v *Volume) VolumeStatus { return v.Status }
