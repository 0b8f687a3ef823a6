package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

func newServer(t *testing.T, h http.HandlerFunc) *url.URL {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	u, err := url.Parse(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestAPIKeyBytesArriveUnchanged(t *testing.T) {
	t.Parallel()
	const key = "λ_sk_1234567890abcdef"
	tests := []struct {
		name     string
		inHeader bool
		header   string
		want     string
	}{
		{"bearer", false, "Authorization", "Bearer " + key},
		{"x-api-key", true, "X-API-Key", key},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got string
			var other string
			u := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				got = r.Header.Get(tt.header)
				other = r.Header.Get("Authorization") + r.Header.Get("X-API-Key")
			})
			c := &http.Client{Transport: NewTransport(http.DefaultTransport, NewAPIKey(key, tt.inHeader), u)}
			resp, err := c.Get(u.String() + "/v1/instances")
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if got != tt.want || []byte(got)[len(got)-len(key)] != []byte(key)[0] {
				t.Fatalf("%s = %q, want %q", tt.header, got, tt.want)
			}
			if other != tt.want {
				t.Fatalf("credential sent in more than one header: %q", other)
			}
		})
	}
}

func TestCredentialStaysOnItsOrigin(t *testing.T) {
	t.Parallel()
	var leaked atomic.Value
	leaked.Store("")
	other := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		leaked.Store(r.Header.Get("Authorization") + r.Header.Get("X-API-Key"))
	})
	for _, inHeader := range []bool{false, true} {
		api := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.String()+"/elsewhere", http.StatusFound)
		})
		c := &http.Client{Transport: NewTransport(http.DefaultTransport, NewAPIKey("secret-key", inHeader), api)}
		resp, err := c.Get(api.String() + "/v1/instances")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if s := leaked.Load().(string); s != "" {
			t.Fatalf("credential crossed to another host: %q", s)
		}
	}
}

func TestTransportDoesNotModifyRequest(t *testing.T) {
	t.Parallel()
	u := newServer(t, func(w http.ResponseWriter, r *http.Request) {})
	tr := NewTransport(http.DefaultTransport, NewAPIKey("k", false), u)
	req, _ := http.NewRequest("GET", u.String(), nil)
	resp, err := tr.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if len(req.Header) != 0 {
		t.Fatalf("RoundTrip modified the caller's request: %v", req.Header)
	}
}

type countingSource struct {
	n      atomic.Int32
	expiry time.Time
	err    error
}

func (s *countingSource) Token() (*oauth2.Token, error) {
	if s.err != nil {
		return nil, s.err
	}
	n := s.n.Add(1)
	return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", n), TokenType: "Bearer", Expiry: s.expiry}, nil
}

func TestTokenReusedUntilRefreshed(t *testing.T) {
	t.Parallel()
	src := &countingSource{expiry: time.Now().Add(time.Hour)}
	tok := NewToken(src)
	h := http.Header{}
	for range 3 {
		if err := tok.apply(context.Background(), h); err != nil {
			t.Fatal(err)
		}
	}
	if h.Get("Authorization") != "Bearer tok-1" || src.n.Load() != 1 {
		t.Fatalf("token not reused: %q after %d fetches", h.Get("Authorization"), src.n.Load())
	}
	if got, err := tok.renew(context.Background(), "tok-1"); err != nil || got.AccessToken != "tok-2" {
		t.Fatalf("renewing after a 401 gave %v, %v", got, err)
	}
	if got, _ := tok.renew(context.Background(), "tok-1"); got.AccessToken != "tok-2" || src.n.Load() != 2 {
		t.Fatal("a second caller refused the same token must not renew again")
	}
	_ = tok.apply(context.Background(), h)
	if h.Get("Authorization") != "Bearer tok-2" {
		t.Fatalf("after refresh: %q", h.Get("Authorization"))
	}
}

func TestTokenExpiredIsRefreshedTransparently(t *testing.T) {
	t.Parallel()
	src := &countingSource{expiry: time.Now().Add(-time.Minute)}
	tok := NewToken(src)
	h := http.Header{}
	_ = tok.apply(context.Background(), h)
	_ = tok.apply(context.Background(), h)
	if src.n.Load() != 2 {
		t.Fatalf("expired token reused: %d fetches", src.n.Load())
	}
}

