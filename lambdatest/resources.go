package lambdatest

import (
	"bytes"
	"encoding/json"
	"net/http"
	"reflect"
	"strings"
)

type resource struct {
	meta
	lc           lifecycle
	typ          string
	region       string
	instanceType string
	vpc          string
	cpuLimit     string
	memoryLimit  string
	memory       string    // function-type: the API documentation's "1024MB"
	fn           *function // function-type: the function it is
}

type wireResource struct {
	ID                    string `json:"id"`
	Type                  string `json:"type"`
	Region                string `json:"region"`
	Status                string `json:"status"`
	InstanceType          string `json:"instance_type,omitempty"`
	VPC                   string `json:"vpc,omitempty"`
	CPULimit              string `json:"cpu_limit,omitempty"`
	MemoryLimit           string `json:"memory_limit,omitempty"`
	Memory                string `json:"memory,omitempty"`
	CreatedAt             string `json:"created_at"`
	ProvisioningStartedAt string `json:"provisioning_started_at"`
	LastExecution         string `json:"last_execution,omitempty"`
	// Function is the function a function-type resource is, with
	// ?expand=function.
	Function *wireFunction `json:"function,omitempty"`
}

func (r *resource) view() wireResource {
	w := wireResource{ID: r.id, Type: r.typ, Region: r.region, Status: r.lc.status, InstanceType: r.instanceType,
		VPC: r.vpc, CPULimit: r.cpuLimit, MemoryLimit: r.memoryLimit, Memory: r.memory, CreatedAt: stamp(r.created),
		ProvisioningStartedAt: stamp(r.created)}
	if r.fn != nil && !r.fn.lastExecuted.IsZero() {
		w.LastExecution = stamp(r.fn.lastExecuted)
	}
	return w
}

// expanded is the view with the nested objects expand names (a comma
// separated list; "function" is the one there is) embedded.
func (r *resource) expanded(expand string) wireResource {
	w := r.view()
	for _, name := range strings.Split(expand, ",") {
		if strings.TrimSpace(name) == "function" && r.fn != nil {
			f := r.fn.view()
			w.Function = &f
		}
	}
	return w
}

// functionRegion is where function-type resources live: the region of
// the original API documentation's example.
const functionRegion = "eu-west-1"

// newFunctionResource stores the resource a function is: every function is
// also a resource of type "function" (the original API documentation's GET /v1/resources/{id}),
// with the ID digits of its function. Call with st.mu held.
func (st *state) newFunctionResource(f *function) {
	m := f.meta
	m.id = "RES_" + strings.TrimPrefix(f.id, "FUNC_")
	st.seq++
	m.seq = st.seq
	r := &resource{meta: m, typ: "function", region: functionRegion, memory: "1024MB", fn: f}
	r.lc.status, r.lc.updated = "active", f.created
	st.resources[r.id] = r
}

// newResourceID looks like the API documentation's "RES_1234567890".
func newResourceID() string { return "RES_" + newFunctionID()[len("FUNC_"):] }

func (s *Server) createResource(c *call) reply {
	var req struct {
		Region       string `json:"region"`
		InstanceType string `json:"instance_type"`
		VPC          string `json:"vpc"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("region", req.Region, "instance_type", req.InstanceType, "vpc", req.VPC); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	m := st.newMeta("", req.InstanceType, c.now)
	for m.id = newResourceID(); st.resources[m.id] != nil; m.id = newResourceID() {
	}
	r := &resource{meta: m, typ: "compute", region: req.Region, instanceType: req.InstanceType, vpc: req.VPC,
		cpuLimit: "2", memoryLimit: "4Gi"}
	st.resources[r.id] = r
	st.begin(&r.lc, c.now, "pending", []string{"active"}, nil)
	return c.bare(http.StatusCreated, r.view())
}

// listResources answers a bare array, with limit (default 50 as the original API documentation
// says; at most 100 under WithStrictRequests),
// offset and filter: a JSON object whose every key must equal the field of
// that name in the resource's JSON.
func (s *Server) listResources(c *call) reply {
	q := c.query()
	limit, offset := 50, 0
	if v := q.Get("limit"); v != "" {
		n, ok := pagingParam(v, 1)
		if !ok || (s.cfg.strict && n > 100) {
			return c.fail(fieldError("limit", v, "limit must be an integer from 1 to %d", map[bool]int{true: 100, false: maxPaging}[s.cfg.strict]))
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, ok := pagingParam(v, 0)
		if !ok {
			return c.fail(fieldError("offset", v, "offset must be an integer from 0 to %d", maxPaging))
		}
		offset = n
	}
	var query map[string]any
	if v := q.Get("filter"); v != "" {
		dec := json.NewDecoder(bytes.NewReader([]byte(v)))
		dec.UseNumber()
		if err := dec.Decode(&query); err != nil || query == nil || dec.More() {
			return c.fail(fieldError("filter", v, `filter must be a JSON object such as {"region":"us-east"}`))
		}
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	items := filter(st.resources, func(r *resource) bool { return matchesFilter(r.view(), query) })
	got := oldestFirst(items, func(r *resource) meta { return r.meta })
	got = got[min(offset, len(got)):]
	got = got[:min(limit, len(got))]
	return c.bare(http.StatusOK, views(got, (*resource).view))
}

// matchesFilter compares the wire JSON of v with each key of filter.
func matchesFilter(v any, filter map[string]any) bool {
	if len(filter) == 0 {
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(mustJSON(v)))
	dec.UseNumber()
	var fields map[string]any
	if dec.Decode(&fields) != nil {
		return false
	}
	for k, want := range filter {
		if !reflect.DeepEqual(fields[k], want) {
			return false
		}
	}
	return true
}

func (st *state) resource(id string) (*resource, *apiError) {
	return find(st.resources, "resource", id)
}

func (s *Server) getResource(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	r, e := st.resource(c.id)
	if e != nil {
		return c.fail(e)
	}
	return c.bare(http.StatusOK, r.expanded(c.query().Get("expand")))
}

func (s *Server) updateResource(c *call) reply {
	var req struct {
		CPULimit    *string `json:"cpu_limit"`
		MemoryLimit *string `json:"memory_limit"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if req.CPULimit == nil && req.MemoryLimit == nil {
		return c.fail(fieldError("cpu_limit", nil, "send cpu_limit, memory_limit or both"))
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	r, e := st.resource(c.id)
	if e != nil {
		return c.fail(e)
	}
	if req.CPULimit != nil {
		r.cpuLimit = *req.CPULimit
	}
	if req.MemoryLimit != nil {
		r.memoryLimit = *req.MemoryLimit
	}
	r.lc.updated = c.now
	return c.bare(http.StatusOK, r.view())
}

func (s *Server) deleteResource(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	r, e := st.resource(c.id)
	if e != nil {
		return c.fail(e)
	}
	st.forget(&r.lc)
	delete(st.resources, r.id)
	return noContent()
}
