package ratelimit

import (
	"strings"
	"sync"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
)

// maxWindows bounds the windows kept: the figures come from the server,
// and a server that sends a new limit on every answer must not grow the
// client without bound.
const maxWindows = 32

// Budgets keeps one Tracker per rate-limit window. The platform counts
// routes against different windows (the workloads documentation's workloads routes have 500 a
// minute, the rest the plan's hour), and one spent window must not hold
// back calls that count against another. Which window a route counts
// against is learned from its answers, not from a list of routes: the
// answers of a group of routes (the first path segment after the version,
// "instances", "workloads") name their window by their X-RateLimit-Limit,
// and groups whose answers show the same limit share one budget. A group
// no answer has described yet is not held back. It is safe for concurrent
// use.
type Budgets struct {
	mu      sync.Mutex
	windows map[string]*Tracker // by window key: the answers' X-RateLimit-Limit
	groups  map[string]string   // route group → window key
	last    *Tracker            // the window of the latest answer with figures
}

// Group returns the route group of a request path: the segment after the
// version segment ("/v1/instances/inst_1/start" → "instances"), or "" when
// the path has no version segment.
func Group(path string) string {
	// Cut, not Split: this runs on every call, and a slice of segments
	// would be an allocation each time.
	rest := strings.TrimPrefix(path, "/")
	for {
		s, after, more := strings.Cut(rest, "/")
		if !more {
			return ""
		}
		if len(s) >= 2 && s[0] == 'v' && strings.Trim(s[1:], "0123456789") == "" {
			next, _, _ := strings.Cut(after, "/")
			return next
		}
		rest = after
	}
}

// Take is Tracker.Take on the window of group: when the request may go
// (zero wait), took is the window it was counted against (nil when none is
// known yet), to pass to Done.
func (b *Budgets) Take(group string, now time.Time) (took *Tracker, wait time.Duration) {
	b.mu.Lock()
	t := b.windows[b.groups[group]]
	b.mu.Unlock()
	if t == nil {
		return nil, 0
	}
	if wait := t.Take(now); wait > 0 {
		return nil, wait
	}
	return t, 0
}

// Wait is how long Take would hold back a request of group at now: until
// the reset of its window when the figures say nothing is left in it; zero
// otherwise. It takes nothing.
func (b *Budgets) Wait(group string, now time.Time) time.Duration {
	b.mu.Lock()
	t := b.windows[b.groups[group]]
	b.mu.Unlock()
	if t == nil {
		return 0
	}
	return t.Exhausted(now)
}

// Done ends a request of group that Take let through, with its answer
// (nil when it got none): the answer says which window the group counts
// against (its X-RateLimit-Limit), and its figures go to that window.
func (b *Budgets) Done(group string, took *Tracker, a *answer.Answer, now time.Time) {
	if a == nil || a.Window == "" {
		if took != nil {
			took.Done(nil, now)
		}
		return
	}
	key := a.Window
	b.mu.Lock()
	t := b.windows[key]
	if t == nil {
		if len(b.windows) >= maxWindows {
			b.forgetUnused()
		}
		if b.windows == nil {
			b.windows, b.groups = map[string]*Tracker{}, map[string]string{}
		}
		t = new(Tracker)
		b.windows[key] = t
	}
	b.groups[group] = key
	b.last = t
	b.mu.Unlock()

	if took == t {
		t.Done(a, now)
		return
	}
	if took != nil { // the group moved to another window: end it where it was counted
		took.Done(nil, now)
	}
	t.Observe(a, now)
}

// forgetUnused drops the windows no group counts against. Call with b.mu
// held.
func (b *Budgets) forgetUnused() {
	used := map[string]bool{}
	for _, k := range b.groups {
		used[k] = true
	}
	for k, t := range b.windows {
		if !used[k] && t != b.last {
			delete(b.windows, k)
		}
	}
	if len(b.windows) >= maxWindows { // every one in use: start again
		b.windows, b.groups, b.last = map[string]*Tracker{}, map[string]string{}, nil
	}
}

// Snapshot returns the figures of the latest answer that had any: those of
// the window its route counts against. ok is false before any answer had.
func (b *Budgets) Snapshot() (Snapshot, bool) {
	b.mu.Lock()
	t := b.last
	b.mu.Unlock()
	if t == nil {
		return Snapshot{}, false
	}
	return t.Snapshot()
}

// SnapshotOf returns the latest figures of the window group counts
// against; ok is false when no answer of the group had figures yet.
func (b *Budgets) SnapshotOf(group string) (Snapshot, bool) {
	b.mu.Lock()
	t := b.windows[b.groups[group]]
	b.mu.Unlock()
	if t == nil {
		return Snapshot{}, false
	}
	return t.Snapshot()
}
