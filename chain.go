package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go/internal/answer"
	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/ratelimit"
	"github.com/lambda/lambda-go/internal/retry"
)

// How a call travels. Every service method is a few lines over get, send,
// del or list (request.go), which call Client.do. From there a request
// meets, outermost first, the layers newChain lays out below; each does one
// thing, and the answer comes back up through the same layers in reverse.
//
//  1. Client.do (request.go) builds the request once: the path checked, the
//     body encoded, the fixed headers and a POST's Idempotency-Key set. It
//     puts the call's state (*retry.Call: the attempt number, the retries
//     so far, the secrets the body carries, the latest answer's headers)
//     in the request's context, the one way go-retryablehttp lets its hooks
//     and the layers below see it.
//  2. The retry loop: go-retryablehttp, through its hooks. RequestLogHook
//     numbers each attempt; CheckRetry is the retry policy (internal/retry),
//     which decides, computes the wait from the answer or the backoff, and
//     sleeps it (waking on cancel); Backoff is zero because of that; the
//     response handler reads the body inside the loop, so a connection cut
//     mid-body is retried like any other.
//  3. The middleware (WithMiddleware), once per attempt, around all below.
//  4. The http.Client: the caller's own (WithHTTPClient), copied, with
//     checkRedirect, which follows redirects only within the API's origin.
//  5. The credential (internal/auth): put on a copy of each request bound
//     for the API's origin, never on another; an OAuth token refused with a
//     401 is renewed and the request sent again, within the attempt.
//  6. The debug dump (WithDebugWriter), redacted: what goes over the wire.
//  7. The rate-limit layer (budgetTransport): waits for the budget of the
//     route's window, then reads each answer's headers once (internal/answer)
//     for the budgets and for the call's state.
//  8. The client-side limiter (WithRateLimiter).
//  9. The attempt's bound (WithAttemptTimeout): ends an attempt the server
//     has left silent; innermost, so that the waits above are not counted.
//     Not armed when the caller's deadline comes first. It also holds the
//     answer of the transport below to net/http's contract (send).
//  10. net/http's Transport: the connection pool.
//
// Layers 7 to 9 are defined below, in that order; the others live with
// their concern (request.go, internal/retry, middleware.go, transport.go,
// internal/auth, debug.go).
//
// The answer then goes back up: the attempt's body is read by the handler
// of layer 2, Client.do decodes it (internal/envelope) into the caller's
// value or a *Error, and Client.failed types an error no answer came with.
// A layer below the retry loop returns only its own errors (a budget
// refusal, an auth.Error, a middlewareError, a limiter's, the attempt's
// bound's, errBrokenTransport); Client.failed (and, for the metrics
// stream, its dial) is the one place they become the caller's, through
// refusal (transport.go). The one *Error made below the loop is
// checkRedirect's, for a redirect not followed: net/http wraps it in a
// url.Error that quotes the Location, and refusal takes it out.

// newChain builds the layers of every call, top to bottom as listed above,
// for a client configured by cfg.
func (c *Client) newChain(cfg *config) {
	// 10 → 4: the transports, innermost first. Never modify the caller's
	// http.Client: wrap a copy.
	hc := *cfg.httpClient
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	// Always there, since one call may set a timeout the client does not have.
	rt = &attemptTransport{base: rt, timeout: cfg.attemptTimeout} // 9
	if cfg.limiter != nil {
		rt = &limiterTransport{base: rt, limiter: cfg.limiter} // 8
	}
	rt = &budgetTransport{base: rt, limits: &c.limits, api: c.baseURL, maxWait: cfg.maxRetryWait} // 7
	if cfg.debugWriter != nil {
		// 6: below the credential, so it shows what is sent, redacted.
		rt = &debugTransport{base: rt, w: cfg.debugWriter, client: c}
	}
	hc.Transport = auth.NewTransport(rt, c.credential, c.baseURL)                        // 5
	hc.CheckRedirect = checkRedirect(c.baseURL, "the API", cfg.httpClient.CheckRedirect) // 4
	// The metrics stream dials on this client: layers 4 to 10, no retry loop.
	c.httpClient = &hc

	// 3 and 2.
	c.policy = &retry.Policy{
		MaxRetries:   cfg.maxRetries,
		MaxWait:      cfg.maxRetryWait,
		BaseDelay:    cfg.backoffMin,
		MaxDelay:     cfg.backoffMax,
		Logger:       c.logger,
		NonRetryable: nonRetryable,
		Held:         c.limits.Wait,
	}
	c.http = &retryablehttp.Client{HTTPClient: withMiddleware(c.httpClient, cfg.middleware)}
	c.policy.Install(c.http)
}

