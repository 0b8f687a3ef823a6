package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// VPN is a virtual private network.
type VPN struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Region    string    `json:"region"`
	Status    VPNStatus `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

// VPNStatus is where a VPN is in its life cycle.
type VPNStatus string

// VPN statuses: a new VPN is pending, then active.
const (
	VPNStatusPending VPNStatus = "pending"
	VPNStatusActive  VPNStatus = "active"
)

// CreateVPNRequest is the body of VPNs.Create.
type CreateVPNRequest struct {
	Name   string `json:"name"`
	Region string `json:"region"`
}

// ListVPNsOptions filters, sorts and pages VPNs.List.
type ListVPNsOptions struct {
	ListOptions
	Status VPNStatus `url:"status,omitempty"`
	Region string    `url:"region,omitempty"`
	Sort   string    `url:"sort,omitempty"` // "created_at" or "name"
	Order  SortOrder `url:"order,omitempty"`
}

// Create creates a VPN. It starts pending, then becomes active.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *VPNsService) Create(ctx context.Context, req *CreateVPNRequest, opts ...RequestOption) (*VPN, error) {
	if req == nil {
		return nil, nilRequest("VPNs.Create", "CreateVPNRequest")
	}
	return send[VPN](ctx, clientOf(s), http.MethodPost, "/vpn", req, opts)
}

// List fetches one page of VPNs.
func (s *VPNsService) List(ctx context.Context, opts *ListVPNsOptions, ro ...RequestOption) (*Page[VPN], error) {
	return list[VPN](ctx, clientOf(s), "/vpn", opts, ro)
}

// All iterates over every VPN that matches opts, fetching pages as the
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
func (s *VPNsService) All(ctx context.Context, opts *ListVPNsOptions, ro ...RequestOption) iter.Seq2[VPN, error] {
	return all(ctx, opts, s.List, ro)
}
