package retry

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// TestPolicyDecisions: what the policy decides for each kind of answer,
// read from what a call ends with (the attempts made, the wait its error
// reports), never from how long it took.
func TestPolicyDecisions(t *testing.T) {
	t.Parallel()
	type answer struct {
		status     int
		retryAfter string
	}
	tests := []struct {
		name    string
		policy  func(*Policy)
		method  string
		answers []answer // the last one repeats
		// attempts made, and the wait the last answer's error reports
		attempts  int32
		waitCheck func(time.Duration) bool
		waitWant  string
	}{
		{
			name: "a server's wait within MaxWait is slept and retried", method: "GET",
			answers: []answer{{503, "0"}, {200, ""}}, attempts: 2,
		},
		{
			name: "a 429's wait within MaxWait is slept and retried", method: "GET",
			answers: []answer{{429, "0"}, {200, ""}}, attempts: 2,
		},
		{
			name:   "a wait of exactly MaxWait is slept, not refused",
			policy: func(p *Policy) { p.MaxWait = 0 }, method: "GET",
			answers: []answer{{503, "0"}, {200, ""}}, attempts: 2,
		},
		{
			name:   "a wait past MaxWait ends the call with that wait",
			policy: func(p *Policy) { p.MaxWait = time.Second }, method: "GET",
			answers: []answer{{503, "2"}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == 2*time.Second }, waitWant: "2s",
		},
		{
			name: "a PATCH's 503 is not retried, and reports the wait it asked for", method: "PATCH",
			answers: []answer{{503, "7"}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == 7*time.Second }, waitWant: "7s",
		},
		{
			name: "a 404's Retry-After is reported", method: "GET",
			answers: []answer{{404, "3"}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == 3*time.Second }, waitWant: "3s",
		},
		{
			name: "a success reports no wait, whatever its headers say", method: "GET",
			answers: []answer{{200, "5"}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == 0 }, waitWant: "0",
		},
		{
			name: "a 201 reports no wait either", method: "POST",
			answers: []answer{{201, "5"}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == 0 }, waitWant: "0",
		},
		{
			name:   "a 429 that gave no wait reports the client's backoff",
			policy: func(p *Policy) { p.MaxRetries = 0 }, method: "GET",
			answers: []answer{{429, ""}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d > 0 }, waitWant: "the backoff, above 0",
		},
		{
			name:   "the wait of an earlier answer is not reported on a later one that asked for none",
			policy: func(p *Policy) { p.MaxRetries = 1 }, method: "GET",
			answers: []answer{{429, "0.01"}, {503, ""}}, attempts: 2,
			waitCheck: func(d time.Duration) bool { return d == 0 }, waitWant: "0",
		},
		{
			name: "the rate-limit layer's hold is waited for when it is longer than the answer's wait",
			policy: func(p *Policy) {
				p.MaxRetries = 1
				p.Held = func(string, time.Time) time.Duration { return 20 * time.Millisecond }
			}, method: "GET",
			answers: []answer{{503, ""}}, attempts: 2,
			waitCheck: func(d time.Duration) bool { return d == 20*time.Millisecond }, waitWant: "20ms (the hold)",
		},
		{
			name: "a hold past MaxWait ends the call now, with the hold as its wait",
			policy: func(p *Policy) {
				p.Held = func(string, time.Time) time.Duration { return time.Hour }
			}, method: "GET",
			answers: []answer{{503, ""}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == time.Hour }, waitWant: "1h (the hold)",
		},
		{
			name: "a hold shorter than the answer's wait changes nothing",
			policy: func(p *Policy) {
				p.MaxWait = time.Second
				p.Held = func(string, time.Time) time.Duration { return time.Millisecond }
			}, method: "GET",
			answers: []answer{{503, "2"}}, attempts: 1,
			waitCheck: func(d time.Duration) bool { return d == 2*time.Second }, waitWant: "2s",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := fastPolicy()
			if tt.policy != nil {
				tt.policy(p)
			}
			var n atomic.Int32
			resp, call, err := run(t, context.Background(), p, tt.method, func(w http.ResponseWriter, r *http.Request) {
				i := int(n.Add(1)) - 1
				a := tt.answers[min(i, len(tt.answers)-1)]
				if a.retryAfter != "" {
					w.Header().Set("Retry-After", a.retryAfter)
				}
				w.WriteHeader(a.status)
			})
			if err != nil {
				t.Fatalf("err %v", err)
			}
			if n.Load() != tt.attempts {
				t.Errorf("%d attempts, want %d (ended with %d)", n.Load(), tt.attempts, resp.StatusCode)
			}
			if tt.waitCheck != nil && !tt.waitCheck(call.RetryAfter) {
				t.Errorf("the call reports a wait of %v, want %s", call.RetryAfter, tt.waitWant)
			}
		})
	}
}

