// Package auth puts the caller's credential on requests to the Lambda API,
// and only on those: a request to any other origin (a redirect to another
// host, or from https to http) leaves without it.
package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"

	"golang.org/x/oauth2"
)

// Header names a credential may travel in.
const (
	HeaderAuthorization = "Authorization"
	HeaderAPIKey        = "X-API-Key"
)

// Credential sets the credential headers on an outgoing request.
type Credential interface {
	apply(h http.Header) error
}

// APIKey sends a static key, as a bearer token or in X-API-Key.
type APIKey struct {
	header string // canonical header name
	value  string // the full header value, built once
}

// NewAPIKey returns a key sent as "Authorization: Bearer <key>", or as
// "X-API-Key: <key>" when inHeader is true. The key's bytes are sent as
// they are: keys contain non-ASCII characters ("λ_sk_…").
func NewAPIKey(key string, inHeader bool) *APIKey {
	if inHeader {
		return &APIKey{header: http.CanonicalHeaderKey(HeaderAPIKey), value: key}
	}
	return &APIKey{header: HeaderAuthorization, value: "Bearer " + key}
}

func (k *APIKey) apply(h http.Header) error {
	// A slice of the request's own: a transport below that edits the value
	// in place must not change the next request's credential.
	h[k.header] = []string{k.value}
	return nil
}

// String keeps the key out of logs and %v.
func (k *APIKey) String() string { return "APIKey{REDACTED}" }

// GoString keeps the key out of %#v.
func (k *APIKey) GoString() string { return k.String() }

// Token sends OAuth 2.0 access tokens from a token source, reusing a token
// until it expires and refreshing it on demand after a 401.
type Token struct {
	src oauth2.TokenSource

	mu  sync.Mutex
	tok *oauth2.Token
}

// NewToken wraps src. src may itself cache tokens; Refresh then asks it again.
func NewToken(src oauth2.TokenSource) *Token { return &Token{src: src} }

func (t *Token) apply(h http.Header) error {
	tok, err := t.current()
	if err != nil {
		return err
	}
	h.Set(HeaderAuthorization, tok.Type()+" "+tok.AccessToken)
	return nil
}

func (t *Token) current() (*oauth2.Token, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok.Valid() {
		return t.tok, nil
	}
	return t.fetchLocked()
}

func (t *Token) fetchLocked() (*oauth2.Token, error) {
	tok, err := t.src.Token()
	if err != nil {
		return nil, &Error{err: err}
	}
	if tok == nil || tok.AccessToken == "" {
		return nil, &Error{err: errors.New("token source returned an empty token")}
	}
	t.tok = tok
	return tok, nil
}

// Refresh is called after the API refused the Authorization value sent.
// Unless another call already replaced that token, it fetches a new one.
// It reports whether the next attempt will carry a different token, which
// is the only case where trying again can help.
func (t *Token) Refresh(sent string) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tok != nil && t.tok.Type()+" "+t.tok.AccessToken != sent {
		return true // a concurrent call has refreshed it already
	}
	tok, err := t.fetchLocked()
	if err != nil {
		return false
	}
	return tok.Type()+" "+tok.AccessToken != sent
}

// String keeps tokens out of logs and %v.
func (t *Token) String() string { return "Token{REDACTED}" }

// GoString keeps tokens out of %#v.
func (t *Token) GoString() string { return t.String() }

// Error reports a failure to obtain a token. It is not retried.
type Error struct{ err error }

// Error says that no token could be had, and why.
func (e *Error) Error() string { return "lambda: obtaining an OAuth2 token: " + e.err.Error() }

// Unwrap returns the token source's error.
func (e *Error) Unwrap() error { return e.err }

// Transport adds the credential to requests bound for the API's origin.
type Transport struct {
	Base       http.RoundTripper
	Credential Credential
	origin     string // scheme://host[:port]
}

// NewTransport returns a Transport that sends cred only to base's origin.
func NewTransport(base http.RoundTripper, cred Credential, apiURL *url.URL) *Transport {
	return &Transport{Base: base, Credential: cred, origin: apiURL.Scheme + "://" + apiURL.Host}
}

// RoundTrip implements http.RoundTripper. It never modifies req: the
// credential goes on a copy, so net/http's redirect logic, which copies the
// original request's headers, never sees it.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	if !t.sameOrigin(req.URL) {
		return t.Base.RoundTrip(req)
	}
	r2 := new(http.Request)
	*r2 = *req
	r2.Header = make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		r2.Header[k] = v
	}
	if err := t.Credential.apply(r2.Header); err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	return t.Base.RoundTrip(r2)
}

func (t *Transport) sameOrigin(u *url.URL) bool {
	n := len(u.Scheme)
	return len(t.origin) == n+3+len(u.Host) &&
		t.origin[:n] == u.Scheme && t.origin[n:n+3] == "://" && t.origin[n+3:] == u.Host
}

// CloseIdleConnections is deliberately absent: go-retryablehttp closes the
// idle connections of its client after every failed call, which would
// throw away the keep-alive pool under a burst of 503s. Without the method
// on the outermost transport, http.Client.CloseIdleConnections is a no-op.
var _ http.RoundTripper = (*Transport)(nil)

// String keeps the credential out of %v.
func (t *Transport) String() string { return fmt.Sprintf("auth.Transport{origin: %s}", t.origin) }

// Secret returns what of c must never be shown: the API key, or the access
// token in use ("" before one was fetched).
func Secret(c Credential) string {
	switch c := c.(type) {
	case *APIKey:
		h := http.Header{}
		_ = c.apply(h)
		if v := h.Get(HeaderAPIKey); v != "" {
			return v
		}
		if v := h.Get(HeaderAuthorization); len(v) > len("Bearer ") && v[:len("Bearer ")] == "Bearer " {
			return v[len("Bearer "):]
		}
	case *Token:
		c.mu.Lock()
		defer c.mu.Unlock()
		if c.tok != nil {
			return c.tok.AccessToken
		}
	}
	return ""
}
