package retry

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/lambda/lambda-go/internal/answer"
)

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 24, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"0.5", 500 * time.Millisecond, true},
		{"Sat, 24 Jan 2026 10:30:30 GMT", 30 * time.Second, true},
		{"Sat, 24 Jan 2026 10:00:00 GMT", 0, true}, // in the past: now
		{"", 0, false},
		{"soon", 0, false},
		{"-1", 0, false},
		{"1e3", 0, false},
		{"Inf", 0, false},
		{"NaN", 0, false},
		{"99999999999", 0, false},
	}
	for _, tt := range tests {
		got, ok := ParseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("ParseRetryAfter(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestRateLimitWaitOrder(t *testing.T) {
	t.Parallel()
	now := time.Unix(1706097000, 0)
	body := []byte(`{"success":false,"error":{"code":"rate_limit_exceeded","retry_after":7}}`)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name string
		h    http.Header
		body []byte
		want time.Duration
		ok   bool
	}{
		{"Retry-After first", hdr("Retry-After", "3", "X-RateLimit-Reset", "1706097600"), body, 3 * time.Second, true},
		{"then error.retry_after", hdr("X-RateLimit-Reset", "1706097600"), body, 7 * time.Second, true},
		{"garbage Retry-After falls through", hdr("Retry-After", "later"), body, 7 * time.Second, true},
		{"then X-RateLimit-Reset", hdr("X-RateLimit-Reset", "1706097600"), nil, 10 * time.Minute, true},
		{"nothing", hdr(), []byte("<html>"), 0, false},
	}
	for _, tt := range tests {
		got, ok := RateLimitWait(read(tt.h), tt.body, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s: %v, %v; want %v, %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}

// run sends one call through go-retryablehttp with the policy installed.
func run(t *testing.T, ctx context.Context, p *Policy, method string, h http.HandlerFunc) (*http.Response, *Call, error) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc := retryablehttp.NewClient()
	p.Install(rc)
	call := &Call{Method: method, Path: "/x"}
	req, err := retryablehttp.NewRequestWithContext(WithCall(ctx, call), method, srv.URL, []byte(`{"a":1}`))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := rc.Do(req)
	if resp != nil {
		t.Cleanup(func() { resp.Body.Close() })
	}
	return resp, call, err
}

func fastPolicy() *Policy {
	return &Policy{MaxRetries: 3, MaxWait: time.Minute, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond}
}

func TestRetriesByStatusAndMethod(t *testing.T) {
	t.Parallel()
	tests := []struct {
		method   string
		status   int
		attempts int32
	}{
		{"GET", 503, 4}, {"POST", 500, 4}, {"PUT", 502, 4}, {"DELETE", 504, 4}, {"HEAD", 503, 4},
		{"PATCH", 503, 1}, {"PATCH", 500, 1}, {"PATCH", 429, 4}, // a 429 was not processed: safe to repeat
		{"GET", 400, 1}, {"GET", 404, 1}, {"POST", 409, 1}, {"GET", 501, 1}, {"GET", 401, 1},
	}
	for _, tt := range tests {
		t.Run(tt.method+http.StatusText(tt.status), func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			resp, call, err := run(t, context.Background(), fastPolicy(), tt.method, func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				w.WriteHeader(tt.status)
			})
			if err != nil || resp.StatusCode != tt.status {
				t.Fatalf("resp %v err %v", resp, err)
			}
			if n.Load() != tt.attempts || int32(call.Attempt) != tt.attempts {
				t.Fatalf("%d attempts (call says %d), want %d", n.Load(), call.Attempt, tt.attempts)
			}
		})
	}
}

func TestBodyIsRewoundForEveryAttempt(t *testing.T) {
	t.Parallel()
	var bodies []string
	_, _, err := run(t, context.Background(), fastPolicy(), "POST", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if len(bodies) < 3 {
			w.WriteHeader(503)
		}
	})
	if err != nil || strings.Join(bodies, "|") != `{"a":1}|{"a":1}|{"a":1}` {
		t.Fatalf("bodies %q err %v", bodies, err)
	}
}

