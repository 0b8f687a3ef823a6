package lambdatest

import (
	"crypto/sha256"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Plan is an account plan of the API documentation, with its hourly request limit and
// its burst.
type Plan string

// The plans of the API documentation's rate-limit table.
const (
	PlanFree         Plan = "free"         // 1,000 requests an hour, burst 50
	PlanProfessional Plan = "professional" // 10,000 requests an hour, burst 200
	PlanEnterprise   Plan = "enterprise"   // 100,000 requests an hour, burst 1,000
)

// Limits returns the plan's requests per hour and its burst: the most
// requests accepted within one second (see WithPlan). ok is false for a plan
// the API documents do not name.
func (p Plan) Limits() (perHour, burst int, ok bool) {
	switch p {
	case PlanFree:
		return 1000, 50, true
	case PlanProfessional:
		return 10000, 200, true
	case PlanEnterprise:
		return 100000, 1000, true
	}
	return 0, 0, false
}

// The workloads documentation's workloads routes have a window of their own.
const (
	// WorkloadsRateLimit is how many requests the workloads routes
	// (/workloads, /deployments) accept per WorkloadsRateWindow.
	WorkloadsRateLimit = 500
	// WorkloadsRateWindow is the window of WorkloadsRateLimit.
	WorkloadsRateWindow = time.Minute
)

// WithPlan enforces the rate limits of a plan of the API documentation, per API key:
//
//   - the plan's hourly limit, as a fixed window of one hour that starts
//     with the key's first request; every route counts against it except
//     the workloads routes;
//   - the workloads routes (GET /workloads, POST /workloads, POST
//     /deployments) count against their own window of 500 requests a
//     minute (the workloads documentation), whatever the plan;
//   - the burst: at most that many requests of the key within one clock
//     second (a fixed window aligned to the second), whatever the route. A
//     request refused for its burst is not counted in its hour or minute.
//
// Each answer's X-RateLimit-Limit, -Remaining and -Reset describe the hour
// or minute window its route counts against, also on a 429 for the burst.
// A 429 has the API documentation's body: "Rate limit exceeded. Retry after N seconds."
// with error.retry_after N, and Retry-After N. GET /account shows the plan
// and GET /account/quota its figures. It panics at NewServer on a plan that
// Limits does not know.
func WithPlan(p Plan) Option {
	return func(c *config) { c.plan, c.enforceRate = p, true }
}

// window is a fixed window of a limit per duration.
type window struct {
	name   string // "plan" or "workloads": the windows of one key
	limit  int
	length time.Duration
}

// rateLimiter counts each API key's requests in the windows of its routes.
type rateLimiter struct {
	mu        sync.Mutex
	plan      window
	workloads window
	burst     int // 0: none
	enforce   bool
	buckets   map[string]*bucket // keyID + "\x00" + window name
	seconds   map[string]*bucket // the burst's one-second windows, per keyID
	// sweepAt is the number of buckets at which the next take forgets the
	// windows that are over: with WithAnyAPIKey, every new key a client
	// makes up starts windows of its own.
	sweepAt int
}

// minSweep is the least sweepAt: below it, sweeping costs more than the
// buckets.
const minSweep = 1024

type bucket struct {
	start time.Time
	count int
}

func (l *rateLimiter) init(cfg config) {
	l.plan = window{name: "plan", limit: cfg.rateLimit, length: cfg.rateWindow}
	l.workloads = window{name: "workloads", limit: WorkloadsRateLimit, length: WorkloadsRateWindow}
	l.enforce = cfg.enforceRate
	if cfg.plan != "" {
		perHour, burst, ok := cfg.plan.Limits()
		if !ok {
			panic(fmt.Sprintf("lambdatest: WithPlan: unknown plan %q", cfg.plan))
		}
		if !cfg.customRate {
			l.plan.limit, l.plan.length = perHour, time.Hour
		}
		l.burst = burst
	}
	l.buckets = map[string]*bucket{}
	l.seconds = map[string]*bucket{}
	l.sweepAt = minSweep
}

// keyID is what the limiter files a key under: a fixed-size digest, so
// that a client sending megabyte keys (any key is accepted under
// WithAnyAPIKey) does not have them kept for an hour.
func keyID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return string(sum[:])
}

