package lambdatest

import (
	"fmt"
	"math"
	"net/http"
	"time"
)

type workload struct {
	meta
	lc     lifecycle
	region string
}

type wireWorkload struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Status    string `json:"status"`
	Region    string `json:"region"`
	CreatedAt string `json:"created_at"`
}

func (w *workload) view() wireWorkload {
	return wireWorkload{ID: w.id, Name: w.name, Status: w.lc.status, Region: w.region, CreatedAt: stamp(w.created)}
}

type deployment struct {
	meta
	config       string
	region       string
	minInstances int
	workloadID   string
	wl           *workload
}

type wireDeployment struct {
	ID           string `json:"id"`
	Config       string `json:"config"`
	Region       string `json:"region"`
	MinInstances int    `json:"min_instances"`
	Status       string `json:"status"`
	WorkloadID   string `json:"workload_id"`
	CreatedAt    string `json:"created_at"`
}

// newWorkload stores a workload like the API documentation's "w-278364". Call with
// st.mu held.
func (st *state) newWorkload(name, region string, now time.Time) *workload {
	m := st.newMeta("", name, now)
	m.id = fmt.Sprintf("w-%06d", 278363+m.seq)
	w := &workload{meta: m, region: region}
	w.lc.status, w.lc.updated = "running", now
	st.workloads[w.id] = w
	return w
}

// listWorkloads answers the status shape {"status":"success","data":{"workloads":[…]}}
// with no pagination object, as the API documentation shows: with page and limit, or,
// under WithSeedShapes, every workload whatever the query (the workloads documentation shows
// no paging).
func (s *Server) listWorkloads(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	if s.cfg.asDocumented {
		p = listParams{page: 1, limit: math.MaxInt32, sort: "created_at", order: "asc"}
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	got, _ := page(filter(st.workloads, nil), func(w *workload) meta { return w.meta }, (*workload).view, p)
	return c.statusShape(http.StatusOK, map[string]any{"workloads": got})
}

// createDeployment starts a deployment and the workload that runs it; the
// workload goes pending → running. It serves POST /deployments and POST
// /workloads: the workloads documentation documents "post /v1/deployments" with an example
// that posts the same body to /v1/workloads.
func (s *Server) createDeployment(c *call) reply {
	var req struct {
		Config       string `json:"config"`
		Region       string `json:"region"`
		MinInstances int    `json:"min_instances"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("config", req.Config, "region", req.Region); e != nil {
		return c.fail(e)
	}
	if req.MinInstances < 1 {
		return c.fail(fieldError("min_instances", req.MinInstances, "min_instances must be at least 1"))
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	w := st.newWorkload(req.Config, req.Region, c.now)
	st.begin(&w.lc, c.now, "pending", []string{"running"}, nil)
	d := &deployment{meta: st.newMeta("dep_", req.Config, c.now), config: req.Config, region: req.Region,
		minInstances: req.MinInstances, workloadID: w.id, wl: w}
	st.deployments[d.id] = d
	return c.statusShape(http.StatusCreated, wireDeployment{ID: d.id, Config: d.config, Region: d.region,
		MinInstances: d.minInstances, Status: "pending", WorkloadID: d.workloadID, CreatedAt: stamp(d.created)})
}