func TestRetryAfterTooLongReturnsAtOnce(t *testing.T) {
	t.Parallel()
	start := time.Now()
	resp, call, err := run(t, context.Background(), fastPolicy(), "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(429)
		io.WriteString(w, `{"success":false,"error":{"code":"rate_limit_exceeded","retry_after":3600}}`)
	})
	if err != nil || resp.StatusCode != 429 || call.Attempt != 1 || call.RetryAfter != time.Hour {
		t.Fatalf("resp %v call %+v err %v", resp, call, err)
	}
	if b, _ := io.ReadAll(resp.Body); !strings.Contains(string(b), "retry_after") {
		t.Fatalf("the 429 body was not kept for the caller: %q", b)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatal("waited for a Retry-After longer than MaxWait")
	}
}

func TestWaitPastDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	resp, call, err := run(t, ctx, fastPolicy(), "GET", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "2")
		w.WriteHeader(429)
	})
	if err != nil || resp.StatusCode != 429 || call.Attempt != 1 || call.RetryAfter != 2*time.Second {
		t.Fatalf("resp %v call %+v err %v", resp, call, err)
	}
}

func TestSleepWakesOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	p := fastPolicy()
	p.BaseDelay, p.MaxDelay = time.Minute, time.Minute
	var cancelled atomic.Int64
	time.AfterFunc(50*time.Millisecond, func() { cancelled.Store(time.Now().UnixNano()); cancel() })
	_, _, err := run(t, ctx, p, "GET", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(503) })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v", err)
	}
	// The sleep was a minute: only a wake on cancel returns this soon.
	if d := time.Since(time.Unix(0, cancelled.Load())); d > 100*time.Millisecond {
		t.Fatalf("the sleep ended %v after the cancel", d)
	}
}

func TestConnectionFailuresRetriedButNotOwnErrors(t *testing.T) {
	t.Parallel()
	own := errors.New("own")
	p := fastPolicy()
	p.NonRetryable = func(err error) bool { return errors.Is(err, own) }
	if !p.retryableError(io.ErrUnexpectedEOF) || p.retryableError(own) || p.retryableError(context.Canceled) {
		t.Fatal("retryableError misclassifies")
	}
	// A closed port: connection refused, retried up to the limit.
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	rc := retryablehttp.NewClient()
	p.Install(rc)
	call := &Call{Method: "GET"}
	req, _ := retryablehttp.NewRequestWithContext(WithCall(context.Background(), call), "GET", url, nil)
	if _, err := rc.Do(req); err == nil || call.Attempt != 4 {
		t.Fatalf("err %v after %d attempts", err, call.Attempt)
	}
}

// A 401 is the auth transport's business (it renews an OAuth token and
// sends again within the attempt): the policy never retries it.
func TestUnauthorizedIsNotRetried(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(401)
	}))
	defer srv.Close()
	rc := retryablehttp.NewClient()
	fastPolicy().Install(rc)
	call := &Call{Method: "GET"}
	req, _ := retryablehttp.NewRequestWithContext(WithCall(context.Background(), call), "GET", srv.URL, nil)
	resp, err := rc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if n.Load() != 1 || resp.StatusCode != 401 {
		t.Fatalf("%d requests, status %d", n.Load(), resp.StatusCode)
	}
}

func TestBackoffGrowsWithJitterWithinCap(t *testing.T) {
	t.Parallel()
	p := &Policy{BaseDelay: time.Second, MaxDelay: 30 * time.Second}
	for retries, want := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second} {
		for range 100 {
			d := p.backoff(retries)
			if d < want/2 || d >= want*3/2 {
				t.Fatalf("backoff(%d) = %v, want within ±50%% of %v", retries, d, want)
			}
		}
	}
	if d := p.backoff(20); d > 30*time.Second {
		t.Fatalf("backoff past the cap: %v", d)
	}
}

func TestDoubling(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base, max time.Duration
		n         int
		want      time.Duration
	}{
		{time.Second, 15 * time.Second, 0, time.Second},
		{time.Second, 15 * time.Second, 1, 2 * time.Second},
		{time.Second, 15 * time.Second, 3, 8 * time.Second},
		{time.Second, 15 * time.Second, 4, 15 * time.Second},
		{time.Second, 15 * time.Second, 1000, 15 * time.Second}, // no overflow: it stops at max
	}
	for _, tt := range tests {
		if got := Doubling(tt.base, tt.max, tt.n); got != tt.want {
			t.Errorf("Doubling(%v, %v, %d) = %v, want %v", tt.base, tt.max, tt.n, got, tt.want)
		}
	}
}

