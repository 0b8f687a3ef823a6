package lambdatest

import (
	"sync"
	"time"
)

// meta is what every stored object has: what lists sort by.
type meta struct {
	id      string
	name    string
	seq     int64 // creation order, to break ties of equal timestamps
	created time.Time
}

// lifecycle is the status of an object that moves through transitional
// states on its own: each of steps lasts one transition delay. The delays
// run on this machine's timers (nextAt is a time.Now reading), so that
// statuses move under any clock, a stopped one included; updated is an
// instant shown to clients, so it is read from the server's clock.
type lifecycle struct {
	status  string
	updated time.Time
	steps   []string
	nextAt  time.Time           // real time, not the server's clock
	onDone  func(now time.Time) // runs under state.mu when the last step is reached
}

// state holds every object of the simulated platform behind one mutex.
// Simple beats clever: the API is small and the tests are not a load test.
type state struct {
	srv   *Server
	mu    sync.Mutex
	delay time.Duration
	seq   int64
	wake  chan struct{}

	moving map[*lifecycle]struct{}
	// pausedAt is when PauseTransitions held every life cycle (a time.Now
	// reading); zero when they move.
	pausedAt time.Time

	instances   map[string]*instance
	volumes     map[string]*volume
	snapshots   map[string]*snapshot
	rules       map[string]*firewallRule
	vpns        map[string]*vpn
	functions   map[string]*function
	resources   map[string]*resource
	workloads   map[string]*workload
	deployments map[string]*deployment
	apiKeys     map[string]*apiKey
	invoices    map[string]*invoice
	account     account
}

func newState(srv *Server) *state {
	st := &state{
		srv:         srv,
		delay:       srv.cfg.transitionDelay,
		wake:        make(chan struct{}, 1),
		moving:      map[*lifecycle]struct{}{},
		instances:   map[string]*instance{},
		volumes:     map[string]*volume{},
		snapshots:   map[string]*snapshot{},
		rules:       map[string]*firewallRule{},
		vpns:        map[string]*vpn{},
		functions:   map[string]*function{},
		resources:   map[string]*resource{},
		workloads:   map[string]*workload{},
		deployments: map[string]*deployment{},
		apiKeys:     map[string]*apiKey{},
		invoices:    map[string]*invoice{},
	}
	st.seed(srv.Now())
	return st
}

// lock takes the state and first brings every life cycle up to date, so a
// read never sees a status that should already have moved on; now is the
// server's clock, stamped on the steps taken.
func (st *state) lock(now time.Time) *state {
	st.mu.Lock()
	st.advance(time.Now(), now)
	return st
}

func (st *state) unlock() { st.mu.Unlock() }

// newMeta stamps a new object. Call with st.mu held.
func (st *state) newMeta(prefix, name string, now time.Time) meta {
	st.seq++
	return meta{id: newID(prefix), name: name, seq: st.seq, created: now}
}

// begin sets lc's status at now (the server's clock) and schedules steps,
// one per transition delay of real time; onDone (may be nil) runs when the
// last step is reached. Call with st.mu held.
func (st *state) begin(lc *lifecycle, now time.Time, status string, steps []string, onDone func(time.Time)) {
	lc.status, lc.updated, lc.steps, lc.onDone = status, now, steps, onDone
	if len(steps) == 0 {
		delete(st.moving, lc)
		if onDone != nil {
			onDone(now)
		}
		return
	}
	start := time.Now()
	if !st.pausedAt.IsZero() {
		start = st.pausedAt // held from the start: its first step lasts a delay after ResumeTransitions
	}
	lc.nextAt = start.Add(st.delay)
	st.moving[lc] = struct{}{}
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// forget stops lc's transitions (its object is gone). Call with st.mu held.
func (st *state) forget(lc *lifecycle) { delete(st.moving, lc) }

// advance moves every life cycle whose step is due at real (a time.Now
// reading), stamping the steps taken with shown (the server's clock), and
// returns the real time of the next step due, or zero. Call with st.mu
// held.
func (st *state) advance(real, shown time.Time) time.Time {
	if !st.pausedAt.IsZero() {
		return time.Time{} // held: ResumeTransitions moves every step on by the pause
	}
	var next time.Time
	for lc := range st.moving {
		for len(lc.steps) > 0 && !real.Before(lc.nextAt) {
			lc.status, lc.updated = lc.steps[0], shown
			lc.steps = lc.steps[1:]
			if len(lc.steps) > 0 {
				lc.nextAt = lc.nextAt.Add(st.delay)
			}
		}
		if len(lc.steps) == 0 {
			delete(st.moving, lc)
			if lc.onDone != nil {
				lc.onDone(lc.updated)
			}
			continue
		}
		if next.IsZero() || lc.nextAt.Before(next) {
			next = lc.nextAt
		}
	}
	return next
}

// pause holds every life cycle where it is, from real (a time.Now reading).
func (st *state) pause(real time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.advance(real, st.srv.Now()) // what was due before the pause happens first
	if st.pausedAt.IsZero() {
		st.pausedAt = real
	}
}

// resume lets the life cycles move again, each with the time it had left
// of its step when they were paused.
func (st *state) resume(real time.Time) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.pausedAt.IsZero() {
		return
	}
	held := real.Sub(st.pausedAt)
	st.pausedAt = time.Time{}
	for lc := range st.moving {
		lc.nextAt = lc.nextAt.Add(held)
	}
	select {
	case st.wake <- struct{}{}:
	default:
	}
}

// run drives the life cycles on its own, so that statuses change and
// webhook events fire even when nobody reads. One goroutine per server,
// sleeping until the next step is due; Close stops it.
func (st *state) run() {
	defer st.srv.wg.Done()
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		st.mu.Lock()
		next := st.advance(time.Now(), st.srv.Now())
		st.mu.Unlock()
		wait := time.Hour
		if !next.IsZero() {
			wait = max(time.Until(next), time.Millisecond)
		}
		timer.Reset(wait)
		select {
		case <-st.srv.ctx.Done():
			return
		case <-st.wake:
		case <-timer.C:
		}
	}
}
