package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// seen records what a test server was sent.
type seen struct {
	mu     sync.Mutex
	auth   []string
	bodies []string
}

func (s *seen) add(r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.auth = append(s.auth, r.Header.Get(HeaderAuthorization))
	s.bodies = append(s.bodies, string(b))
}

func (s *seen) get() ([]string, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...), append([]string(nil), s.bodies...)
}

// closeCounter is a request body that counts its Close calls.
type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

// TestTokenRenewedOnceAfterA401: the API's 401 renews the token once, and
// the request goes again with the new one and the same body; a second 401
// is the answer. No renewal is tried when the request cannot be sent again,
// when the source has nothing newer, or for an answer that is not a 401.
func TestTokenRenewedOnceAfterA401(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		accept    string // the token the server accepts: "" none
		source    string // "refresher" (a new token on every fetch) or "static" (always tok-0)
		body      string // "" none; "rewindable"; "once" (no GetBody)
		status    int    // the answer the client gets
		wantAuth  []string
		wantBody  string // on every request
		wantFetch int32  // fetches after the initial token
	}{
		{name: "renewed and sent again", accept: "Bearer tok-1", source: "refresher", status: 200,
			wantAuth: []string{"Bearer tok-0", "Bearer tok-1"}, wantFetch: 1},
		{name: "sent again with its body", accept: "Bearer tok-1", source: "refresher", body: "rewindable", status: 200,
			wantAuth: []string{"Bearer tok-0", "Bearer tok-1"}, wantBody: `{"a":1}`, wantFetch: 1},
		{name: "renewed once only", source: "refresher", status: 401,
			wantAuth: []string{"Bearer tok-0", "Bearer tok-1"}, wantFetch: 1},
		{name: "a body that cannot be rewound: the 401 as it is", accept: "Bearer tok-1", source: "refresher", body: "once", status: 401,
			wantAuth: []string{"Bearer tok-0"}, wantBody: `{"a":1}`, wantFetch: 0},
		{name: "the source has nothing newer: the 401 as it is", source: "static", status: 401,
			wantAuth: []string{"Bearer tok-0"}, wantFetch: 1},
		{name: "an explicit empty body is sent again", accept: "Bearer tok-1", source: "refresher", body: "nobody", status: 200,
			wantAuth: []string{"Bearer tok-0", "Bearer tok-1"}, wantFetch: 1},
		{name: "a success costs no renewal", accept: "Bearer tok-0", source: "refresher", status: 200,
			wantAuth: []string{"Bearer tok-0"}, wantFetch: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var s seen
			u := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				s.add(r)
				if r.Header.Get(HeaderAuthorization) != tt.accept {
					w.WriteHeader(http.StatusUnauthorized)
					io.WriteString(w, `{"error":{"code":"unauthorized"}}`)
				}
			})
			var fetches atomic.Int32
			var cred *Token
			if tt.source == "static" {
				cred = NewToken(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok-0", TokenType: "Bearer"}))
				h := http.Header{}
				if err := cred.apply(context.Background(), h); err != nil { // the first token
					t.Fatal(err)
				}
				fetches.Add(1)
			} else {
				cred = NewRefresher(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
					return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", fetches.Add(1))}, nil
				}, &oauth2.Token{AccessToken: "tok-0"}, time.Hour, nil)
			}
			tr := NewTransport(http.DefaultTransport, cred, u)
			var req *http.Request
			var err error
			switch tt.body {
			case "":
				req, err = http.NewRequest("GET", u.String()+"/v1/x", nil)
			case "rewindable":
				req, err = http.NewRequest("POST", u.String()+"/v1/x", strings.NewReader(`{"a":1}`))
			case "nobody":
				req, err = http.NewRequest("GET", u.String()+"/v1/x", nil)
				req.Body, req.GetBody = http.NoBody, nil
			case "once":
				req, err = http.NewRequest("POST", u.String()+"/v1/x", io.NopCloser(strings.NewReader(`{"a":1}`)))
			}
			if err != nil {
				t.Fatal(err)
			}
			resp, err := tr.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			auth, bodies := s.get()
			if resp.StatusCode != tt.status || strings.Join(auth, "|") != strings.Join(tt.wantAuth, "|") {
				t.Errorf("status %d after requests with %q; want %d after %q", resp.StatusCode, auth, tt.status, tt.wantAuth)
			}
			for i, b := range bodies {
				if b != tt.wantBody {
					t.Errorf("request %d carried body %q, want %q", i+1, b, tt.wantBody)
				}
			}
			if n := fetches.Load(); n != tt.wantFetch {
				t.Errorf("%d fetches, want %d", n, tt.wantFetch)
			}
		})
	}
}