// TestSpreadStaysNearTheServersWait: the jitter added to a wait the server
// asked for is never negative, at most a quarter of it (a second at most)
// plus 50 ms.
func TestSpreadStaysNearTheServersWait(t *testing.T) {
	t.Parallel()
	for _, wait := range []time.Duration{0, 100 * time.Millisecond, 2 * time.Second, time.Hour} {
		most := wait + min(wait/4, time.Second) + 50*time.Millisecond
		for range 100 {
			if d := Spread(wait); d < wait || d >= most {
				t.Fatalf("Spread(%v) = %v, want in [%v, %v)", wait, d, wait, most)
			}
		}
	}
}

// TestSpreadWithinNeverPassesTheLimit: the jitter on a wait the server
// asked for never takes the wait past the longest the client may sleep
// (WithMaxRetryWait), whether the wait is under it, at it, or the limit 0;
// it never shortens the wait, and it still spreads a wait well under it.
func TestSpreadWithinNeverPassesTheLimit(t *testing.T) {
	t.Parallel()
	ms := time.Millisecond
	for _, limit := range []time.Duration{0, ms, 300 * ms, time.Second, time.Minute} {
		for _, wait := range []time.Duration{0, ms, 299 * ms, 300 * ms, time.Second, 59 * time.Second, time.Minute} {
			if wait > limit {
				continue // the callers refuse such a wait before spreading it
			}
			spread := false
			for range 200 {
				d := SpreadWithin(wait, limit)
				if d < wait || d > limit {
					t.Fatalf("SpreadWithin(%v, %v) = %v, want in [%v, %v]", wait, limit, d, wait, limit)
				}
				spread = spread || d > wait
			}
			if limit-wait >= 50*ms && !spread {
				t.Errorf("SpreadWithin(%v, %v) never spread the wait in 200 draws", wait, limit)
			}
		}
	}
}

// TestMaxWaitBoundsOnlyServerHints: the client's own backoff, capped by
// MaxDelay, is never dropped because it exceeds MaxWait; a wait the server
// asks for beyond MaxWait still ends the call at once.
func TestMaxWaitBoundsOnlyServerHints(t *testing.T) {
	t.Parallel()
	p := &Policy{MaxRetries: 3, MaxWait: time.Millisecond, BaseDelay: 2 * time.Millisecond, MaxDelay: 8 * time.Millisecond}
	var n atomic.Int32
	_, call, err := run(t, context.Background(), p, "GET", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	if err != nil || n.Load() != 4 || call.Attempt != 4 {
		t.Fatalf("backoff above MaxWait: %d attempts, err %v; want 4", n.Load(), err)
	}

	n.Store(0)
	_, _, err = run(t, context.Background(), p, "GET", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	if err != nil || n.Load() != 1 {
		t.Fatalf("Retry-After above MaxWait: %d attempts, err %v; want 1", n.Load(), err)
	}
}

// TestUnauthorizedWithoutRequestDoesNotPanic: transports passed with
// WithHTTPClient (recorders, caches, test doubles) may answer a response
// whose Request is nil. A 401 is not retried (the auth transport renews
// tokens itself, from the request it sent, not from resp.Request).
func TestUnauthorizedWithoutRequestDoesNotPanic(t *testing.T) {
	t.Parallel()
	call := &Call{Method: "GET", Path: "/x", Attempt: 1}
	resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{}, Body: http.NoBody}
	retry, err := fastPolicy().CheckRetry(WithCall(context.Background(), call), resp, nil)
	if err != nil || retry {
		t.Fatalf("retry %v, err %v; want no retry", retry, err)
	}
}

// TestMayHaveApplied: set after a retried failure that may have been
// processed (a lost connection, a 5xx), not after a 429.
func TestMayHaveApplied(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		status int
		want   bool
	}{{500, true}, {503, true}, {429, false}} {
		var n atomic.Int32
		_, call, err := run(t, context.Background(), fastPolicy(), "DELETE", func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.WriteHeader(tt.status)
				return
			}
			w.WriteHeader(http.StatusNotFound)
		})
		if err != nil || call.MayHaveApplied != tt.want {
			t.Errorf("%d then 404: MayHaveApplied %v, err %v; want %v", tt.status, call.MayHaveApplied, err, tt.want)
		}
	}
}

// read is what the client's rate-limit layer records for the policy: the
// answer's headers, read once.
func read(h http.Header) *answer.Answer {
	a := answer.Read(h)
	return &a
}
