package lambdatest

import (
	"crypto/subtle"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"
)

// authenticator holds the accepted API keys: the configured ones and those
// created through POST /account/api-keys.
type authenticator struct {
	mu      sync.RWMutex
	keys    []string
	created map[string]bool // secrets of keys created through the API
	any     bool            // WithAnyAPIKey: every non-empty key is accepted
}

func (a *authenticator) set(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append([]string(nil), keys...)
}

func (a *authenticator) addCreated(secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.created == nil {
		a.created = map[string]bool{}
	}
	a.created[secret] = true
}

func (a *authenticator) removeCreated(secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.created, secret)
}

// check returns the key the request authenticates with, from
// "Authorization: Bearer <key>" or "X-API-Key: <key>". Bytes are compared
// exactly: a client that re-encodes a non-ASCII key fails here.
func (a *authenticator) check(r *http.Request) (string, bool) {
	var candidates []string
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		candidates = append(candidates, h[7:])
	}
	if h := r.Header.Get("X-API-Key"); h != "" {
		candidates = append(candidates, h)
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, cand := range candidates {
		if a.any && strings.TrimSpace(cand) != "" {
			return cand, true
		}
		for _, k := range a.keys {
			if k != "" && subtle.ConstantTimeCompare([]byte(cand), []byte(k)) == 1 {
				return k, true
			}
		}
		if a.created[cand] {
			return cand, true
		}
	}
	return "", false
}

// SetAPIKeys replaces the accepted API keys while the server runs, for
// token-rotation tests. Keys created through the API stay valid.
func (s *Server) SetAPIKeys(keys ...string) { s.auth.set(keys) }

// rateLimiter is a fixed window per API key.
type rateLimiter struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	enforce bool
	buckets map[string]*bucket
}

type bucket struct {
	start time.Time
	count int
}

func (l *rateLimiter) init(cfg config) {
	l.limit, l.window, l.enforce = cfg.rateLimit, cfg.rateWindow, cfg.enforceRate
	l.buckets = map[string]*bucket{}
}

// take counts one request of key, sets the X-RateLimit headers, and returns
// a 429 error when the window is used up (and limits are enforced).
func (l *rateLimiter) take(h http.Header, key string, now time.Time) *apiError {
	l.mu.Lock()
	b := l.buckets[key]
	if b == nil || !now.Before(b.start.Add(l.window)) {
		b = &bucket{start: now}
		l.buckets[key] = b
	}
	b.count++
	count, reset := b.count, b.start.Add(l.window)
	l.mu.Unlock()

	setRateHeaders(h, l.limit, l.limit-count, reset)
	if !l.enforce || count <= l.limit {
		return nil
	}
	e := errorf(http.StatusTooManyRequests, "rate limit of %d requests per %s exceeded", l.limit, l.window)
	e.retryAfter = ceilSeconds(reset.Sub(now))
	return e
}

// peek sets the headers for an unauthenticated request, which counts
// against no key.
func (l *rateLimiter) peek(h http.Header, now time.Time) {
	setRateHeaders(h, l.limit, l.limit, now.Add(l.window))
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
