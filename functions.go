package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// Function is a serverless function.
type Function struct {
	ID                string         `json:"id"`
	Name              string         `json:"name"`
	Runtime           string         `json:"runtime"` // free text: "Node.js 20", "python3.12"
	Handler           string         `json:"handler"`
	Status            FunctionStatus `json:"status"`
	Tags              []string       `json:"tags,omitempty"`
	CreatedAt         time.Time      `json:"created_at"`
	DeploymentStarted time.Time      `json:"deployment_started"`
	LastExecuted      *time.Time     `json:"last_executed,omitempty"` // nil until it first runs
}

// FunctionStatus is where a function is in its life cycle.
type FunctionStatus string

// Function statuses. A new function is created, then active.
const (
	FunctionStatusCreated    FunctionStatus = "created"
	FunctionStatusActive     FunctionStatus = "active"
	FunctionStatusDeprecated FunctionStatus = "deprecated"
)

// CreateFunctionRequest is the body of Functions.Create.
type CreateFunctionRequest struct {
	Name    string   `json:"name"`
	Runtime string   `json:"runtime"`
	Handler string   `json:"handler"` // e.g. "index.handler"
	Tags    []string `json:"tags,omitempty"`
}

// ListFunctionsOptions filters, sorts and pages Functions.List.
type ListFunctionsOptions struct {
	ListOptions
	// Status filters by status: the API accepts FunctionStatusActive and
	// FunctionStatusDeprecated only.
	Status  FunctionStatus `url:"status,omitempty"`
	Runtime string         `url:"runtime,omitempty"`
	Tag     string         `url:"tag,omitempty"`  // functions whose tags contain this one
	Sort    string         `url:"sort,omitempty"` // "created_at" or "name"
	Order   SortOrder      `url:"order,omitempty"`
}

// Create deploys a function. It starts created; see WaitUntilReady.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *FunctionsService) Create(ctx context.Context, req *CreateFunctionRequest, opts ...RequestOption) (*Function, error) {
	if req == nil {
		return nil, nilRequest("Functions.Create", "CreateFunctionRequest")
	}
	return send[Function](ctx, clientOf(s), http.MethodPost, "/functions", req, opts)
}

// List fetches one page of functions.
func (s *FunctionsService) List(ctx context.Context, opts *ListFunctionsOptions, ro ...RequestOption) (*Page[Function], error) {
	return list[Function](ctx, clientOf(s), "/functions", opts, ro)
}

// All iterates over every function that matches opts, fetching pages as the
// loop needs them. opts is copied: changing it later has no effect.
// The list ends as page/limit lists do (see Paging in the package
// documentation), with a pagination object or, on the original API documentation's bare route,
// without one: an item is never yielded twice, and a server that repeats or
// ignores paging ends the loop with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *FunctionsService) All(ctx context.Context, opts *ListFunctionsOptions, ro ...RequestOption) iter.Seq2[Function, error] {
	return all(ctx, opts, s.List, ro)
}

// WaitUntilReady polls the function until it is active, and fails fast
// when it is deprecated. The API has no route for one function, so each
// poll walks the function list; a function missing from it is retried a
// few times (a list may lag behind a create) before the wait gives up with
// ErrNotFound. Give ctx a deadline. It returns the last state seen, with
// the error when there is one.
func (s *FunctionsService) WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Function, error) {
	if err := requireID("function", id); err != nil {
		return nil, err
	}
	cond := statusWait("function "+id, func(f *Function) FunctionStatus { return f.Status },
		[]FunctionStatus{FunctionStatusActive}, []FunctionStatus{FunctionStatusDeprecated})
	return cond.wait(ctx, func(ctx context.Context) (*Function, error) { return s.find(ctx, id) }, opts)
}

// find looks a function up by ID in the list.
func (s *FunctionsService) find(ctx context.Context, id string) (*Function, error) {
	for f, err := range s.All(ctx, nil) {
		if err != nil {
			return nil, err
		}
		if f.ID == id {
			return &f, nil
		}
	}
	return nil, &Error{Code: CodeNotFound, Message: "function " + id + " is not in the function list"}
}
