package lambdatest

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// instanceTypes are the sizes an instance can have, smallest first.
var instanceTypes = []string{"compute-1x", "compute-2x", "compute-4x", "compute-8x", "compute-16x"}

type instance struct {
	meta
	lc           lifecycle
	instanceType string
	region       string
	image        string
	sshKeys      []string
	tags         map[string]string
	publicIP     string
	privateIP    string
}

type wireInstance struct {
	ID           string            `json:"id"`
	Name         string            `json:"name"`
	InstanceType string            `json:"instance_type"`
	Region       string            `json:"region"`
	Image        string            `json:"image"`
	Status       string            `json:"status"`
	SSHKeys      []string          `json:"ssh_keys"`
	PublicIP     string            `json:"public_ip,omitempty"`
	PrivateIP    string            `json:"private_ip,omitempty"`
	Tags         map[string]string `json:"tags"`
	CreatedAt    string            `json:"created_at"`
	UpdatedAt    string            `json:"updated_at"`
}

func (in *instance) view() wireInstance {
	w := wireInstance{ID: in.id, Name: in.name, InstanceType: in.instanceType, Region: in.region,
		Image: in.image, Status: in.lc.status, SSHKeys: slices.Clone(in.sshKeys), PrivateIP: in.privateIP,
		Tags: maps.Clone(in.tags), CreatedAt: stamp(in.created), UpdatedAt: stamp(in.lc.updated)}
	if w.SSHKeys == nil {
		w.SSHKeys = []string{}
	}
	if w.Tags == nil {
		w.Tags = map[string]string{}
	}
	// The public address is assigned once the instance first runs.
	if in.lc.status != "pending" && in.lc.status != "provisioning" {
		w.PublicIP = in.publicIP
	}
	return w
}

func (in *instance) event() map[string]any {
	return map[string]any{"instance_id": in.id, "name": in.name, "status": in.lc.status}
}

// newInstance stores a new instance in status. Call with st.mu held.
func (st *state) newInstance(name, typ, region, image string, sshKeys []string, tags map[string]string, now time.Time) *instance {
	in := &instance{meta: st.newMeta("inst_", name, now), instanceType: typ, region: region, image: image,
		sshKeys: slices.Clone(sshKeys), tags: maps.Clone(tags)}
	n := st.seq
	in.privateIP = fmt.Sprintf("10.%d.%d.%d", n/62500%250, n/250%250, n%250+2)
	in.publicIP = fmt.Sprintf("198.%d.%d.%d", 18+n/62500%2, n/250%250, n%250+2)
	st.instances[in.id] = in
	return in
}

