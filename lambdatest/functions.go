package lambdatest

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

type function struct {
	meta
	lc           lifecycle
	runtime      string
	handler      string
	tags         []string
	lastExecuted time.Time
}

type wireFunction struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Runtime           string   `json:"runtime"`
	Handler           string   `json:"handler"`
	Status            string   `json:"status"`
	Tags              []string `json:"tags"`
	CreatedAt         string   `json:"created_at"`
	DeploymentStarted string   `json:"deployment_started"`
	LastExecuted      string   `json:"last_executed,omitempty"`
}

func (f *function) view() wireFunction {
	w := wireFunction{ID: f.id, Name: f.name, Runtime: f.runtime, Handler: f.handler, Status: f.lc.status,
		Tags: slices.Clone(f.tags), CreatedAt: stamp(f.created), DeploymentStarted: stamp(f.created)}
	if w.Tags == nil {
		w.Tags = []string{}
	}
	if !f.lastExecuted.IsZero() {
		w.LastExecuted = stamp(f.lastExecuted)
	}
	return w
}

// newFunctionID looks like the API documentation's "FUNC_1234567890".
func newFunctionID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return fmt.Sprintf("FUNC_%010d", binary.BigEndian.Uint64(b[:])%10_000_000_000)
}

func (s *Server) createFunction(c *call) reply {
	var req struct {
		Name    string   `json:"name"`
		Runtime string   `json:"runtime"`
		Handler string   `json:"handler"`
		Tags    []string `json:"tags"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("name", req.Name, "runtime", req.Runtime, "handler", req.Handler); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	f := st.newFunction(req.Name, req.Runtime, req.Handler, req.Tags, c.now)
	st.begin(&f.lc, c.now, "created", []string{"active"}, nil)
	return c.createdAsDocumented(f.view())
}

// newFunction stores a function. Call with st.mu held.
func (st *state) newFunction(name, runtime, handler string, tags []string, now time.Time) *function {
	m := st.newMeta("", name, now)
	for m.id = newFunctionID(); st.functions[m.id] != nil; m.id = newFunctionID() {
	}
	f := &function{meta: m, runtime: runtime, handler: handler, tags: slices.Clone(tags)}
	f.lc.status, f.lc.updated = "active", now
	st.functions[f.id] = f
	st.newFunctionResource(f)
	return f
}

func (s *Server) listFunctions(c *call) reply {
	p, e := c.parseListAsDocumented()
	if e != nil {
		return c.fail(e)
	}
	q := c.query()
	status, runtime, tag := q.Get("status"), q.Get("runtime"), q.Get("tag")
	st := s.st.lock(c.now)
	defer st.unlock()
	items := filter(st.functions, func(f *function) bool {
		return (status == "" || f.lc.status == status) && (runtime == "" || f.runtime == runtime) &&
			(tag == "" || slices.Contains(f.tags, tag))
	})
	got, pg := page(items, func(f *function) meta { return f.meta }, (*function).view, p)
	return c.listAsDocumented(got, pg)
}

// SeedFunction adds a function directly to the state in the given status
// ("active", "deprecated" or "created") and returns its ID; it is how a
// test gets a deprecated function, which the API cannot make.
func (s *Server) SeedFunction(name, runtime, status string, tags ...string) (string, error) {
	if !slices.Contains([]string{"created", "active", "deprecated"}, status) {
		return "", fmt.Errorf("lambdatest: unknown function status %q", status)
	}
	now := s.Now()
	st := s.st.lock(now)
	defer st.unlock()
	f := st.newFunction(name, runtime, "index.handler", tags, now)
	f.lc.status = status
	f.lastExecuted = now.Add(-time.Hour).UTC().Truncate(time.Second)
	return f.id, nil
}
