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
