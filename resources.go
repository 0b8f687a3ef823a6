package lambda

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"time"
)

// Resource is a generic cloud resource of the older /resources routes,
// which answer bare JSON.
type Resource struct {
	ID                    string         `json:"id"`
	Type                  ResourceType   `json:"type,omitempty"`
	Region                string         `json:"region,omitempty"`
	Status                ResourceStatus `json:"status"`
	InstanceType          string         `json:"instance_type,omitempty"` // free text, e.g. "t2.micro"
	VPC                   string         `json:"vpc,omitempty"`
	CPULimit              string         `json:"cpu_limit,omitempty"`    // e.g. "4"
	MemoryLimit           string         `json:"memory_limit,omitempty"` // e.g. "8Gi"
	Memory                string         `json:"memory,omitempty"`       // e.g. "1024MB"
	CreatedAt             time.Time      `json:"created_at"`
	ProvisioningStartedAt *time.Time     `json:"provisioning_started_at,omitempty"`
	LastExecution         *time.Time     `json:"last_execution,omitempty"` // a function-type resource's last run
	// Function is the function a function-type resource is, when Get was
	// asked to expand "function"; nil otherwise.
	Function *Function `json:"function,omitempty"`
}

// ResourceType is the kind of a Resource.
type ResourceType string

// Resource types.
const (
	ResourceTypeCompute  ResourceType = "compute"
	ResourceTypeFunction ResourceType = "function"
	ResourceTypeStorage  ResourceType = "storage"
)

// ResourceStatus is where a resource is in its life cycle.
type ResourceStatus string

// Resource statuses. A new resource is pending, then active.
const (
	ResourceStatusPending    ResourceStatus = "pending"
	ResourceStatusActive     ResourceStatus = "active"
	ResourceStatusTerminated ResourceStatus = "terminated"
)

// CreateResourceRequest is the body of Resources.Create.
type CreateResourceRequest struct {
	Region       string `json:"region"`
	InstanceType string `json:"instance_type"`
	VPC          string `json:"vpc"` // VPC name or ID
}

// UpdateResourceRequest is the body of Resources.Update: the fields left
// empty are not sent and keep their value. Set at least one.
type UpdateResourceRequest struct {
	CPULimit    string `json:"cpu_limit,omitempty"`    // e.g. "4"
	MemoryLimit string `json:"memory_limit,omitempty"` // e.g. "8Gi"
}

// ListResourcesOptions filters and pages Resources.List, by offset.
type ListResourcesOptions struct {
	OffsetOptions
	// Filter selects resources whose fields equal its own: any value that
	// encodes to a JSON object, e.g. map[string]any{"region": "us-east"}.
	// The SDK sends it JSON-encoded in the filter query parameter.
	Filter any `url:"-"`
}

// Create creates a resource. It starts pending; see WaitUntilReady.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *ResourcesService) Create(ctx context.Context, req *CreateResourceRequest, opts ...RequestOption) (*Resource, error) {
	if req == nil {
		return nil, nilRequest("Resources.Create", "CreateResourceRequest")
	}
	return send[Resource](ctx, clientOf(s), http.MethodPost, "/resources", req, opts)
}

// Get fetches a resource. WithExpand among opts embeds nested objects:
// client.Resources.Get(ctx, id, lambda.WithExpand("function")).
func (s *ResourcesService) Get(ctx context.Context, id string, opts ...RequestOption) (*Resource, error) {
	if err := requireID("resource", id); err != nil {
		return nil, err
	}
	return fetch[Resource](ctx, clientOf(s), call{method: http.MethodGet, path: path("resources", id), opts: opts, expandable: true})
}

// List fetches one window of resources. The route reports no pagination:
// Page.Pagination stays zero, and a page shorter than the limit is the last.
func (s *ResourcesService) List(ctx context.Context, opts *ListResourcesOptions, ro ...RequestOption) (*Page[Resource], error) {
	q, err := values(opts)
	if err != nil {
		return nil, err
	}
	if opts != nil && opts.Filter != nil {
		f, err := encodeFilter(opts.Filter)
		if err != nil {
			return nil, err
		}
		if f != "" {
			q.Set("filter", f)
		}
	}
	return listQuery[Resource](ctx, clientOf(s), "/resources", q, ro)
}

