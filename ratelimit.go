package lambda

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go/internal/answer"
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
// a 429. It waits for the reset, spread a little (retry.Spread) so that
// every goroutine held back does not hit the API in the same instant, when
// that fits in the longest allowed wait and the context's deadline;
// otherwise it fails fast with a *budgetRefusal that carries the wait. It
// looks again after each wait: the calls woken before it may have used up
// the new window already. Only the budget of the window that group counts
// against is looked at. A nil error means the request is in flight: end it
// with limits.Done and the window it was taken from.
func (c *Client) awaitBudget(ctx context.Context, group string) (*ratelimit.Tracker, error) {
	for {
		took, wait := c.limits.Take(group, time.Now())
		if wait <= 0 {
			return took, nil
		}
		if wait > c.policy.MaxWait {
			return nil, &budgetRefusal{wait: wait}
		}
		spread := retry.Spread(wait)
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
	if resp == nil {
		t.client.limits.Done(group, took, nil, time.Now())
		return resp, err
	}
	a := answer.Read(resp.Header)
	if call := retry.FromContext(req.Context()); call != nil {
		call.Record(resp, a)
	}
	if !sameOrigin(t.client.baseURL, req.URL) { // only the API's own figures count
		t.client.limits.Done(group, took, nil, time.Now())
		return resp, err
	}
	t.client.limits.Done(group, took, &a, time.Now())
	return resp, err
}