// TestTokenRenewalFailureAfterA401: when the token refused with a 401
// cannot be renewed, the caller gets the 401, and the report says why.
func TestTokenRenewalFailureAfterA401(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	u := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusUnauthorized)
	})
	endpoint := errors.New("the token endpoint is down")
	cred := NewRefresher(func(context.Context, *oauth2.Token) (*oauth2.Token, error) { return nil, endpoint },
		&oauth2.Token{AccessToken: "tok-0"}, time.Hour, nil)
	var report Report
	req, _ := http.NewRequestWithContext(WithReport(context.Background(), &report), "GET", u.String(), nil)
	resp, err := NewTransport(http.DefaultTransport, cred, u).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var e *Error
	if resp.StatusCode != 401 || n.Load() != 1 || !errors.As(report.Err, &e) || !errors.Is(report.Err, endpoint) {
		t.Fatalf("status %d after %d requests, report %v; want the 401 once and the renewal's *Error", resp.StatusCode, n.Load(), report.Err)
	}
}

// TestTokenFetchFailureBeforeSending: a token that cannot be had ends the
// request unsent, with a typed error, and its body closed.
func TestTokenFetchFailureBeforeSending(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	u := newServer(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	for _, tok := range []*oauth2.Token{nil, {AccessToken: ""}} {
		cred := NewRefresher(func(context.Context, *oauth2.Token) (*oauth2.Token, error) { return tok, nil }, nil, time.Hour, nil)
		body := &closeCounter{Reader: strings.NewReader("{}")}
		req, _ := http.NewRequest("POST", u.String(), body)
		resp, err := NewTransport(http.DefaultTransport, cred, u).RoundTrip(req)
		if resp != nil {
			resp.Body.Close()
		}
		var e *Error
		if !errors.As(err, &e) || !strings.Contains(err.Error(), "no access token") {
			t.Errorf("token %v: err %v, want an *Error saying there is no access token", tok, err)
		}
		if body.closed.Load() == 0 {
			t.Errorf("token %v: the unsent request's body was not closed", tok)
		}
	}
	if n.Load() != 0 {
		t.Errorf("%d requests sent without a token", n.Load())
	}
}

// TestTokenWithoutAccessTokenIsFetchedFirst: an initial token that has a
// refresh token but no access token is renewed before the first request.
func TestTokenWithoutAccessTokenIsFetchedFirst(t *testing.T) {
	t.Parallel()
	f := &fakeFetch{}
	tok := NewRefresher(f.fetch, &oauth2.Token{RefreshToken: "ref-0"}, time.Hour, nil)
	h := http.Header{}
	if err := tok.apply(context.Background(), h); err != nil || h.Get(HeaderAuthorization) != "Bearer tok-1" {
		t.Fatalf("%q, %v; want Bearer tok-1", h.Get(HeaderAuthorization), err)
	}
}

// TestTokenExpiryOfEachNewToken: each token is renewed by its own expiry:
// one without expiry and without a lifetime never expires, whatever the
// token before it said; one without expiry lasts the lifetime.
func TestTokenExpiryOfEachNewToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, lifetime := range []time.Duration{0, time.Hour} {
		f := &fakeFetch{}
		tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0", Expiry: now.Add(-time.Minute)}, lifetime, nil)
		tok.now = func() time.Time { return now }
		for range 3 {
			if err := tok.apply(context.Background(), http.Header{}); err != nil {
				t.Fatal(err)
			}
		}
		if n := f.n.Load(); n != 1 {
			t.Errorf("lifetime %v: %d fetches for an expired token and two calls, want 1", lifetime, n)
		}
	}
}

// TestTokenNotifiedOnlyOfANewToken: a renewal that gives back the token in
// use, unchanged, is nothing to tell.
func TestTokenNotifiedOnlyOfANewToken(t *testing.T) {
	t.Parallel()
	same := &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}
	var notified atomic.Int32
	tok := NewRefresher(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
		c := *same
		return &c, nil
	}, same, time.Hour, func(*oauth2.Token) { notified.Add(1) })
	if _, err := tok.renew(context.Background(), "tok-0"); err != nil {
		t.Fatal(err)
	}
	if n := notified.Load(); n != 0 {
		t.Errorf("notified %d times of the same token", n)
	}
}

