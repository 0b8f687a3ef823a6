package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Workload is a deployed, auto-scaled application.
type Workload struct {
	ID        string         `json:"id"` // "w-278364"
	Name      string         `json:"name"`
	Status    WorkloadStatus `json:"status"`
	Region    string         `json:"region"`
	CreatedAt time.Time      `json:"created_at"`
}

// WorkloadStatus is where a workload is in its life cycle.
type WorkloadStatus string

// Workload statuses.
const (
	WorkloadStatusPending WorkloadStatus = "pending"
	WorkloadStatusRunning WorkloadStatus = "running"
	WorkloadStatusStopped WorkloadStatus = "stopped"
)

// ListWorkloadsOptions pages Workloads.List.
type ListWorkloadsOptions struct {
	ListOptions
}

// Deployment is the answer of Deployments.Create: a configuration rolled
// out as the workload WorkloadID.
type Deployment struct {
	ID           string           `json:"id"`
	Config       string           `json:"config"`
	Region       string           `json:"region"`
	MinInstances int              `json:"min_instances"`
	Status       DeploymentStatus `json:"status"`
	WorkloadID   string           `json:"workload_id"`
	CreatedAt    time.Time        `json:"created_at"`
}

// DeploymentStatus is where a deployment is in its life cycle.
type DeploymentStatus string

// Deployment statuses.
const (
	DeploymentStatusPending DeploymentStatus = "pending"
	DeploymentStatusRunning DeploymentStatus = "running"
	DeploymentStatusStopped DeploymentStatus = "stopped"
)

// CreateDeploymentRequest is the body of Deployments.Create.
type CreateDeploymentRequest struct {
	Config       string `json:"config"` // e.g. "high-performance"
	Region       string `json:"region"`
	MinInstances int    `json:"min_instances"` // at least 1
}

// List fetches one page of workloads. The route reports no pagination:
// Page.Pagination stays zero, and a page shorter than the limit is the last.
func (s *WorkloadsService) List(ctx context.Context, opts *ListWorkloadsOptions, ro ...RequestOption) (*Page[Workload], error) {
	return list[Workload](ctx, clientOf(s), "/workloads", opts, ro)
}

// All iterates over every workload, fetching pages as the loop needs them.
// opts is copied: changing it later has no effect.
// The route reports no pagination: the list ends on an empty page, or on a
// short one once an earlier page came back full; an item is never yielded
// twice, and a server that repeats or ignores paging ends the loop with
// ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *WorkloadsService) All(ctx context.Context, opts *ListWorkloadsOptions, ro ...RequestOption) iter.Seq2[Workload, error] {
	return all(ctx, opts, s.List, ro)
}

// Create deploys a configuration; the API also starts its workload.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *DeploymentsService) Create(ctx context.Context, req *CreateDeploymentRequest, opts ...RequestOption) (*Deployment, error) {
	if req == nil {
		return nil, nilRequest("Deployments.Create", "CreateDeploymentRequest")
	}
	return send[Deployment](ctx, clientOf(s), http.MethodPost, "/deployments", req, opts)
}