// sweepLocked forgets the windows that are over, once the buckets have
// doubled since the last sweep, so that each take costs O(1) amortized.
// Call with l.mu held.
func (l *rateLimiter) sweepLocked(now time.Time) {
	if len(l.buckets)+len(l.seconds) < l.sweepAt {
		return
	}
	for k, b := range l.buckets {
		name := k[sha256.Size+1:] // after the key's digest and its "\x00"
		if length := l.windowNamed(name).length; !now.Before(b.start.Add(length)) {
			delete(l.buckets, k)
		}
	}
	sec := now.Truncate(time.Second)
	for k, b := range l.seconds {
		if !b.start.Equal(sec) {
			delete(l.seconds, k)
		}
	}
	l.sweepAt = max(2*(len(l.buckets)+len(l.seconds)), minSweep)
}

// windowNamed is the window of a bucket's name.
func (l *rateLimiter) windowNamed(name string) window {
	if name == l.workloads.name {
		return l.workloads
	}
	return l.plan
}

// windowOf names the window a request counts against: the workloads
// routes have their own.
func (l *rateLimiter) windowOf(r *http.Request) window {
	if rest, ok := unversioned(r.URL.Path); ok {
		first, _, _ := strings.Cut(rest[1:], "/")
		if first == "workloads" || first == "deployments" {
			return l.workloads
		}
	}
	return l.plan
}

// take counts one request of key, sets the X-RateLimit headers of its
// window, and returns a 429 error when the burst or the window is used up
// (and limits are enforced).
func (l *rateLimiter) take(h http.Header, r *http.Request, key string, now time.Time) *apiError {
	w := l.windowOf(r)
	key = keyID(key)
	l.mu.Lock()
	l.sweepLocked(now)
	if l.enforce && l.burst > 0 {
		sec := now.Truncate(time.Second)
		b := l.seconds[key]
		if b == nil || !b.start.Equal(sec) {
			b = &bucket{start: sec}
			l.seconds[key] = b
		}
		if b.count >= l.burst {
			count, reset := l.peekLocked(key, w, now)
			l.mu.Unlock()
			setRateHeaders(h, w.limit, w.limit-count, reset)
			return rateLimited(sec.Add(time.Second).Sub(now))
		}
		b.count++
	}
	b := l.bucketLocked(key, w, now)
	b.count++
	count, reset := b.count, b.start.Add(w.length)
	l.mu.Unlock()

	setRateHeaders(h, w.limit, w.limit-count, reset)
	if !l.enforce || count <= w.limit {
		return nil
	}
	return rateLimited(reset.Sub(now))
}

// bucketLocked returns key's bucket of w, starting a new window when the
// last one is over. Call with l.mu held.
func (l *rateLimiter) bucketLocked(key string, w window, now time.Time) *bucket {
	k := key + "\x00" + w.name
	b := l.buckets[k]
	if b == nil || !now.Before(b.start.Add(w.length)) {
		b = &bucket{start: now}
		l.buckets[k] = b
	}
	return b
}

// peekLocked returns key's count in w and when w resets, counting nothing.
func (l *rateLimiter) peekLocked(key string, w window, now time.Time) (int, time.Time) {
	b := l.buckets[key+"\x00"+w.name]
	if b == nil || !now.Before(b.start.Add(w.length)) {
		return 0, now.Add(w.length)
	}
	return b.count, b.start.Add(w.length)
}

// rateLimited is the 429 of the API documentation, for a wait of d.
func rateLimited(d time.Duration) *apiError {
	secs := ceilSeconds(d)
	e := errorf(http.StatusTooManyRequests, "Rate limit exceeded. Retry after %d seconds.", secs)
	e.retryAfter = secs
	return e
}

// peek sets the headers for an unauthenticated request, which counts
// against no key.
func (l *rateLimiter) peek(h http.Header, r *http.Request, now time.Time) {
	w := l.windowOf(r)
	setRateHeaders(h, w.limit, w.limit, now.Add(w.length))
}

func setRateHeaders(h http.Header, limit, remaining int, reset time.Time) {
	h.Set("X-RateLimit-Limit", fmt.Sprint(limit))
	h.Set("X-RateLimit-Remaining", fmt.Sprint(max(remaining, 0)))
	// Round up so that a client sleeping until Reset never wakes early.
	h.Set("X-RateLimit-Reset", fmt.Sprint(reset.Add(time.Second-1).Unix()))
}

// ceilSeconds is d in whole seconds, rounded up, at least 1.
func ceilSeconds(d time.Duration) int {
	return max(int((d+time.Second-1)/time.Second), 1)
}
