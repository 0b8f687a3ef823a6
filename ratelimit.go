package lambda

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go/internal/ratelimit"
	"github.com/lambda/lambda-go/internal/retry"
)

// WithRateLimiter makes the client wait for l before every attempt it
// sends, retries included: for callers who know their plan's rate (Free:
// 1,000/h with bursts of 50; Professional: 10,000/h, 200; Enterprise:
// 100,000/h, 1,000) and would rather queue than be refused. Share one
// limiter between clients that share a key. A wait that would outlast the
// call's context is not started: the call fails at once.
func WithRateLimiter(l *rate.Limiter) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("lambda: WithRateLimiter: the limiter is nil")
		}
		c.limiter = l
		return nil
	}
}

// limiterTransport waits for the client-side limiter before each attempt.
type limiterTransport struct {
	base    http.RoundTripper
	limiter *rate.Limiter
}

// errLimiter wraps a failed client-side limiter wait; it is not retried.
var errLimiter = errors.New("client-side rate limiter")

func (t *limiterTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := t.limiter.Wait(req.Context()); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		if ctxErr := req.Context().Err(); ctxErr != nil {
			return nil, ctxErr
		}
		return nil, fmt.Errorf("%w: %w", errLimiter, err)
	}
	return t.base.RoundTrip(req)
}

// awaitBudget holds back a request while the API's figures say no requests
// are left until a reset (the last answer said so, or the requests sent
// since have used up what it said was left): such a request could only get
// a 429. It waits for the reset, plus jitter so that every goroutine held
// back does not hit the API in the same instant, when that fits in the
// longest allowed wait and the context's deadline; otherwise it fails fast
// with a rate-limit error that carries the wait. It looks again after each
// wait: the calls woken before it may have used up the new window already.
// Only the budget of the window that group counts against is looked at.
// A nil error means the request is in flight: end it with limits.Done and
// the window it was taken from.
func (c *Client) awaitBudget(ctx context.Context, group string) (*ratelimit.Tracker, error) {
	for {
		took, wait := c.limits.Take(group, time.Now())
		if wait <= 0 {
			return took, nil
		}
		refused := &Error{
			Code:       CodeRateLimitExceeded,
			Message:    "no requests left until the rate-limit window resets (not sent)",
			RetryAfter: wait,
		}
		if wait > c.policy.MaxWait {
			return nil, refused
		}
		wait += rand.N(min(wait/4, time.Second) + 50*time.Millisecond)
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(wait).After(deadline) {
			return nil, refused
		}
		if err := retry.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// budgetTransport puts every attempt, retries and redirects included,
// through awaitBudget, and records the rate-limit figures of every answer
// at once, less the requests still in flight. Without it, goroutines sleeping out a 429 came back after the
// reset all together although the answers to the first of them had
// already said the new window was used up again: a herd, refused anew in
// every window.
type budgetTransport struct {
	base   http.RoundTripper
	client *Client
}

func (t *budgetTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	group := ratelimit.Group(req.URL.Path)
	took, err := t.client.awaitBudget(req.Context(), group)
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.base.RoundTrip(req)
	var h http.Header
	if resp != nil && sameOrigin(t.client.baseURL, req.URL) { // only the API's own figures count
		h = resp.Header
	}
	t.client.limits.Done(group, took, h, time.Now())
	return resp, err
}
