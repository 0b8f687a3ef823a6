// Package retry is the retry and backoff policy of the Lambda client, plugged
// into go-retryablehttp as its CheckRetry and Backoff.
//
// go-retryablehttp drains the response body before it asks Backoff for a
// wait, and passes no response at all after a connection failure, so the
// wait cannot be computed there from error.retry_after or the context's
// deadline. CheckRetry therefore decides, computes the wait and sleeps
// (waking on cancel); Backoff returns zero.
package retry

import (
	"context"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
)

// Call is the state of one client call across its attempts.
type Call struct {
	Method string
	Path   string // for log lines: never the full URL

	// Attempt is the number of the attempt in flight, from 1.
	Attempt int
	// Started is when the attempt in flight was sent, for its duration in
	// log lines: waits for the rate-limit budget included, backoff not.
	Started time.Time
	// Group is the rate-limit group of the request in flight
	// (ratelimit.Group of its path), set by the rate-limit layer, for
	// Policy.Held.
	Group string
	// RetryAfter is the wait the latest answer asked for (on a 429, the
	// wait chosen for it), for its error; zero when it asked for none.
	RetryAfter time.Duration
	// MaxRetries replaces the policy's limit for this call when
	// MaxRetriesSet (WithMaxRetries given to the call).
	MaxRetries    int
	MaxRetriesSet bool
	// AttemptTimeout replaces the client's bound on each attempt of this
	// call when AttemptTimeoutSet (0 turns it off).
	AttemptTimeout    time.Duration
	AttemptTimeoutSet bool

	// HeaderValues is where the client keeps the values of the headers it
	// sets on the request (Accept, User-Agent, Content-Type,
	// Idempotency-Key): slices of the call's own, in the allocation the call
	// needs anyway.
	HeaderValues [4]string

	// Secrets are what the call's body carries that must be hidden like the
	// credential (a webhook's signing secret): the debug dump and the log
	// handler redact them.
	Secrets []string

	// read is what the headers of the latest answer said, read once by the
	// rate-limit layer where the answer arrived (Record); AnswerTo gives it.
	read     answer.Answer
	answered *http.Response // the response read was read from

	// MayHaveApplied reports that an earlier attempt was retried after a
	// failure that does not prove it was not processed (a lost connection,
	// a 5xx): a DELETE answered 404 afterwards has most likely succeeded.
	MayHaveApplied bool

	retries int
	checked int // the attempt CheckRetry last decided on
}

// Record keeps a's reading of resp's headers, for everything above the
// layer that read them.
func (c *Call) Record(resp *http.Response, a answer.Answer) {
	c.read, c.answered = a, resp
}

// AnswerTo returns what resp's headers say: the reading Record kept, or,
// for a response that never passed the rate-limit layer (a middleware's
// own), a reading made now and kept.
func (c *Call) AnswerTo(resp *http.Response) *answer.Answer {
	if c.answered != resp {
		c.Record(resp, answer.Read(resp.Header))
	}
	return &c.read
}

type callKey struct{}

// WithCall returns a context that carries c to the policy's callbacks.
func WithCall(ctx context.Context, c *Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// FromContext returns the call carried by ctx, or nil.
func FromContext(ctx context.Context) *Call {
	c, _ := ctx.Value(callKey{}).(*Call)
	return c
}

// Sleep waits for d or until ctx ends, whichever comes first.
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// retryableMethod reports whether a method may be sent again. POSTs may:
// the client gives every POST an Idempotency-Key, the same on each attempt.
// PATCH is not, after a failure that may have applied it: a partial
// update applied twice can differ from once. (A 429 applied nothing, so
// the policy retries it for every method.)
func retryableMethod(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodPost, http.MethodOptions:
		return true
	}
	return false
}

// retryableStatus reports whether a status says "try again later".
func retryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// Doubling is base doubled n times, stopping at max: the upper bound of the
// n-th step of an exponential backoff, before jitter.
func Doubling(base, max time.Duration, n int) time.Duration {
	d := base
	for i := 0; i < n && d < max; i++ {
		d *= 2
	}
	return min(d, max)
}

// Backoff is the wait before retry n+1 (n from 0) of an exponential
// backoff: base doubled n times, capped at max, with jitter of ±50% so that
// clients failing together do not retry together; never more than max.
// It is the retry policy's backoff (the metrics stream's reconnects and the
// waiters' polls draw from their own documented ranges over Doubling).
func Backoff(base, max time.Duration, n int) time.Duration {
	d := Doubling(base, max, n)
	return min(d/2+jitter(d), max)
}

// Spread lengthens a wait the server asked for by a little jitter (up to a
// quarter of it, at most a second, plus up to 50 ms), so that the clients
// told the same reset time do not all come back in the same instant.
func Spread(wait time.Duration) time.Duration {
	return wait + jitter(min(wait/4, time.Second)+50*time.Millisecond)
}

// SpreadWithin is Spread that never passes limit, the longest wait the
// client may sleep (WithMaxRetryWait), unless wait itself does: the bound
// holds the jitter too, and a wait at the bound goes unspread.
func SpreadWithin(wait, limit time.Duration) time.Duration {
	return min(Spread(wait), max(wait, limit))
}

func jitter(n time.Duration) time.Duration {
	if n <= 0 {
		return 0
	}
	return rand.N(n)
}
