// Package answer reads the headers of one answer of the Lambda API, once,
// where the answer arrives (the client's rate-limit layer), into an Answer
// that every part above uses: the request ID for errors, logs and
// ResponseInfo; the X-RateLimit-* figures for the budgets and the 429 wait;
// the Date for measuring the server's absolute times; Retry-After.
package answer

import (
	"net/http"
	"strconv"
	"time"
)

// The header names in canonical form, so lookups need no allocation.
const (
	headerRequestID  = "X-Request-Id"
	headerLimit      = "X-Ratelimit-Limit"
	headerRemaining  = "X-Ratelimit-Remaining"
	headerReset      = "X-Ratelimit-Reset"
	headerDate       = "Date"
	headerRetryAfter = "Retry-After"
)

// RateLimit is what one answer said about the caller's rate limit.
type RateLimit struct {
	Limit     int       // requests allowed in the window
	Remaining int       // requests left in the window; -1 when not reported
	Reset     time.Time // when the window starts again; zero when not reported
}

// Answer is what the headers of one answer say. Its zero value is an
// answer without any of them.
type Answer struct {
	RequestID  string    // X-Request-Id
	RateLimit  RateLimit // the X-RateLimit-* figures, when HasRateLimit
	Window     string    // X-RateLimit-Limit as sent: it names the window the route counts against
	Date       string    // the Date header: the server's clock, read as a time only when needed
	RetryAfter string    // Retry-After as sent, read as a wait only when needed

	HasRateLimit bool // the answer carried X-RateLimit-* figures that parse
}

// Read reads h once. A missing or malformed figure is left out, never
// guessed: a missing X-RateLimit-Remaining is -1, not "none left".
func Read(h http.Header) Answer {
	a := Answer{
		RequestID:  first(h, headerRequestID),
		Date:       first(h, headerDate),
		RetryAfter: first(h, headerRetryAfter),
	}
	limitText := first(h, headerLimit)
	limit, okL := atoi(limitText)
	remaining, okR := atoi(first(h, headerRemaining))
	reset, okT := atoi(first(h, headerReset))
	if okL {
		a.Window = limitText
	}
	if !okL && !okR && !okT {
		return a
	}
	a.HasRateLimit = true
	a.RateLimit = RateLimit{Limit: limit, Remaining: remaining}
	if okT && reset > 0 {
		a.RateLimit.Reset = time.Unix(int64(reset), 0)
	}
	if !okR {
		a.RateLimit.Remaining = -1
	}
	return a
}

// ServerNow is the time the answer says it was sent (its Date header), or
// now when it has none that parses. Absolute times the server sends (reset
// times, Retry-After dates) are measured against it, so that a skewed local
// clock cannot stretch or cut a wait.
func (a *Answer) ServerNow(now time.Time) time.Time { return ServerTime(a.Date, now) }

// ServerTime reads a Date header's value, kept from an answer, as
// Answer.ServerNow does: now when it is empty or does not parse.
func ServerTime(date string, now time.Time) time.Time {
	if date == "" {
		return now
	}
	if t, err := http.ParseTime(date); err == nil {
		return t
	}
	return now
}

func first(h http.Header, key string) string {
	if vs := h[key]; len(vs) > 0 {
		return vs[0]
	}
	return ""
}

// atoi reads a non-negative decimal figure.
func atoi(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, false
	}
	return n, true
}