// 7. The rate-limit layer.

// budgetRefusal is awaitBudget's answer when the request cannot wait for
// the window to reset: the request was not sent. The layer above the
// transports (Client.failed, or the metrics stream's dial) turns it into
// the rate-limit *Error callers see; transports return no public errors.
type budgetRefusal struct{ wait time.Duration }

func (r *budgetRefusal) Error() string {
	return fmt.Sprintf("no requests left until the rate-limit window resets in %v (not sent)", r.wait)
}

// awaitBudget holds back a request while the API's figures say no requests
// are left until a reset (the last answer said so, or the requests sent
// since have used up what it said was left): such a request could only get
// a 429. It waits for the reset, spread a little (retry.SpreadWithin) so that
// every goroutine held back does not hit the API in the same instant, when
// that fits in the longest allowed wait and the context's deadline;
// otherwise it fails fast with a *budgetRefusal that carries the wait. It
// looks again after each wait: the calls woken before it may have used up
// the new window already. Only the budget of the window that group counts
// against is looked at. A nil error means the request is in flight: end it
// with limits.Done and the window it was taken from.
func (t *budgetTransport) awaitBudget(ctx context.Context, group string) (*ratelimit.Tracker, error) {
	for {
		took, wait := t.limits.Take(group, time.Now())
		if wait <= 0 {
			return took, nil
		}
		if wait > t.maxWait {
			return nil, &budgetRefusal{wait: wait}
		}
		spread := retry.SpreadWithin(wait, t.maxWait)
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(spread).After(deadline) {
			return nil, &budgetRefusal{wait: wait}
		}
		if err := retry.Sleep(ctx, spread); err != nil {
			return nil, err
		}
	}
}

// budgetTransport is the rate-limit layer. It puts every attempt, retries
// and redirects included, through awaitBudget, and reads the headers of
// every answer once (answer.Read): their rate-limit figures go at once to
// the budgets, less the requests still in flight, and the whole reading to
// the call's state, for the retry policy, errors, logs and ResponseInfo.
// Without the budgets, goroutines sleeping out a 429 came back after the
// reset all together although the answers to the first of them had
// already said the new window was used up again: a herd, refused anew in
// every window.
type budgetTransport struct {
	base    http.RoundTripper
	limits  *ratelimit.Budgets // the client's: Client.RateLimit reads them
	api     *url.URL           // only the answers of the API's origin count
	maxWait time.Duration      // the longest wait for a reset (WithMaxRetryWait)
}

func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	group := ratelimit.Group(req.URL.Path)
	call := retry.FromContext(req.Context())
	if call != nil {
		call.Group = group // for the retry policy, which asks the budget before a retry
	}
	took, err := t.awaitBudget(req.Context(), group)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	var figures *answer.Answer // nil: no answer, or not the API's
	// Deferred, so that a panic below (the caller's transport) ends the
	// request too: it is no longer in flight.
	defer func() { t.limits.Done(group, took, figures, time.Now()) }()
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		a := answer.Read(resp.Header)
		if call != nil {
			call.Record(resp, a)
		}
		if sameOrigin(t.api, req.URL) { // only the API's own figures count
			figures = &a
		}
	}
	return resp, err
}

// 8. The client-side limiter.

// limiterTransport waits for the client-side limiter before each attempt.
type limiterTransport struct {
	base    http.RoundTripper
	limiter *rate.Limiter
}

// errLimiter wraps a failed client-side limiter wait; it is not retried.
var errLimiter = errors.New("client-side rate limiter")

