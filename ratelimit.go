package lambda

import (
	"errors"
	"time"

	"golang.org/x/time/rate"
)

// WithRateLimiter makes the client wait for l before every attempt it
// sends, retries included: for callers who know their plan's rate (Free:
// 1,000/h with bursts of 50; Professional: 10,000/h, 200; Enterprise:
// 100,000/h, 1,000) and would rather queue than be refused. Share one
// limiter between clients that share a key. A wait that would outlast the
// call's context is not started: the call fails at once, unsent, with an
// *Error matching ErrRateLimited whose RetryAfter is the limiter's wait; so
// does every call through a limiter that allows none (a limit or burst of
// 0), which would otherwise fail or wait for ever.
func WithRateLimiter(l *rate.Limiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("lambda: WithRateLimiter: the limiter is nil")
		}
		c.limiter = l
		return nil
	}
}

// RateLimit returns the rate-limit figures of the latest response that had
// them; ok is false before any response did. Those figures describe the
// window that response's route counts against: the platform counts the
// workloads routes against 500 requests a minute and the others against
// the plan's hour. The client keeps one budget per window, learned from
// the answers (each group of routes, "instances" or "workloads", counts
// against the window its answers' X-RateLimit-Limit names), so a spent
// window holds back only the calls that count against it.
func (c *Client) RateLimit() (rl RateLimit, ok bool) {
	if c == nil {
		return RateLimit{}, false
	}
	s, ok := c.limits.Snapshot()
	return RateLimit(s), ok
}

// RateLimit is what the API said about the caller's request budget.
type RateLimit struct {
	Limit     int       // requests allowed per window
	Remaining int       // requests left in this window; -1 when not reported
	Reset     time.Time // when the window starts again
}
