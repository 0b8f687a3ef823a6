// Package ratelimit keeps the rate-limit figures the Lambda API reports on
// every response, so a client can show them and avoid sending requests that
// can only be refused.
package ratelimit

import (
	"sync"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
)

// Snapshot is what one answer said about the caller's rate limit.
type Snapshot = answer.RateLimit

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
	overlapped int  // of those, the ones in flight when the last figure came: their answers may be older
	left       int  // requests left in the window, less those in flight
	known      bool // left is known: a figure came, and its window has not reset
}

// Observe records the figures of an answer received at now, if it has
// any. Requests still in flight may not be counted in them yet, so they are
// taken off what is left: the server counts requests as they arrive, not in
// the order they were sent, so none of them can be assumed counted.
func (t *Tracker) Observe(a *answer.Answer, now time.Time) {
	if a == nil || !a.HasRateLimit {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.record(a.RateLimit, a.Date, now, t.overlapped > 0)
}

// Done ends a request Take let through, with its answer when there is one
// (nil: the attempt got no answer).
func (t *Tracker) Done(a *answer.Answer, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.inflight--
	older := t.overlapped > 0
	if older {
		t.overlapped--
	}
	if a != nil && a.HasRateLimit {
		t.record(a.RateLimit, a.Date, now, older)
	}
}

// record keeps the figures of an answer. Call with t.mu held.
func (t *Tracker) record(s Snapshot, date string, now time.Time, older bool) {
	// Answers are handled in no particular order: one to a request that
	// was in flight when the last figure came may be older than it. Within
	// one window (the same reset) the server's count only falls, so such an
	// answer cannot raise the figure.
	if older && t.seen && !s.Reset.IsZero() && s.Reset.Equal(t.last.Reset) && s.Limit == t.last.Limit &&
		t.last.Remaining >= 0 && s.Remaining > t.last.Remaining {
		s.Remaining = t.last.Remaining
	}
	t.last, t.seen = s, true
	t.date, t.observedAt, t.resetDone = date, now, false
	t.known = s.Remaining >= 0
	t.left = s.Remaining - t.inflight
	t.overlapped = t.inflight
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
	local := t.observedAt.Add(t.last.Reset.Sub(answer.ServerTime(t.date, t.observedAt)))
	if local.Sub(t.observedAt) <= maxReset { // past that, garbage: never refuse calls for years on its word
		t.resetLocal = local
	}
	return t.resetLocal
}