// TestTokenSecretsKeepTheLatestReplaced: the tokens replaced lately stay
// redacted (a server may quote one back), the two latest, beside the
// current one and the client secret.
func TestTokenSecretsKeepTheLatestReplaced(t *testing.T) {
	t.Parallel()
	f := &fakeFetch{}
	tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}, time.Hour, nil, "client-secret", "")
	for i := range 3 {
		if _, err := tok.renew(context.Background(), fmt.Sprintf("tok-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	got := strings.Join(Secrets(tok), " ")
	if want := "client-secret tok-1 ref-1 tok-2 ref-2 tok-3 ref-3"; got != want {
		t.Errorf("Secrets = %q, want %q", got, want)
	}
	if s := Secret(tok); s != "tok-3" {
		t.Errorf("Secret = %q, want tok-3", s)
	}
}

// TestAPIKeySecret: the secret of an API key is the key, in either header.
func TestAPIKeySecret(t *testing.T) {
	t.Parallel()
	for _, inHeader := range []bool{false, true} {
		k := NewAPIKey("λ_sk_1", inHeader)
		if s := Secret(k); s != "λ_sk_1" {
			t.Errorf("inHeader %v: Secret = %q", inHeader, s)
		}
		if s := Secrets(k); len(s) != 1 || s[0] != "λ_sk_1" {
			t.Errorf("inHeader %v: Secrets = %q", inHeader, s)
		}
	}
}

// TestSameOrigin: the credential goes only to the API's scheme, host and
// port, exactly.
func TestSameOrigin(t *testing.T) {
	t.Parallel()
	api, _ := url.Parse("https://api.example:8443/v1")
	tr := NewTransport(http.DefaultTransport, NewAPIKey("k", false), api)
	tests := map[string]bool{
		"https://api.example:8443/v1/instances":        true,
		"https://api.example:8443":                     true,
		"http://api.example:8443/v1":                   false,
		"hxxps://api.example:8443/v1":                  false, // another scheme of the same length
		"https://api.example/v1":                       false,
		"https://api.example:8444/v1":                  false,
		"https://api.example:84431/v1":                 false,
		"https://api.examplf:8443/v1":                  false,
		"https://evil.example:8443/v1":                 false,
		"a-very-long-scheme-name+x://api.example:8443": false,
	}
	for raw, want := range tests {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.sameOrigin(u); got != want {
			t.Errorf("sameOrigin(%s) = %v, want %v", raw, got, want)
		}
	}
}

// TestHeaderValueProblem: every byte net/http refuses in a header value is
// named, the first one met; tabs and bytes from 0x80 pass.
func TestHeaderValueProblem(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"plain":    "",
		"a\tb":     "",
		"λ_sk_1":   "",
		"\x80\xff": "",
		"a\rb":     "contains a line break",
		"a\nb":     "contains a line break",
		"\r":       "contains a line break",
		"a\x00b":   "contains a NUL byte",
		"\x00":     "contains a NUL byte",
		"\x01":     "contains the control character 0x01",
		"a\x1fb":   "contains the control character 0x1F",
		"a\x7f":    "contains the control character 0x7F",
		"\x01\n":   "contains the control character 0x01",
	}
	for v, want := range tests {
		if got := HeaderValueProblem(v); got != want {
			t.Errorf("HeaderValueProblem(%q) = %q, want %q", v, got, want)
		}
	}
}

// TestTokenTransportFailureIsReturned: a request that got no answer (the
// server hung up) returns the transport's error; there is no 401 to renew on.
func TestTokenTransportFailureIsReturned(t *testing.T) {
	t.Parallel()
	u := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			conn.Close()
		}
	})
	f := &fakeFetch{}
	tr := NewTransport(http.DefaultTransport, NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0"}, time.Hour, nil), u)
	req, _ := http.NewRequest("GET", u.String(), nil)
	resp, err := tr.RoundTrip(req)
	if err == nil {
		resp.Body.Close()
		t.Fatal("no error from a server that hung up")
	}
	if n := f.n.Load(); n != 0 {
		t.Errorf("%d renewals after a failure that was not a 401", n)
	}
}

// ctxFetch is a fetch that waits for its gate or its context, and counts
// its calls; it panics on the call panicOn (from 1).
type ctxFetch struct {
	gate    chan struct{}
	n       atomic.Int32
	panicOn int32
}

func (f *ctxFetch) fetch(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
	n := f.n.Add(1)
	if n == f.panicOn {
		panic("the token source broke")
	}
	select {
	case <-f.gate:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", n)}, nil
}

// renewInFlight starts a renewal of tok-0 under ctx and returns once its
// fetch is under way, with the channel its outcome arrives on.
func renewInFlight(t *testing.T, ctx context.Context, tok *Token) <-chan error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := tok.renew(ctx, "tok-0")
		done <- err
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		tok.mu.Lock()
		inFlight := tok.flight != nil
		tok.mu.Unlock()
		if inFlight {
			return done
		}
		if time.Now().After(deadline) {
			t.Fatal("the renewal never started")
		}
	}
}

