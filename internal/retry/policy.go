package retry

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// peekLimit bounds what is read of a response that will be retried or
// turned into a rate-limit error: error envelopes are small.
const peekLimit = 64 << 10

// Policy decides whether an attempt is tried again, and when.
type Policy struct {
	MaxRetries int           // retries after the first attempt
	MaxWait    time.Duration // the longest single wait slept; a longer one ends the call
	BaseDelay  time.Duration // first exponential backoff step
	MaxDelay   time.Duration // cap of the exponential backoff
	Logger     *slog.Logger  // nil: no log lines
	Now        func() time.Time

	// NonRetryable reports errors of the client's own making (too many
	// redirects, a refused credential) that no retry can cure.
	NonRetryable func(error) bool

	// Held reports how long the rate-limit layer would hold back a request
	// of group sent at now: until the reset of a window the API's figures
	// say is used up. nil: never.
	Held func(group string, now time.Time) time.Duration
}

// Install sets the policy's callbacks on rc.
func (p *Policy) Install(rc *retryablehttp.Client) {
	rc.CheckRetry = p.CheckRetry
	rc.Backoff = func(time.Duration, time.Duration, int, *http.Response) time.Duration { return 0 }
	rc.RequestLogHook = requestHook
	rc.ErrorHandler = retryablehttp.PassthroughErrorHandler
	rc.Logger = nil
	// CheckRetry holds the limit, which one call may raise above the
	// client's; this is only a backstop. A 401 is never retried here: the
	// auth transport renews an OAuth token and sends the request again
	// itself, within the same attempt.
	rc.RetryMax = maxRetriesCap + 2
}

func requestHook(_ retryablehttp.Logger, req *http.Request, i int) {
	if c := FromContext(req.Context()); c != nil {
		c.Attempt = i + 1
		c.Started = time.Now()
	}
}

// CheckRetry is go-retryablehttp's CheckRetry. When it retries, it has
// already slept; when the context ends during that sleep it returns the
// context's error.
func (p *Policy) CheckRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	call := FromContext(ctx)
	if call == nil {
		return false, nil
	}
	if cerr := ctx.Err(); cerr != nil {
		return false, cerr
	}
	// go-retryablehttp asks again once the response handler has read the
	// body of an attempt it was told not to retry. Only a failure to read
	// that body is news; otherwise the first answer stands.
	if call.checked == call.Attempt && err == nil {
		return false, nil
	}
	call.checked = call.Attempt
	wait, ok := p.decide(ctx, call, resp, err)
	if !ok {
		return false, nil
	}
	if resp != nil {
		// Free the connection for the pool before sleeping.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, peekLimit))
		resp.Body.Close()
	}
	p.log(ctx, call, resp, err, wait)
	if serr := Sleep(ctx, wait); serr != nil {
		return false, serr
	}
	return true, nil
}