// limiterRefusal is limiterTransport's answer when its limiter cannot let
// the request go in time: the wait would outlast the context's deadline,
// or never ends (never set). The request was not sent. As a budgetRefusal,
// refusal makes it the caller's rate-limit *Error.
type limiterRefusal struct {
	wait  time.Duration // how long the limiter would have held the request
	never bool          // a limit or burst of 0: no request can ever go
	err   error         // the limiter's own error, if it gave one
}

func (r *limiterRefusal) Error() string {
	if r.never {
		return "the client-side rate limiter (WithRateLimiter) allows no request: its limit or burst is 0 (not sent)"
	}
	return "the client-side rate limiter (WithRateLimiter) allows no request before the context's deadline (not sent)"
}

func (r *limiterRefusal) Unwrap() []error { return []error{errLimiter, r.err} }

func (t *limiterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.wait(req.Context()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.base.RoundTrip(req)
}

// wait is the limiter's Wait, with its refusals typed: rate.Limiter
// refuses a wait past the deadline without saying how long it would be,
// refuses every wait when its burst is 0, and with a limit of 0 and no
// token left sleeps until the context ends, for ever without a deadline.
func (t *limiterTransport) wait(ctx context.Context) error {
	l := t.limiter
	if limit := l.Limit(); limit != rate.Inf && (l.Burst() < 1 || limit <= 0 && l.Tokens() < 1) {
		return &limiterRefusal{never: true}
	}
	err := l.Wait(ctx)
	if err == nil {
		return nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return ctxErr
	}
	r := &limiterRefusal{err: err}
	if missing := 1 - l.Tokens(); missing > 0 && l.Limit() > 0 {
		r.wait = time.Duration(missing / float64(l.Limit()) * float64(time.Second))
	}
	return r
}

// 9. The attempt's bound.

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
		return t.send(req)
	}
	start := time.Now()
	if deadline, ok := req.Context().Deadline(); ok && !deadline.After(start.Add(timeout)) {
		// The caller's deadline ends the attempt before the bound could
		// fire, in every phase (the bound on the body runs from the last
		// bytes, later still), and the call then returns the context's
		// error either way: arming the bound would only cost.
		return t.send(req)
	}
	ctx, cancel := context.WithCancel(req.Context())
	a := &attempt{parent: req.Context(), cancel: cancel, timeout: timeout, start: start}
	a.req = *req.WithContext(ctx) // in the attempt's allocation: one fewer per call
	a.timer = time.AfterFunc(timeout, a.expire)
	resp, err := t.send(&a.req)
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

// errBrokenTransport is a transport's answer that net/http's contract for
// a RoundTripper rules out. It is not retried: the transport is the
// caller's own code (WithHTTPClient), and it would answer the same again.
var errBrokenTransport = errors.New("the HTTP client's transport broke the http.RoundTripper contract")

// send sends req on the transport below the SDK, the caller's own with
// WithHTTPClient, and holds its answer to what net/http's Client asks of
// a transport. Stubs in tests often do not: they answer a nil Body for an
// empty one, which counts as empty here as net/http's Client counts it
// (the layers above read the body before the Client would fill it in),
// and a response beside an error is closed, as net/http ignores it.
func (t *attemptTransport) send(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	switch {
	case err != nil:
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, err
	case resp == nil:
		return nil, fmt.Errorf("%w: %T returned neither a response nor an error", errBrokenTransport, t.base)
	case !emptyBodyIfNone(resp):
		return nil, fmt.Errorf("%w: %T returned a response with content length %d but no body", errBrokenTransport, t.base, resp.ContentLength)
	}
	return resp, nil
}

// emptyBodyIfNone gives a response without a body the empty one net/http's
// Client gives a transport's (so that every layer can read and close it),
// and reports false when its ContentLength promises bytes it lacks. A
// transport's answers and a middleware's meet the same rule.
func emptyBodyIfNone(resp *http.Response) bool {
	if resp.Body == nil {
		if resp.ContentLength > 0 {
			return false
		}
		resp.Body = http.NoBody
	}
	return true
}

// attempt is the state of one attempt's timer, and the response body
// whose reads keep the attempt alive.
type attempt struct {
	req     http.Request // the request, with the attempt's context
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
