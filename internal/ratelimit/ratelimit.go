// Package ratelimit keeps the rate-limit figures the Lambda API reports on
// every response, so a client can show them and avoid sending requests that
// can only be refused.
package ratelimit

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// The header names in canonical form, so lookups need no allocation.
const (
	headerLimit     = "X-Ratelimit-Limit"
	headerRemaining = "X-Ratelimit-Remaining"
	headerReset     = "X-Ratelimit-Reset"
)

// Snapshot is what one response said about the caller's rate limit.
type Snapshot struct {
	Limit     int       // requests allowed in the window
	Remaining int       // requests left in the window
	Reset     time.Time // when the window starts again
}

// Parse reads the X-RateLimit-* headers. ok is false when the response
// carried none of them or they do not parse.
func Parse(h http.Header) (s Snapshot, ok bool) {
	limit, okL := headerInt(h, headerLimit)
	remaining, okR := headerInt(h, headerRemaining)
	reset, okT := headerInt(h, headerReset)
	if !okL && !okR && !okT {
		return Snapshot{}, false
	}
	s = Snapshot{Limit: limit, Remaining: remaining}
	if okT && reset > 0 {
		s.Reset = time.Unix(int64(reset), 0)
	}
	if !okR {
		s.Remaining = -1 // unknown: never treat a missing figure as "none left"
	}
	return s, true
}

// ParseReset reads X-RateLimit-Reset alone.
func ParseReset(h http.Header) (time.Time, bool) {
	v, ok := headerInt(h, headerReset)
	if !ok || v <= 0 {
		return time.Time{}, false
	}
	return time.Unix(int64(v), 0), true
}

func headerInt(h http.Header, key string) (int, bool) {
	vs := h[key]
	if len(vs) == 0 {
		return 0, false
	}
	n, err := strconv.Atoi(vs[0])
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}

// maxReset is the furthest reset believed, as for a Retry-After.
const maxReset = 366 * 24 * time.Hour

// Tracker holds the latest figures seen, and spends the requests they say
// are left as calls are sent, so that concurrent calls do not all go out
// on the strength of one figure. It is safe for concurrent use.
type Tracker struct {
	mu   sync.Mutex
	last Snapshot
	seen bool
	// resetLocal is last.Reset on this machine's clock: the reset measured
	// from the response's Date header, so a skewed local clock cannot turn
	// a one-second pause into an hour of refused calls. It is worked out
	// only when the budget runs out (resetDone), from date and observedAt:
	// parsing a date on every response would tax every call.
	resetLocal time.Time
	resetDone  bool
	date       string
	observedAt time.Time
	inflight   int  // requests let through by Take and not yet Done
	left       int  // requests left in the window, less those in flight
	known      bool // left is known: a figure came, and its window has not reset
}

// Observe records the figures of a response received at now, if it has
// any. Requests still in flight may not be counted in them yet, so they are
// taken off what is left: the server counts requests as they arrive, not in
// the order they were sent, so none of them can be assumed counted.
func (t *Tracker) Observe(h http.Header, now time.Time) {
	s, ok := Parse(h)
	if !ok {
		return
	}
	date := dateOf(h)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.record(s, date, now)
}

// Done ends a request Take let through, with the figures of its answer
// when there is one (h nil: the attempt got no answer).
func (t *Tracker) Done(h http.Header, now time.Time) {
	s, ok := Parse(h)
	date := dateOf(h)
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inflight--
	if ok {
		t.record(s, date, now)
	}
}

// record keeps the figures of an answer. Call with t.mu held.
func (t *Tracker) record(s Snapshot, date string, now time.Time) {
	t.last, t.seen = s, true
	t.date, t.observedAt, t.resetDone = date, now, false
	t.known = s.Remaining >= 0
	t.left = s.Remaining - t.inflight
}

// ServerNow is the time the response says it was sent (its Date header),
// or now when it has none. Absolute times the server sends (reset times,
// Retry-After dates) are measured against it.
func ServerNow(h http.Header, now time.Time) time.Time {
	return serverTime(dateOf(h), now)
}

// dateOf returns the Date header's value, or "".
func dateOf(h http.Header) string {
	if vs := h["Date"]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// serverTime parses a Date header value, or gives now when it does not parse.
func serverTime(date string, now time.Time) time.Time {
	if t, err := http.ParseTime(date); date != "" && err == nil {
		return t
	}
	return now
}

// Snapshot returns the latest figures; ok is false before any were seen.
func (t *Tracker) Snapshot() (Snapshot, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.seen
}

// Exhausted reports how long until the window resets when no requests are
// left in it; zero when a request may be sent now.
func (t *Tracker) Exhausted(now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.exhaustedLocked(now)
}

// Take is Exhausted for a request about to be sent: when it may go (zero
// wait), it is counted against what is left, and in flight until Done.
func (t *Tracker) Take(now time.Time) (wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if d := t.exhaustedLocked(now); d > 0 {
		return d
	}
	t.inflight++
	t.left--
	return 0
}

func (t *Tracker) exhaustedLocked(now time.Time) time.Duration {
	if !t.known || t.left > 0 || t.reset().IsZero() {
		return 0
	}
	if d := t.resetLocal.Sub(now); d > 0 {
		return d
	}
	t.known = false // a new window: nothing is known of it until an answer says
	return 0
}

// reset works out resetLocal, once per observed answer. Call with t.mu held.
func (t *Tracker) reset() time.Time {
	if t.resetDone {
		return t.resetLocal
	}
	t.resetDone, t.resetLocal = true, time.Time{}
	if t.last.Reset.IsZero() {
		return t.resetLocal
	}
	local := t.observedAt.Add(t.last.Reset.Sub(serverTime(t.date, t.observedAt)))
	if local.Sub(t.observedAt) <= maxReset { // past that, garbage: never refuse calls for years on its word
		t.resetLocal = local
	}
	return t.resetLocal
}
