package lambda

import (
	"github.com/lambda/lambda-go/internal/retry"

	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync/atomic"
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
// context ends first, the call returns the context's error. Waits for the
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

// attemptTransport abandons an attempt that falls silent for longer than
// timeout: it cancels a context of the attempt's own, derived from the
// request's, so the caller's context is never extended.
type attemptTransport struct {
	base    http.RoundTripper
	timeout time.Duration
}

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	timeout := t.timeout
	if c := retry.FromContext(req.Context()); c != nil && c.AttemptTimeoutSet {
		timeout = c.AttemptTimeout // WithAttemptTimeout given to the call
	}
	if timeout <= 0 {
		return t.base.RoundTrip(req)
	}
	ctx, cancel := context.WithCancel(req.Context())
	a := &attempt{parent: req.Context(), cancel: cancel, timeout: timeout, start: time.Now()}
	a.timer = time.AfterFunc(timeout, a.expire)
	resp, err := t.base.RoundTrip(req.WithContext(ctx))
	if err != nil {
		a.stop()
		return nil, a.explain(err)
	}
	if resp.StatusCode == http.StatusSwitchingProtocols {
		// A WebSocket: its body is the connection, which the stream
		// watches for silence itself; ending the context no longer
		// touches the connection.
		a.stop()
		return resp, nil
	}
	a.touch()
	a.inBody.Store(true)
	a.body = resp.Body
	resp.Body = a
	return resp, nil
}

// attempt is the state of one attempt's timer, and the response body
// whose reads keep the attempt alive.
type attempt struct {
	body    io.ReadCloser
	parent  context.Context
	cancel  context.CancelFunc
	timeout time.Duration
	timer   *time.Timer
	start   time.Time    // for monotonic readings of last
	last    atomic.Int64 // when bytes last came, as time since start
	inBody  atomic.Bool  // the headers came: the bound is now on silence
	expired atomic.Bool
}

// expire runs when the timer fires. In the body it re-arms the timer for
// what is left of the bound since the last bytes came, so that reads need
// not reset it.
func (a *attempt) expire() {
	if a.inBody.Load() {
		quiet := time.Since(a.start) - time.Duration(a.last.Load())
		if quiet < a.timeout {
			a.timer.Reset(a.timeout - quiet)
			return
		}
	}
	a.expired.Store(true)
	a.cancel()
}

func (a *attempt) touch() { a.last.Store(int64(time.Since(a.start))) }

func (a *attempt) stop() {
	a.timer.Stop()
	a.cancel()
}

// explain replaces the error of an abandoned attempt (a cancelled
// context, as net/http sees it) with the reason, unless the caller's own
// context ended: that error is the caller's.
func (a *attempt) explain(err error) error {
	if err == nil || !a.expired.Load() || a.parent.Err() != nil {
		return err
	}
	return &attemptTimeoutError{body: a.inBody.Load(), timeout: a.timeout}
}

func (a *attempt) Read(p []byte) (int, error) {
	n, err := a.body.Read(p)
	if n > 0 {
		a.touch()
	}
	if err == io.EOF {
		a.timer.Stop() // the connection is back in the pool: nothing to bound
	}
	return n, a.explain(err)
}

func (a *attempt) Close() error {
	err := a.body.Close()
	a.stop()
	return err
}