func (s *Server) createInstance(c *call) reply {
	var req struct {
		Name         string            `json:"name"`
		InstanceType string            `json:"instance_type"`
		Region       string            `json:"region"`
		Image        string            `json:"image"`
		SSHKeys      []string          `json:"ssh_keys"`
		Tags         map[string]string `json:"tags"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("name", req.Name, "region", req.Region, "image", req.Image); e != nil {
		return c.fail(e)
	}
	if e := checkInstanceType(req.InstanceType); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	in := st.newInstance(req.Name, req.InstanceType, req.Region, req.Image, req.SSHKeys, req.Tags, c.now)
	st.begin(&in.lc, c.now, "pending", []string{"provisioning", "running"}, nil)
	s.emit("instance.created", in.event())
	return c.created(in.view())
}

func (s *Server) listInstances(c *call) reply {
	p, e := c.parseList()
	if e != nil {
		return c.fail(e)
	}
	q := c.query()
	status, region := q.Get("status"), q.Get("region")
	st := s.st.lock(c.now)
	defer st.unlock()
	items := filter(st.instances, func(in *instance) bool {
		return (status == "" || in.lc.status == status) && (region == "" || in.region == region)
	})
	got, pg := page(items, func(in *instance) meta { return in.meta }, (*instance).view, p)
	return c.list(got, pg)
}

// instance finds the instance of the path. Call with st.mu held.
func (st *state) instance(id string) (*instance, *apiError) {
	return find(st.instances, "instance", id)
}

func (s *Server) getInstance(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	in, e := st.instance(c.id)
	if e != nil {
		return c.fail(e)
	}
	return c.ok(in.view())
}

func (s *Server) updateInstance(c *call) reply {
	var req struct {
		Name *string            `json:"name"`
		Tags *map[string]string `json:"tags"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if req.Name != nil && *req.Name == "" {
		return c.fail(fieldError("name", "", "name must not be empty"))
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	in, e := st.instance(c.id)
	if e != nil {
		return c.fail(e)
	}
	if req.Name != nil {
		in.name = *req.Name
	}
	if req.Tags != nil {
		in.tags = maps.Clone(*req.Tags) // {} clears every tag
	}
	in.lc.updated = c.now
	return c.ok(in.view())
}

func (s *Server) deleteInstance(c *call) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	in, e := st.instance(c.id)
	if e != nil {
		return c.fail(e)
	}
	var attached []string
	for _, v := range st.volumes {
		if v.instanceID == in.id {
			attached = append(attached, v.id)
		}
	}
	if len(attached) > 0 {
		slices.Sort(attached)
		return c.fail(conflict("instance %s has attached volumes (%s): detach them before deleting it",
			in.id, strings.Join(attached, ", ")))
	}
	st.forget(&in.lc)
	delete(st.instances, in.id)
	in.lc.status, in.lc.updated = "terminated", c.now
	s.emit("instance.deleted", in.event())
	return noContent()
}

// transition is one instance action: the statuses it may start from, the
// transitional status, and the event fired when it is done.
type transition struct {
	action string
	from   []string
	via    string
	event  string
}

var (
	startAction   = transition{"start", []string{"stopped"}, "pending", "instance.started"}
	stopAction    = transition{"stop", []string{"running"}, "stopping", "instance.stopped"}
	restartAction = transition{"restart", []string{"running"}, "restarting", "instance.restarted"}
	resizeAction  = transition{"resize", []string{"running", "stopped"}, "resizing", "instance.resized"}
)

// act runs t on the instance of the path; the instance ends in to (or,
// when to is "", back in the status it started from). Call with st.mu held.
func (s *Server) act(c *call, st *state, t transition, to string) (*instance, *apiError) {
	in, e := st.instance(c.id)
	if e != nil {
		return nil, e
	}
	if !slices.Contains(t.from, in.lc.status) {
		return nil, conflict("cannot %s instance %s while it is %s (allowed from: %s)",
			t.action, in.id, in.lc.status, strings.Join(t.from, ", "))
	}
	if to == "" {
		to = in.lc.status
	}
	st.begin(&in.lc, c.now, t.via, []string{to}, func(time.Time) { s.emit(t.event, in.event()) })
	return in, nil
}

func (s *Server) instanceAction(c *call, t transition, to string) reply {
	st := s.st.lock(c.now)
	defer st.unlock()
	in, e := s.act(c, st, t, to)
	if e != nil {
		return c.fail(e)
	}
	return c.ok(in.view())
}

func (s *Server) startInstance(c *call) reply   { return s.instanceAction(c, startAction, "running") }
func (s *Server) stopInstance(c *call) reply    { return s.instanceAction(c, stopAction, "stopped") }
func (s *Server) restartInstance(c *call) reply { return s.instanceAction(c, restartAction, "running") }

func (s *Server) resizeInstance(c *call) reply {
	var req struct {
		InstanceType string `json:"instance_type"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := checkInstanceType(req.InstanceType); e != nil {
		return c.fail(e)
	}
	st := s.st.lock(c.now)
	defer st.unlock()
	if in, ok := st.instances[c.id]; ok && in.instanceType == req.InstanceType {
		return c.fail(fieldError("instance_type", req.InstanceType, "instance %s is already %s", in.id, req.InstanceType))
	}
	in, e := s.act(c, st, resizeAction, "")
	if e != nil {
		return c.fail(e)
	}
	in.instanceType = req.InstanceType
	return c.ok(in.view())
}

func checkInstanceType(t string) *apiError {
	if slices.Contains(instanceTypes, t) {
		return nil
	}
	e := fieldError("instance_type", t, "unknown instance type %q", t)
	e.allowed = instanceTypes
	return e
}

// requireFields takes name, value pairs and reports the first empty one.
func requireFields(pairs ...string) *apiError {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			return fieldError(pairs[i], nil, "%s is required", pairs[i])
		}
	}
	return nil
}

// SeedInstances adds n running instances directly to the state (no API
// calls, no webhook events), named "seed-1" … "seed-n" in creation order,
// and returns their IDs in that order. It is meant for paging tests and
// benchmarks.
func (s *Server) SeedInstances(n int) []string {
	base := s.Now().UTC()
	st := s.st.lock(base)
	defer st.unlock()
	ids := make([]string, 0, max(n, 0))
	for i := 0; i < n; i++ {
		at := base.Add(-time.Duration(n-i) * time.Millisecond) // in the past, oldest first
		region := []string{"us-west-1", "us-east-1", "eu-west-1"}[i%3]
		in := st.newInstance(fmt.Sprintf("seed-%d", i+1), instanceTypes[i%3], region, "ubuntu-22.04", nil, nil, at)
		in.lc.status, in.lc.updated = "running", at
		ids = append(ids, in.id)
	}
	return ids
}

// SetInstanceStatus forces the status of an instance (e.g. "error", to test
// a waiter that must give up), cancelling any transition in progress. It
// fires no event. It fails for an unknown instance or status.
func (s *Server) SetInstanceStatus(id, status string) error {
	valid := []string{"pending", "provisioning", "running", "stopping", "stopped", "restarting", "resizing", "error", "terminated"}
	if !slices.Contains(valid, status) {
		return fmt.Errorf("lambdatest: unknown instance status %q", status)
	}
	now := s.Now()
	st := s.st.lock(now)
	defer st.unlock()
	in, ok := st.instances[id]
	if !ok {
		return fmt.Errorf("lambdatest: no instance %q", id)
	}
	st.forget(&in.lc)
	in.lc.status, in.lc.steps, in.lc.updated = status, nil, now
	return nil
}
