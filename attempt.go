package lambda

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// DefaultAttemptTimeout bounds each attempt of a call unless
// WithAttemptTimeout says otherwise. Load balancers in front of an API
// (the API's own, or a proxy on the way) give up on a request after about
// 60 s and answer 504; an attempt that has heard nothing for 80 s is
// therefore talking to a dead connection, not a slow server, and a retry
// on a new connection is the only way forward. stripe-go chose 80 s for
// the same reason.
const DefaultAttemptTimeout = 80 * time.Second

// ErrAttemptTimeout is matched by the error of a call whose last attempt
// was abandoned by WithAttemptTimeout. That error also matches
// ErrUnavailable (the API never answered) and os.ErrDeadlineExceeded, but
// never context.DeadlineExceeded: that one says the caller's own context
// ended.
var ErrAttemptTimeout = errors.New("lambda: attempt timed out")

// WithAttemptTimeout bounds each attempt of a call, so that a server, a
// proxy or a half-open connection that accepts a request and then says
// nothing cannot stall a caller whose context has no deadline. Default
// DefaultAttemptTimeout; 0 turns the bound off. Negative is an error.
//
// The bound is on silence, not on the whole attempt: connecting, sending
// the request and receiving the response headers must take less than d,
// and then the body may take as long as it needs, as long as no read
// waits d for its next bytes. A large answer is thus never cut short
// while bytes keep flowing.
//
// An abandoned attempt counts as a failure without an answer: it is
// retried wherever a connection failure is (safe methods and POSTs, which
// always carry an Idempotency-Key; never PATCH), and after the last
// attempt the call returns an error matching ErrUnavailable and
// ErrAttemptTimeout that says which bound fired. With context.Background()
// a call thus ends within (MaxRetries+1)·d plus the waits between
// attempts. The bound never extends the caller's context: when the
// context ends first, the call returns the context's error; an attempt
// that starts with the context's deadline nearer than d is bounded by
// that deadline alone, and pays nothing for the bound. Waits for the
// rate-limit budget or a WithRateLimiter limiter are not part of an
// attempt; the metrics stream's handshake is.
func WithAttemptTimeout(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("lambda: WithAttemptTimeout: %v is negative", d)
		}
		if c.call != nil {
			c.call.attemptTimeout, c.call.timeoutSet = d, true
			return nil
		}
		c.attemptTimeout = d
		return nil
	}
}

// attemptTimeoutError is why an attempt was abandoned.
type attemptTimeoutError struct {
	body    bool // the body fell silent; else no response headers came
	timeout time.Duration
}

func (e *attemptTimeoutError) Error() string { return "lambda: " + e.reason() }

func (e *attemptTimeoutError) reason() string {
	if e.body {
		return fmt.Sprintf("attempt timeout: the response body was silent for %v", e.timeout)
	}
	return fmt.Sprintf("attempt timeout: no response headers within %v", e.timeout)
}

// Timeout makes the error a timeout to net.Error checks.
func (e *attemptTimeoutError) Timeout() bool { return true }

// Is matches ErrAttemptTimeout.
func (e *attemptTimeoutError) Is(target error) bool { return target == ErrAttemptTimeout }

// Unwrap gives the error of an expired I/O deadline, not a context's: the
// retry policy stops on context errors, and the caller's context is fine.
func (e *attemptTimeoutError) Unwrap() error { return os.ErrDeadlineExceeded }