func (p *Policy) decide(ctx context.Context, call *Call, resp *http.Response, err error) (time.Duration, bool) {
	now := p.now()
	var wait time.Duration
	hinted := false
	// The wait of this answer alone: an earlier answer's would be reported
	// on an error that asked for none (a 404 after a 429).
	call.RetryAfter = 0
	switch {
	case err != nil:
		if !retryableMethod(call.Method) || !p.retryableError(err) {
			return 0, false
		}
		wait = p.backoff(call.retries)
	case resp.StatusCode == http.StatusTooManyRequests:
		// Every method: a 429 says the request was not processed, so even
		// a PATCH is safe to send again.
		wait, hinted = RateLimitWait(call.AnswerTo(resp), peek(resp), now)
		if !hinted {
			wait = p.backoff(call.retries)
		}
		call.RetryAfter = wait
	case !retryableStatus(resp.StatusCode) || !retryableMethod(call.Method):
		if resp.StatusCode >= 300 { // the caller's error: with the wait it asked for (a PATCH's 503)
			a := call.AnswerTo(resp)
			call.RetryAfter, _ = ParseRetryAfter(a.RetryAfter, a.ServerNow(now))
		}
		return 0, false
	default:
		a := call.AnswerTo(resp)
		if wait, hinted = ParseRetryAfter(a.RetryAfter, a.ServerNow(now)); hinted {
			call.RetryAfter = wait
		} else {
			wait = p.backoff(call.retries)
		}
	}
	if p.Held != nil {
		// A retry sent before the reset of a used-up window would only be
		// held back by the rate-limit layer: wait for the reset here, or,
		// when it is too far off, end now with this answer's error rather
		// than sleep the shorter wait first and then be refused unsent.
		if held := p.Held(call.Group, now); held > wait {
			wait, hinted = held, true
			call.RetryAfter = held
		}
	}
	// MaxWait bounds only the waits the server asks for; the client's own
	// backoff is already capped by MaxDelay, and dropping a retry because
	// its jitter drew long would make the retry count a lottery.
	if call.retries >= p.maxRetries(call) || (hinted && wait > p.MaxWait) {
		return 0, false
	}
	if hinted {
		// Clients told the same reset time would all come back at once.
		wait = SpreadWithin(wait, p.MaxWait)
	}
	if deadline, ok := ctx.Deadline(); ok && now.Add(wait).After(deadline) {
		return 0, false // the answer would come too late: report now
	}
	if err != nil && !neverSent(err) || err == nil && resp.StatusCode != http.StatusTooManyRequests {
		// The request may have reached the server and taken effect: a
		// connection that failed mid-call, or a 5xx. A 429 was not
		// processed, and a connection never made carried nothing.
		call.MayHaveApplied = true
	}
	call.retries++
	return wait, true
}

// maxRetriesCap is the most retries a client or a call may ask for.
const maxRetriesCap = 100

// maxRetries is the call's own limit when it has one, else the policy's.
func (p *Policy) maxRetries(call *Call) int {
	if call.MaxRetriesSet {
		return call.MaxRetries
	}
	return p.MaxRetries
}

// backoff is the client's own wait before a retry the server gave no wait for.
func (p *Policy) backoff(retries int) time.Duration {
	return Backoff(p.BaseDelay, p.MaxDelay, retries)
}

func (p *Policy) retryableError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var unknownCA x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) {
		return false
	}
	if p.NonRetryable != nil && p.NonRetryable(err) {
		return false
	}
	return true // connection refused, reset, EOF, timeouts: transient
}

// neverSent reports an error that proves the request never left: the
// connection to the server could not be made (refused, unreachable, no such
// host). Any later failure may have come after the server read it.
func neverSent(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// peek reads a response body and puts it back, so it can be read again.
func peek(resp *http.Response) []byte {
	b, _ := io.ReadAll(io.LimitReader(resp.Body, peekLimit))
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return b
}

func (p *Policy) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *Policy) log(ctx context.Context, call *Call, resp *http.Response, err error, wait time.Duration) {
	LogAttempt(ctx, p.Logger, "lambda: retrying", call, resp, "", err, wait)
}

// LogAttempt writes the debug line of one attempt of call to l (nil: none):
// method, path, attempt, its duration, the wait before the next one, status
// and request ID when a response came (the ID from its header unless
// requestID is given), and the error. It never logs headers, so never a credential.
func LogAttempt(ctx context.Context, l *slog.Logger, msg string, call *Call, resp *http.Response, requestID string, err error, wait time.Duration) {
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("method", call.Method), slog.String("path", call.Path),
		slog.Int("attempt", call.Attempt), slog.Duration("wait", wait),
	}
	if !call.Started.IsZero() {
		attrs = append(attrs, slog.Duration("duration", time.Since(call.Started)))
	}
	if resp != nil {
		if requestID == "" {
			requestID = call.AnswerTo(resp).RequestID
		}
		attrs = append(attrs, slog.Int("status", resp.StatusCode), slog.String("request_id", requestID))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	l.LogAttrs(ctx, slog.LevelDebug, msg, attrs...)
}