func TestTokenErrorsAreTypedAndRedacted(t *testing.T) {
	t.Parallel()
	tok := NewToken(&countingSource{err: errors.New("token endpoint down")})
	err := tok.apply(context.Background(), http.Header{})
	var ae *Error
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), "token endpoint down") {
		t.Fatalf("err = %v", err)
	}
	for _, v := range []any{NewAPIKey("sekrit", false), tok} {
		for _, f := range []string{"%v", "%+v", "%#v", "%s"} {
			if s := fmt.Sprintf(f, v); strings.Contains(s, "sekrit") || strings.Contains(s, "tok-") {
				t.Fatalf("%s printed a credential: %s", f, s)
			}
		}
	}
}

// go-retryablehttp calls CloseIdleConnections on its client after every
// failed call; http.Client forwards it to the transport only if the
// transport has the method. Transport must not, or the pool is emptied.
func TestTransportHasNoCloseIdleConnections(t *testing.T) {
	t.Parallel()
	var rt http.RoundTripper = NewTransport(http.DefaultTransport, NewAPIKey("k", false), &url.URL{Scheme: "https", Host: "api.lambda.io"})
	if _, ok := rt.(interface{ CloseIdleConnections() }); ok {
		t.Fatal("auth.Transport has CloseIdleConnections: failed calls would close the client's idle connections")
	}
}

// fakeFetch hands out tok-1, tok-2, … with no expiry, after gate (if any)
// lets it through.
type fakeFetch struct {
	n    atomic.Int32
	gate chan struct{}
}

func (f *fakeFetch) fetch(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
	if f.gate != nil {
		select {
		case <-f.gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	n := f.n.Add(1)
	return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", n), RefreshToken: fmt.Sprintf("ref-%d", n)}, nil
}

func TestRefresherTokenWithoutExpiryLastsItsLifetime(t *testing.T) {
	t.Parallel()
	f := &fakeFetch{}
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}, 30*24*time.Hour, nil)
	tok.now = func() time.Time { return now }
	tok.store(&oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}) // again, on the fake clock
	h := http.Header{}
	now = now.Add(30*24*time.Hour - time.Minute)
	if err := tok.apply(context.Background(), h); err != nil || h.Get("Authorization") != "Bearer tok-0" || f.n.Load() != 0 {
		t.Fatalf("within 30 days: %q, %d fetches, %v", h.Get("Authorization"), f.n.Load(), err)
	}
	now = now.Add(time.Minute)
	if err := tok.apply(context.Background(), h); err != nil || h.Get("Authorization") != "Bearer tok-1" {
		t.Fatalf("after 30 days: %q, %v", h.Get("Authorization"), err)
	}
}

// A renewal whose caller is cancelled does not fail the callers waiting
// for it: one of them fetches instead.
func TestRefresherCancelledLeaderHandsOver(t *testing.T) {
	t.Parallel()
	f := &fakeFetch{gate: make(chan struct{})}
	tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}, time.Hour, nil)
	leaderCtx, cancel := context.WithCancel(context.Background())
	leaderDone := make(chan error, 1)
	go func() {
		_, err := tok.renew(leaderCtx, "tok-0")
		leaderDone <- err
	}()
	for { // wait until the leader's flight exists
		tok.mu.Lock()
		inFlight := tok.flight != nil
		tok.mu.Unlock()
		if inFlight {
			break
		}
		time.Sleep(time.Millisecond)
	}
	waiterDone := make(chan *oauth2.Token, 1)
	go func() {
		got, _ := tok.renew(context.Background(), "tok-0")
		waiterDone <- got
	}()
	cancel()
	if err := <-leaderDone; !errors.Is(err, context.Canceled) {
		t.Fatalf("leader: %v", err)
	}
	close(f.gate)
	select {
	case got := <-waiterDone:
		if got == nil || got.AccessToken != "tok-1" {
			t.Fatalf("waiter got %v", got)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the waiter never got a token")
	}
}