// within waits for ch, failing the test after a generous bound: a renewal
// that never returns is the fault these tests look for.
func within[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("%s never returned", what)
		panic("unreachable")
	}
}

// TestRefresherConcurrentRenewalsShareOneFetch: callers that meet the
// same refused token while it is being renewed wait for that renewal and
// get its token.
func TestRefresherConcurrentRenewalsShareOneFetch(t *testing.T) {
	t.Parallel()
	f := &ctxFetch{gate: make(chan struct{})}
	tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0"}, time.Hour, nil)
	leader := renewInFlight(t, context.Background(), tok)
	waiters := make(chan string, 3)
	for range 3 {
		go func() {
			got, err := tok.renew(context.Background(), "tok-0")
			if err != nil {
				waiters <- err.Error()
				return
			}
			waiters <- got.AccessToken
		}()
	}
	time.Sleep(20 * time.Millisecond) // let the waiters reach the flight (they pass either way)
	close(f.gate)
	if err := within(t, leader, "the renewal"); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if got := within(t, waiters, "a waiting renewal"); got != "tok-1" {
			t.Errorf("a waiter got %q, want tok-1", got)
		}
	}
	if n := f.n.Load(); n != 1 {
		t.Errorf("%d fetches, want 1", n)
	}
}

// TestRefresherCallersCancelledTogether: when the renewal's caller and a
// caller waiting for it are cancelled at once, the waiter returns its
// context's error; it does not take over a fetch it cannot run.
func TestRefresherCallersCancelledTogether(t *testing.T) {
	t.Parallel()
	for range 10 { // the waiter sees the flight end or its own cancel first, at random
		f := &ctxFetch{gate: make(chan struct{})}
		tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0"}, time.Hour, nil)
		ctx, cancel := context.WithCancel(context.Background())
		leader := renewInFlight(t, ctx, tok)
		waiter := make(chan error, 1)
		go func() {
			_, err := tok.renew(ctx, "tok-0")
			waiter <- err
		}()
		time.Sleep(5 * time.Millisecond)
		cancel()
		if err := within(t, leader, "the cancelled renewal"); !errors.Is(err, context.Canceled) {
			t.Fatalf("leader: %v", err)
		}
		if err := within(t, waiter, "the cancelled waiter"); !errors.Is(err, context.Canceled) {
			t.Fatalf("waiter: %v", err)
		}
	}
}

// TestRefresherAfterAPanickingFetch: a fetch that panics lets the panic go
// on, and leaves the token able to renew: the next call fetches again.
func TestRefresherAfterAPanickingFetch(t *testing.T) {
	t.Parallel()
	f := &ctxFetch{gate: make(chan struct{}), panicOn: 1}
	close(f.gate)
	tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0"}, time.Hour, nil)
	panicked := make(chan any, 1)
	go func() {
		defer func() { panicked <- recover() }()
		_, _ = tok.renew(context.Background(), "tok-0")
	}()
	if p := within(t, panicked, "the panicking renewal"); p == nil {
		t.Fatal("the fetch's panic did not reach its caller")
	}
	next := make(chan string, 1)
	go func() {
		got, err := tok.renew(context.Background(), "tok-0")
		if err != nil {
			next <- err.Error()
			return
		}
		next <- got.AccessToken
	}()
	if got := within(t, next, "the renewal after a panic"); got != "tok-2" {
		t.Errorf("after the panic: %q, want tok-2 from a new fetch", got)
	}
}

// TestRefresherKeepsANewRefreshTokenAlone: a renewal that changes only
// the refresh token is a new token: the next renewal sends it.
func TestRefresherKeepsANewRefreshTokenAlone(t *testing.T) {
	t.Parallel()
	var sent []string
	var n atomic.Int32
	tok := NewRefresher(func(_ context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
		sent = append(sent, cur.RefreshToken)
		return &oauth2.Token{AccessToken: "tok-0", RefreshToken: fmt.Sprintf("ref-%d", n.Add(1))}, nil
	}, &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}, 0, nil)
	for range 2 {
		if _, err := tok.renew(context.Background(), "tok-0"); err != nil {
			t.Fatal(err)
		}
	}
	if got := strings.Join(sent, " "); got != "ref-0 ref-1" {
		t.Errorf("the renewals sent %q, want \"ref-0 ref-1\"", got)
	}
}