// All iterates over every resource that matches opts, fetching windows as
// the loop needs them. opts is copied: changing it later has no effect.
// The route reports no pagination and may cap the limit (its default is
// 50): the list ends on an empty window, or on a short one once an earlier
// window came back full, so a server that serves fewer items than asked is
// followed to the true end; an item is never yielded twice, and a server
// that ignores the offset ends the loop with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *ResourcesService) All(ctx context.Context, opts *ListResourcesOptions, ro ...RequestOption) iter.Seq2[Resource, error] {
	return all(ctx, opts, s.List, ro)
}

// Update changes a resource's CPU and memory limits. A nil req, or one
// that sets neither, is refused with ErrInvalidRequest before sending.
func (s *ResourcesService) Update(ctx context.Context, id string, req *UpdateResourceRequest, opts ...RequestOption) (*Resource, error) {
	if err := requireID("resource", id); err != nil {
		return nil, err
	}
	if req == nil || (req.CPULimit == "" && req.MemoryLimit == "") {
		return nil, invalidField("cpu_limit", "set CPULimit, MemoryLimit or both")
	}
	return send[Resource](ctx, clientOf(s), http.MethodPut, path("resources", id), req, opts)
}

// Delete terminates a resource.
// A retry that finds it gone (404) after an earlier attempt that may have
// taken effect (a lost connection, a 5xx) is reported as success, since that
// attempt most likely did it; ResponseInfo.Attempts shows the retry. A 404
// on the first attempt is ErrNotFound. WaitUntilDeleted confirms the resource is gone.
func (s *ResourcesService) Delete(ctx context.Context, id string, opts ...RequestOption) error {
	if err := requireID("resource", id); err != nil {
		return err
	}
	return del(ctx, clientOf(s), path("resources", id), opts)
}

// WaitUntilReady polls the resource until it is active. It fails fast when
// the resource is terminated or cannot be read (404), and otherwise waits
// until ctx ends: give ctx a deadline. It returns the last state seen, with
// the error when there is one.
func (s *ResourcesService) WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Resource, error) {
	if err := requireID("resource", id); err != nil {
		return nil, err
	}
	cond := statusWait("resource "+id, resourceStatus, []ResourceStatus{ResourceStatusActive},
		[]ResourceStatus{ResourceStatusTerminated})
	return cond.wait(ctx, s.getter(id), opts)
}

// WaitUntilDeleted polls the resource until the API answers that it is not
// found: call it after Delete. It waits out every status on the way
// (terminated, say), and reports StatusDeleted to WithWaitProgress at the
// end. It fails on any other 4xx, and otherwise waits until ctx ends: give
// ctx a deadline.
func (s *ResourcesService) WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error {
	if err := requireID("resource", id); err != nil {
		return err
	}
	_, err := deletedWait("resource "+id, resourceStatus).wait(ctx, s.getter(id), opts)
	return err
}

// getter is Get of one resource, as a wait polls it.
func (s *ResourcesService) getter(id string) func(context.Context) (*Resource, error) {
	return func(ctx context.Context) (*Resource, error) { return s.Get(ctx, id, nil) }
}

func resourceStatus(r *Resource) ResourceStatus { return r.Status }

// encodeFilter JSON-encodes a filter, refusing one that is not an object:
// the API matches on field names. A nil map or pointer means no filter.
func encodeFilter(filter any) (string, error) {
	b, err := json.Marshal(filter)
	if err != nil {
		return "", &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("cannot encode the filter: %v", err),
			Details: &ErrorDetails{Field: "filter"}, cause: err}
	}
	if err := checkUTF8("filter", filter, b); err != nil {
		return "", err
	}
	if string(b) == "null" {
		return "", nil
	}
	if !bytes.HasPrefix(b, []byte("{")) {
		return "", invalidField("filter", "the filter must encode to a JSON object, such as {\"region\":\"us-east\"}")
	}
	return string(b), nil
}
