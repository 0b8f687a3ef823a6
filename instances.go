package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Instance is a compute instance.
type Instance struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	InstanceType InstanceType      `json:"instance_type"`
	Region       string            `json:"region"`
	Image        string            `json:"image"`
	Status       InstanceStatus    `json:"status"`
	SSHKeys      []string          `json:"ssh_keys,omitempty"`
	PublicIP     string            `json:"public_ip,omitempty"`
	PrivateIP    string            `json:"private_ip,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
	CreatedAt    time.Time         `json:"created_at"`
	UpdatedAt    time.Time         `json:"updated_at"`
}

// InstanceType is an instance's size.
type InstanceType string

// Instance types.
const (
	InstanceTypeCompute1x  InstanceType = "compute-1x"
	InstanceTypeCompute2x  InstanceType = "compute-2x"
	InstanceTypeCompute4x  InstanceType = "compute-4x"
	InstanceTypeCompute8x  InstanceType = "compute-8x"
	InstanceTypeCompute16x InstanceType = "compute-16x"
)

// InstanceStatus is where an instance is in its life cycle.
type InstanceStatus string

// Instance statuses. Pending and provisioning lead to running; error and
// terminated are final.
const (
	InstanceStatusPending      InstanceStatus = "pending"
	InstanceStatusProvisioning InstanceStatus = "provisioning"
	InstanceStatusRunning      InstanceStatus = "running"
	InstanceStatusStopping     InstanceStatus = "stopping"
	InstanceStatusStopped      InstanceStatus = "stopped"
	InstanceStatusRestarting   InstanceStatus = "restarting"
	InstanceStatusResizing     InstanceStatus = "resizing"
	InstanceStatusError        InstanceStatus = "error"
	InstanceStatusTerminated   InstanceStatus = "terminated"
)

// CreateInstanceRequest is the body of Instances.Create.
type CreateInstanceRequest struct {
	Name         string            `json:"name"`
	InstanceType InstanceType      `json:"instance_type"`
	Region       string            `json:"region"`
	Image        string            `json:"image"`
	SSHKeys      []string          `json:"ssh_keys,omitempty"`
	Tags         map[string]string `json:"tags,omitempty"`
}

// UpdateInstanceRequest is the body of Instances.Update. Only the fields
// set (non-nil) are sent, so a field can be set to its zero value: Tags set
// to a pointer to an empty (or nil) map clears the tags.
type UpdateInstanceRequest struct {
	Name *string            `json:"name,omitempty"`
	Tags *map[string]string `json:"tags,omitempty"`
}

// ListInstancesOptions filters, sorts and pages Instances.List.
type ListInstancesOptions struct {
	ListOptions
	Status InstanceStatus `url:"status,omitempty"`
	Region string         `url:"region,omitempty"`
	Sort   string         `url:"sort,omitempty"` // "created_at" or "name"
	Order  SortOrder      `url:"order,omitempty"`
}

// Ptr returns a pointer to v, for the optional fields of update requests.
func Ptr[T any](v T) *T { return &v }

// Create creates an instance. It starts pending; see WaitUntilReady.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *InstancesService) Create(ctx context.Context, req *CreateInstanceRequest, opts ...RequestOption) (*Instance, error) {
	if req == nil {
		return nil, nilRequest("Instances.Create", "CreateInstanceRequest")
	}
	return send[Instance](ctx, clientOf(s), http.MethodPost, "/instances", req, opts)
}

// Get fetches an instance.
func (s *InstancesService) Get(ctx context.Context, id string, opts ...RequestOption) (*Instance, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	return get[Instance](ctx, clientOf(s), path("instances", id), nil, opts)
}

// List fetches one page of instances.
func (s *InstancesService) List(ctx context.Context, opts *ListInstancesOptions, ro ...RequestOption) (*Page[Instance], error) {
	return list[Instance](ctx, clientOf(s), "/instances", opts, ro)
}

// All iterates over every instance that matches opts, fetching pages as the
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
func (s *InstancesService) All(ctx context.Context, opts *ListInstancesOptions, ro ...RequestOption) iter.Seq2[Instance, error] {
	return all(ctx, opts, s.List, ro)
}

// Update changes the fields of req that are set.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *InstancesService) Update(ctx context.Context, id string, req *UpdateInstanceRequest, opts ...RequestOption) (*Instance, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, nilRequest("Instances.Update", "UpdateInstanceRequest")
	}
	if req.Tags != nil && *req.Tags == nil {
		// A nil map is no tags, as in Go: sent as {}, not as null, which
		// the API refuses.
		body := *req
		body.Tags = &map[string]string{}
		req = &body
	}
	return send[Instance](ctx, clientOf(s), http.MethodPatch, path("instances", id), req, opts)
}

// WaitUntilReady polls the instance until it is running. It fails fast when
// the instance is stopped, in error or terminated, or cannot be read (404),
// and otherwise waits until ctx ends: give ctx a deadline. It returns the
// last state seen, with the error when there is one.
func (s *InstancesService) WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Instance, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	cond := statusWait("instance "+id, instanceStatus, []InstanceStatus{InstanceStatusRunning},
		[]InstanceStatus{InstanceStatusError, InstanceStatusTerminated, InstanceStatusStopped, InstanceStatusStopping})
	return cond.wait(ctx, s.getter(id), opts)
}

// WaitUntilStopped polls the instance until it is stopped: call it after
// Stop. It waits out stopping (and resizing, which returns to the status
// the instance had), and fails fast when the instance is heading for
// running instead (pending, provisioning, running, restarting), is in
// error or terminated, or cannot be read (404). Otherwise it waits until
// ctx ends: give ctx a deadline. It returns the last state seen, with the
// error when there is one.
func (s *InstancesService) WaitUntilStopped(ctx context.Context, id string, opts ...WaitOption) (*Instance, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	cond := statusWait("instance "+id, instanceStatus, []InstanceStatus{InstanceStatusStopped},
		[]InstanceStatus{InstanceStatusError, InstanceStatusTerminated, InstanceStatusPending,
			InstanceStatusProvisioning, InstanceStatusRunning, InstanceStatusRestarting})
	return cond.wait(ctx, s.getter(id), opts)
}

// WaitUntilDeleted polls the instance until the API answers that it is not
// found: call it after Delete. It waits out every status on the way
// (terminated, say), and reports StatusDeleted to WithWaitProgress at the
// end. It fails on any other 4xx, and otherwise waits until ctx ends: give
// ctx a deadline.
func (s *InstancesService) WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error {
	if err := requireID("instance", id); err != nil {
		return err
	}
	_, err := deletedWait("instance "+id, instanceStatus).wait(ctx, s.getter(id), opts)
	return err
}

// getter is Get of one instance, as a wait polls it.
func (s *InstancesService) getter(id string) func(context.Context) (*Instance, error) {
	return func(ctx context.Context) (*Instance, error) { return s.Get(ctx, id) }
}

func instanceStatus(i *Instance) InstanceStatus { return i.Status }

// deref returns a copy of *p, or the zero value for nil.
func deref[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// ResizeInstanceRequest is the body of Instances.Resize.
type ResizeInstanceRequest struct {
	InstanceType InstanceType `json:"instance_type"`
}

// Delete deletes an instance: it is terminated and then no longer found.
// The API refuses it (ErrConflict) while volumes are attached to it.
// A retry that finds it gone (404) after an earlier attempt that may have
// taken effect (a lost connection, a 5xx) is reported as success, since that
// attempt most likely did it; ResponseInfo.Attempts shows the retry. A 404
// on the first attempt is ErrNotFound. WaitUntilDeleted confirms the resource is gone.
func (s *InstancesService) Delete(ctx context.Context, id string, opts ...RequestOption) error {
	if err := requireID("instance", id); err != nil {
		return err
	}
	return del(ctx, clientOf(s), path("instances", id), opts)
}

// Start starts a stopped instance; it goes through pending to running (see
// WaitUntilReady). Starting an instance that is not stopped is ErrConflict.
func (s *InstancesService) Start(ctx context.Context, id string, opts ...RequestOption) (*Instance, error) {
	return s.action(ctx, id, "start", opts)
}

// Stop stops a running instance; it goes through stopping to stopped.
func (s *InstancesService) Stop(ctx context.Context, id string, opts ...RequestOption) (*Instance, error) {
	return s.action(ctx, id, "stop", opts)
}

// Restart restarts a running instance; it goes through restarting back to
// running.
func (s *InstancesService) Restart(ctx context.Context, id string, opts ...RequestOption) (*Instance, error) {
	return s.action(ctx, id, "restart", opts)
}

// Resize changes the type of a running or stopped instance; it goes
// through resizing back to the status it had.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *InstancesService) Resize(ctx context.Context, id string, req *ResizeInstanceRequest, opts ...RequestOption) (*Instance, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	if req == nil {
		return nil, nilRequest("Instances.Resize", "ResizeInstanceRequest")
	}
	return send[Instance](ctx, clientOf(s), http.MethodPost, path("instances", id, "resize"), req, opts)
}

// action posts a body-less action (start, stop, restart) on an instance.
func (s *InstancesService) action(ctx context.Context, id, verb string, opts []RequestOption) (*Instance, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	return send[Instance](ctx, clientOf(s), http.MethodPost, path("instances", id, verb), nil, opts)
}