// TestPolicyConnectionFailures: a connection lost before the answer is
// retried for the methods that may be sent again, never for a PATCH, an
// error the client made itself or the context's end; and the client's
// backoff is the wait, so a backoff that would end past the deadline ends
// the call at once. (A server that hangs up, not a closed port: under load
// another test's server may take the port.)
func TestPolicyConnectionFailures(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	hungUp := func(err error) bool { return errors.Is(err, io.EOF) }
	tests := []struct {
		name     string
		method   string
		policy   func(*Policy)
		deadline time.Duration // 0: none
		attempts int
	}{
		{name: "a GET is retried up to the limit", method: "GET", attempts: 4},
		{name: "a POST is retried (its Idempotency-Key makes it safe)", method: "POST", attempts: 4},
		{name: "a DELETE is retried", method: "DELETE", attempts: 4},
		{name: "a PATCH is never sent again", method: "PATCH", attempts: 1},
		{name: "an error of the client's own making is not retried", method: "GET",
			policy: func(p *Policy) { p.NonRetryable = hungUp }, attempts: 1},
		{name: "a backoff that would end past the deadline ends the call at once", method: "GET",
			policy:   func(p *Policy) { p.BaseDelay, p.MaxDelay = time.Hour, time.Hour },
			deadline: time.Minute, attempts: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := fastPolicy()
			if tt.policy != nil {
				tt.policy(p)
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			rc := retryablehttp.NewClient()
			p.Install(rc)
			call := &Call{Method: tt.method}
			req, err := retryablehttp.NewRequestWithContext(WithCall(ctx, call), tt.method, srv.URL, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rc.Do(req); err == nil || call.Attempt != tt.attempts {
				t.Fatalf("err %v after %d attempts, want an error after %d", err, call.Attempt, tt.attempts)
			}
		})
	}
}

// TestPolicyServerErrorBackoffRespectsTheDeadline: a 5xx that gave no wait
// is retried after the client's backoff; when that backoff would end past
// the context's deadline, the call ends at once with the answer it has.
func TestPolicyServerErrorBackoffRespectsTheDeadline(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		p := fastPolicy()
		p.BaseDelay, p.MaxDelay = time.Hour, time.Hour
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		var n atomic.Int32
		resp, _, err := run(t, ctx, p, "GET", func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			w.WriteHeader(status)
		})
		cancel()
		if err != nil || resp.StatusCode != status || n.Load() != 1 {
			t.Errorf("%d: %d attempts, err %v; want the answer at once", status, n.Load(), err)
		}
	}
}