func TestRefresherNotifiesEachNewTokenInOrder(t *testing.T) {
	t.Parallel()
	f := &fakeFetch{}
	var got []string
	tok := NewRefresher(f.fetch, &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0"}, time.Hour,
		func(t *oauth2.Token) { got = append(got, t.RefreshToken) })
	for i := range 3 {
		if _, err := tok.renew(context.Background(), fmt.Sprintf("tok-%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	// A stale 401 (for tok-0, long replaced) renews nothing and notifies nobody.
	if _, err := tok.renew(context.Background(), "tok-0"); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "ref-1,ref-2,ref-3" || f.n.Load() != 3 {
		t.Fatalf("notified %v after %d fetches", got, f.n.Load())
	}
}

// Every byte a header value cannot carry, in the access token or in the
// token type, makes the token endpoint's answer a fetch error, never a
// header (no injection, no net/http error on each call), and the token is
// not kept: the next call asks again. Tab and bytes from 0x80 travel.
func TestRefresherRefusesATokenNoHeaderCanCarry(t *testing.T) {
	t.Parallel()
	var bad []byte
	for c := 0; c < 0x20; c++ {
		if c != '\t' {
			bad = append(bad, byte(c))
		}
	}
	bad = append(bad, 0x7f)
	for _, c := range bad {
		for _, field := range []string{"access_token", "token_type"} {
			tok := &oauth2.Token{AccessToken: "tok_aaaaaaaa", TokenType: "Bearer"}
			if field == "access_token" {
				tok.AccessToken = "tok_aaaa" + string(c) + "aaaa"
			} else {
				tok.TokenType = "Bearer" + string(c)
			}
			var fetches atomic.Int32
			r := NewRefresher(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
				fetches.Add(1)
				c := *tok
				return &c, nil
			}, nil, time.Hour, nil)
			for range 2 {
				h := http.Header{}
				err := r.apply(context.Background(), h)
				var ae *Error
				if !errors.As(err, &ae) || h.Get(HeaderAuthorization) != "" || strings.Contains(err.Error(), tok.AccessToken) {
					t.Fatalf("%s with %#x: header %q, error %v", field, c, h.Get(HeaderAuthorization), err)
				}
			}
			if n := fetches.Load(); n != 2 {
				t.Errorf("%s with %#x: %d fetches for 2 calls, want 2 (the token is not kept)", field, c, n)
			}
		}
	}
	for _, access := range []string{"tok\taaaaaaa", "tök_λλλλ", "tok aaaaaaaa", "tok_\x80\xff"} {
		r := NewRefresher(func(context.Context, *oauth2.Token) (*oauth2.Token, error) {
			return &oauth2.Token{AccessToken: access}, nil
		}, nil, time.Hour, nil)
		h := http.Header{}
		if err := r.apply(context.Background(), h); err != nil || h.Get(HeaderAuthorization) != "Bearer "+access {
			t.Errorf("%q: header %q, error %v", access, h.Get(HeaderAuthorization), err)
		}
	}
}

// A token endpoint may renew a token by extending it: the same access
// token with a new expiry, or with a new refresh token. That answer is
// kept (and notified) like any new token: with the old expiry kept, every
// call would renew again, and with the old refresh token, the next
// renewal would send one that rotation spent.
func TestRefresherKeepsARenewalThatKeepsTheAccessToken(t *testing.T) {
	t.Parallel()
	start := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) // the fake clock of every subtest; each moves its own
	tests := []struct {
		name string
		next func(n int32) *oauth2.Token // the n-th answer, from 1
	}{
		{"a new expiry", func(int32) *oauth2.Token {
			return &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0", Expiry: start.Add(time.Hour)}
		}},
		{"a new refresh token and expiry", func(n int32) *oauth2.Token {
			return &oauth2.Token{AccessToken: "tok-0", RefreshToken: fmt.Sprintf("ref-%d", n), Expiry: start.Add(time.Hour)}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			now := start
			var fetches atomic.Int32
			var sentRefresh []string
			var notified []*oauth2.Token
			tok := NewRefresher(func(_ context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
				sentRefresh = append(sentRefresh, cur.RefreshToken)
				return tt.next(fetches.Add(1)), nil
			}, &oauth2.Token{AccessToken: "tok-0", RefreshToken: "ref-0", Expiry: start.Add(-time.Minute)}, time.Hour,
				func(tok *oauth2.Token) { notified = append(notified, tok) })
			tok.now = func() time.Time { return now }
			for i := range 3 {
				h := http.Header{}
				if err := tok.apply(context.Background(), h); err != nil || h.Get(HeaderAuthorization) != "Bearer tok-0" {
					t.Fatalf("call %d: %q, %v", i, h.Get(HeaderAuthorization), err)
				}
			}
			if n := fetches.Load(); n != 1 {
				t.Errorf("%d renewals for 3 calls, want 1: the extended token was not kept", n)
			}
			if len(notified) != 1 || !notified[0].Expiry.Equal(start.Add(time.Hour)) {
				t.Errorf("notified %v, want the extended token once", notified)
			}
			// Past the new expiry, the renewal sends the refresh token the last answer gave.
			now = now.Add(time.Hour)
			if err := tok.apply(context.Background(), http.Header{}); err != nil {
				t.Fatal(err)
			}
			if want := tt.next(1).RefreshToken; sentRefresh[len(sentRefresh)-1] != want {
				t.Errorf("the renewal sent refresh token %q, want %q", sentRefresh[len(sentRefresh)-1], want)
			}
		})
	}
}
