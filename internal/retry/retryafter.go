package retry

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
	"github.com/lambda/lambda-go/internal/envelope"
)

// maxHint is the longest wait a server may ask for, as envelope.Seconds
// allows for a figure of seconds; a date or reset further away is garbage.
const maxHint = 366 * 24 * time.Hour

// ParseRetryAfter reads a Retry-After value: whole (or decimal) seconds, or
// an HTTP date. A date in the past means "now". Garbage, and a date more
// than a year away, is not ok.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if strings.ContainsAny(v, "eExXpP") { // no exponents, hex or infinities: not a delay-seconds
			return 0, false
		}
		return envelope.Seconds(s)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return until(t, now)
}

// until is the wait from now to t: zero when t is past, not ok when t is
// more than maxHint away.
func until(t, now time.Time) (time.Duration, bool) {
	d := t.Sub(now)
	switch {
	case d > maxHint:
		return 0, false
	case d > 0:
		return d, true
	}
	return 0, true
}

// RateLimitWait is how long a 429 asks the client to wait, from the first
// of: the Retry-After header, error.retry_after in the body, the
// X-RateLimit-Reset header. ok is false when none says.
func RateLimitWait(a *answer.Answer, body []byte, now time.Time) (time.Duration, bool) {
	now = a.ServerNow(now) // absolute times are the server's
	if d, ok := ParseRetryAfter(a.RetryAfter, now); ok {
		return d, true
	}
	if d, ok := envelope.RetryAfter(body); ok {
		return d, true
	}
	if reset := a.RateLimit.Reset; !reset.IsZero() {
		return until(reset, now)
	}
	return 0, false
}
