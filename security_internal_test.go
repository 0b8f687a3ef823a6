package lambda

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// TestEveryPathIsCheckedBeforeSending pins the guard behind requireID: a
// call whose path holds a segment that is not one opaque segment is
// refused by do itself, so a service method that forgot requireID still
// sends nothing.
func TestEveryPathIsCheckedBeforeSending(t *testing.T) {
	t.Parallel()
	var sent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { sent.Add(1) }))
	defer srv.Close()
	c, err := NewClient(WithAPIKey("λ_sk_internal_test"), WithBaseURL(srv.URL+"/v1"), WithMaxRetries(0))
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"", ".", "..", "a/b", "%2e%2e", "..;", "a\nb", "．．"} {
		for _, p := range []string{path("account", "api-keys", id), path("instances", id, "start")} {
			_, err := c.do(context.Background(), call{method: http.MethodDelete, path: p})
			var e *Error
			if !errors.Is(err, ErrInvalidRequest) || !errors.As(err, &e) || e.Details == nil || e.Details.Field != "id" {
				t.Errorf("do(%q) = %v, want an invalid-request error naming id", p, err)
			}
		}
		if _, err := newMetricStream(c, id, streamConfig(nil), nil); !errors.Is(err, ErrInvalidRequest) {
			t.Errorf("newMetricStream(%q) = %v, want an invalid-request error", id, err)
		}
	}
	if n := sent.Load(); n != 0 {
		t.Errorf("%d requests were sent", n)
	}
}

// TestOnlyTheAPIsAnswersFeedTheRateLimitTracker pins the second line of
// defence behind the redirect check: an answer from another origin that
// reaches the transport is not read for rate-limit figures.
func TestOnlyTheAPIsAnswersFeedTheRateLimitTracker(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "7")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "4102444800")
	}))
	defer srv.Close()
	c, err := NewClient(WithAPIKey("λ_sk_internal_test"), WithBaseURL("https://api.lambda.io/v1"))
	if err != nil {
		t.Fatal(err)
	}
	bt := &budgetTransport{base: http.DefaultTransport, limits: &c.limits, api: c.baseURL, maxWait: time.Minute}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/instances", nil)
	resp, err := bt.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if rl, ok := c.RateLimit(); ok {
		t.Errorf("another origin's figures were recorded: %+v", rl)
	}
	if _, wait := c.limits.Take("instances", time.Now()); wait > 0 {
		t.Errorf("the next call would wait %v for another origin's window", wait)
	}
}
