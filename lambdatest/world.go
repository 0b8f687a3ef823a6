package lambdatest

import (
	"errors"
	"fmt"
	"regexp"
	"time"
)

// errNoSuchObject is wrapped by SetStatus for an unknown ID.
var errNoSuchObject = errors.New("no such object")

// statusKinds names the kinds of object whose status SetStatus sets, as the
// API's paths name them, and finds one of them by ID under the state lock.
var statusKinds = map[string]func(st *state, id string) *lifecycle{
	"instances": func(st *state, id string) *lifecycle {
		if o := st.instances[id]; o != nil {
			return &o.lc
		}
		return nil
	},
	"volumes": func(st *state, id string) *lifecycle {
		if o := st.volumes[id]; o != nil {
			return &o.lc
		}
		return nil
	},
	"snapshots": func(st *state, id string) *lifecycle {
		if o := st.snapshots[id]; o != nil {
			return &o.lc
		}
		return nil
	},
	"functions": func(st *state, id string) *lifecycle {
		if o := st.functions[id]; o != nil {
			return &o.lc
		}
		return nil
	},
	"resources": func(st *state, id string) *lifecycle {
		if o := st.resources[id]; o != nil {
			return &o.lc
		}
		return nil
	},
	"vpn": func(st *state, id string) *lifecycle {
		if o := st.vpns[id]; o != nil {
			return &o.lc
		}
		return nil
	},
	"workloads": func(st *state, id string) *lifecycle {
		if o := st.workloads[id]; o != nil {
			return &o.lc
		}
		return nil
	},
}

// statusWord is what a status looks like on every kind: "running", "in_use".
var statusWord = regexp.MustCompile(`^[a-z][a-z_]{0,31}$`)

// PauseTransitions holds every object's status where it is: instances,
// volumes and snapshots stay in their transitional status ("pending",
// "attaching", "restoring", …) until ResumeTransitions, however long the
// test takes between two calls. A test asserts a transitional status, or a
// call refused because of one, between the two; a busy machine can then
// never let the status move on first. Objects created or changed while
// paused start their transitions at once, but do not move either. Calling
// it twice is the same as once.
func (s *Server) PauseTransitions() { s.st.pause(time.Now()) }

// ResumeTransitions lets statuses move again after PauseTransitions: each
// object keeps the time it had left in its status when they were paused.
// Without a pause it does nothing.
func (s *Server) ResumeTransitions() { s.st.resume(time.Now()) }

// SetStatus forces the status of one object, cancelling any transition in
// progress, and fires no event: a test (or the admin API) uses it to put an
// object where the API alone cannot, such as an instance in "error". kind is
// the object's path segment in the API: "instances", "volumes",
// "snapshots", "functions", "resources", "vpn" or "workloads". Instances
// take only the statuses the API defines; other kinds take any lower-case
// word.
func (s *Server) SetStatus(kind, id, status string) error {
	if kind == "instances" {
		if err := s.SetInstanceStatus(id, status); err != nil {
			if s.lookupStatus(kind, id) == nil {
				return fmt.Errorf("lambdatest: %w: instance %q", errNoSuchObject, id)
			}
			return err
		}
		return nil
	}
	find, ok := statusKinds[kind]
	if !ok {
		return fmt.Errorf("lambdatest: unknown kind %q: want instances, volumes, snapshots, functions, resources, vpn or workloads", kind)
	}
	if !statusWord.MatchString(status) {
		return fmt.Errorf("lambdatest: status %q is not a lower-case word", status)
	}
	now := s.Now()
	st := s.st.lock(now)
	defer st.unlock()
	lc := find(st, id)
	if lc == nil {
		return fmt.Errorf("lambdatest: %w: %s %q", errNoSuchObject, kind, id)
	}
	st.forget(lc)
	lc.status, lc.steps, lc.updated = status, nil, now
	return nil
}

func (s *Server) lookupStatus(kind, id string) *lifecycle {
	st := s.st.lock(s.Now())
	defer st.unlock()
	return statusKinds[kind](st, id)
}

// Reset puts the world back as NewServer made it: every object, API key
// created through the API, webhook subscription and queued delivery,
// idempotency record, rate-limit window, injected fault and recorded request
// is forgotten, and the initial data is made again. Open metric streams are
// dropped, and statuses paused by PauseTransitions move again. The options, the clock, the server's address, the API keys it
// was given, and the OAuth clients and tokens (sessions, not objects) stay.
func (s *Server) Reset() {
	s.ClearFaults()
	s.ResetRequests()
	s.DropStreams()
	s.auth.reset()

	fresh := newState(s)
	st := s.st
	st.mu.Lock()
	st.seq = fresh.seq
	st.moving = fresh.moving
	st.pausedAt = time.Time{}
	st.instances, st.volumes, st.snapshots = fresh.instances, fresh.volumes, fresh.snapshots
	st.rules, st.vpns, st.functions = fresh.rules, fresh.vpns, fresh.functions
	st.resources, st.workloads, st.deployments = fresh.resources, fresh.workloads, fresh.deployments
	st.apiKeys, st.invoices, st.account = fresh.apiKeys, fresh.invoices, fresh.account
	st.mu.Unlock()

	s.hooks.mu.Lock()
	for _, sub := range s.hooks.subs {
		sub.queue = nil // its worker, if any, finds nothing more to deliver
	}
	s.hooks.subs, s.hooks.deliveries = nil, nil
	s.hooks.mu.Unlock()

	s.idem.mu.Lock()
	s.idem.init()
	s.idem.mu.Unlock()

	s.limiter.mu.Lock()
	s.limiter.buckets, s.limiter.seconds = map[string]*bucket{}, map[string]*bucket{}
	s.limiter.mu.Unlock()
}