// TestErrorClassification: which failures the policy retries, and which
// prove the request never left (so a retry cannot have applied it twice).
func TestErrorClassification(t *testing.T) {
	t.Parallel()
	own := errors.New("own")
	wrap := func(err error) error { return &url.Error{Op: "Get", URL: "https://api.example/x", Err: err} }
	tests := []struct {
		err       error
		retryable bool
		neverSent bool
	}{
		{io.ErrUnexpectedEOF, true, false},
		{wrap(io.EOF), true, false},
		{wrap(&net.OpError{Op: "dial", Err: syscall.ECONNREFUSED}), true, true},
		{wrap(&net.OpError{Op: "read", Err: syscall.ECONNRESET}), true, false},
		{wrap(&net.OpError{Op: "write", Err: syscall.EPIPE}), true, false},
		{wrap(context.Canceled), false, false},
		{wrap(context.DeadlineExceeded), false, false},
		{wrap(x509.UnknownAuthorityError{}), false, false},
		{wrap(x509.HostnameError{Host: "api.example"}), false, false},
		{wrap(x509.CertificateInvalidError{Reason: x509.Expired}), false, false},
		{wrap(own), false, false},
	}
	for _, tt := range tests {
		for _, p := range []*Policy{
			{NonRetryable: func(err error) bool { return errors.Is(err, own) }},
			{}, // no NonRetryable: only the policy's own classes
		} {
			want := tt.retryable || (p.NonRetryable == nil && errors.Is(tt.err, own))
			if got := p.retryableError(tt.err); got != want {
				t.Errorf("retryableError(%v) with NonRetryable %v = %v, want %v", tt.err, p.NonRetryable != nil, got, want)
			}
		}
		if got := neverSent(tt.err); got != tt.neverSent {
			t.Errorf("neverSent(%v) = %v, want %v", tt.err, got, tt.neverSent)
		}
	}
}

// TestCheckRetryWithoutACall: a request that carries no Call (not sent by
// the client's call path) is answered as it is, never retried.
func TestCheckRetryWithoutACall(t *testing.T) {
	t.Parallel()
	resp := &http.Response{StatusCode: http.StatusServiceUnavailable, Header: http.Header{}, Body: http.NoBody}
	if retry, err := fastPolicy().CheckRetry(context.Background(), resp, nil); retry || err != nil {
		t.Fatalf("retry %v, err %v; want neither", retry, err)
	}
}

// TestSleepOfNothing: a wait of zero or less returns at once, with the
// context's error when it has ended: a cancelled call never goes on to
// another attempt because its wait happened to be zero.
func TestSleepOfNothing(t *testing.T) {
	t.Parallel()
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, d := range []time.Duration{0, -time.Second} {
		if err := Sleep(context.Background(), d); err != nil {
			t.Errorf("Sleep(%v) = %v", d, err)
		}
		for range 100 { // a select between a fired timer and the cancel would pick either
			if err := Sleep(cancelled, d); !errors.Is(err, context.Canceled) {
				t.Fatalf("Sleep(cancelled, %v) = %v, want context.Canceled", d, err)
			}
		}
	}
}

// TestRetryableMethod: every method but PATCH (and methods the client
// never sends) may be sent again after a failure.
func TestRetryableMethod(t *testing.T) {
	t.Parallel()
	for m, want := range map[string]bool{
		"GET": true, "HEAD": true, "PUT": true, "DELETE": true, "POST": true, "OPTIONS": true,
		"PATCH": false, "CONNECT": false, "TRACE": false, "get": false, "": false,
	} {
		if got := retryableMethod(m); got != want {
			t.Errorf("retryableMethod(%q) = %v, want %v", m, got, want)
		}
	}
}

// TestBackoffOfNoDelay: a backoff of zero base (a client that asked for no
// delay) is zero, never a panic drawing jitter from an empty range.
func TestBackoffOfNoDelay(t *testing.T) {
	t.Parallel()
	for n := range 4 {
		if d := Backoff(0, 0, n); d != 0 {
			t.Errorf("Backoff(0, 0, %d) = %v", n, d)
		}
		if d := Backoff(0, time.Second, n); d != 0 {
			t.Errorf("Backoff(0, 1s, %d) = %v", n, d)
		}
	}
}
