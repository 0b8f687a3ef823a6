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

// Tracker holds the latest figures seen. It is safe for concurrent use.
type Tracker struct {
	mu   sync.Mutex
	last Snapshot
	seen bool
	// resetLocal is last.Reset on this machine's clock: the reset measured
	// from the response's Date header, so a skewed local clock cannot turn
	// a one-second pause into an hour of refused calls.
	resetLocal time.Time
}

// Observe records the figures of a response received at now, if it has any.
func (t *Tracker) Observe(h http.Header, now time.Time) {
	s, ok := Parse(h)
	if !ok {
		return
	}
	resetLocal := s.Reset
	if s.Remaining == 0 && !s.Reset.IsZero() {
		resetLocal = now.Add(s.Reset.Sub(ServerNow(h, now)))
		if resetLocal.Sub(now) > maxReset {
			resetLocal = time.Time{} // garbage: never refuse calls for years on its word
		}
	}
	t.mu.Lock()
	t.last, t.seen, t.resetLocal = s, true, resetLocal
	t.mu.Unlock()
}

// ServerNow is the time the response says it was sent (its Date header),
// or now when it has none. Absolute times the server sends (reset times,
// Retry-After dates) are measured against it.
func ServerNow(h http.Header, now time.Time) time.Time {
	if vs := h["Date"]; len(vs) > 0 {
		if t, err := http.ParseTime(vs[0]); err == nil {
			return t
		}
	}
	return now
}

// Snapshot returns the latest figures; ok is false before any were seen.
func (t *Tracker) Snapshot() (Snapshot, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.last, t.seen
}

// Exhausted reports how long until the window resets when the last response
// said no requests are left; zero when a request may be sent now.
func (t *Tracker) Exhausted(now time.Time) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.seen || t.last.Remaining != 0 || t.resetLocal.IsZero() {
		return 0
	}
	if d := t.resetLocal.Sub(now); d > 0 {
		return d
	}
	return 0
}
