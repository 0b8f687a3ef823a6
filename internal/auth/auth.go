// Package auth puts the caller's credential on requests to the Lambda API,
// and only on those: a request to any other origin (a redirect to another
// host, or from https to http) leaves without it.
package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// Header names a credential may travel in.
const (
	HeaderAuthorization = "Authorization"
	HeaderAPIKey        = "X-API-Key"
)

// HeaderValueProblem says why v cannot be sent in a header, or "": net/http
// refuses a value with a control character other than tab, on every call
// and with an untyped error. A credential is such a value, and so is every
// header the client sets, which the root package checks with it where an
// option gives them. Bytes from 0x80 are fine, as an API key's "λ" is.
func HeaderValueProblem(v string) string {
	for i := 0; i < len(v); i++ {
		switch b := v[i]; {
		case b == '\r' || b == '\n':
			return "contains a line break"
		case b == 0:
			return "contains a NUL byte"
		case b < 0x20 && b != '\t' || b == 0x7f:
			return fmt.Sprintf("contains the control character 0x%02X", b)
		}
	}
	return ""
}

// Credential sets the credential headers on an outgoing request.
type Credential interface {
	apply(ctx context.Context, h http.Header) error
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

func (k *APIKey) apply(_ context.Context, h http.Header) error {
	// A slice of the request's own: a transport below that edits the value
	// in place must not change the next request's credential.
	h[k.header] = []string{k.value}
	return nil
}

// String keeps the key out of logs and %v.
func (k *APIKey) String() string { return "APIKey{REDACTED}" }

// GoString keeps the key out of %#v.
func (k *APIKey) GoString() string { return k.String() }

// Transport adds the credential to requests bound for the API's origin.
type Transport struct {
	Base       http.RoundTripper
	Credential Credential
	origin     string // scheme://host[:port]
}

// credentialedRequest is the copy of a request that carries the credential,
// with room for an API key's header value.
type credentialedRequest struct {
	req   http.Request
	value [1]string
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
	// The copy and the API key's value come in one allocation: the value
	// is a slice of this request's own, so a transport below that edits it
	// in place changes no other request's credential.
	c := new(credentialedRequest)
	r2 := &c.req
	*r2 = *req
	r2.Header = make(http.Header, len(req.Header)+1)
	for k, v := range req.Header {
		r2.Header[k] = v
	}
	var err error
	if k, ok := t.Credential.(*APIKey); ok {
		c.value[0] = k.value
		r2.Header[k.header] = c.value[:1:1]
	} else {
		err = t.Credential.apply(req.Context(), r2.Header)
	}
	if err != nil {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, err
	}
	resp, err := t.Base.RoundTrip(r2)
	if tok, ok := t.Credential.(*Token); ok && err == nil && resp.StatusCode == http.StatusUnauthorized {
		return tok.retry(t.Base, r2, resp)
	}
	return resp, err
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

// Secret returns the secret c sends on requests: the API key, or the access
// token in use ("" before one was fetched). Secrets lists all there is to hide.
func Secret(c Credential) string {
	switch c := c.(type) {
	case *APIKey:
		h := http.Header{}
		_ = c.apply(context.Background(), h)
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

// Secrets returns what of c must never be shown: the API key; or the
// access and refresh tokens in use, those they replaced lately (a server
// may quote an old one back) and the OAuth client secret.
func Secrets(c Credential) []string {
	t, ok := c.(*Token)
	if !ok {
		if s := Secret(c); s != "" {
			return []string{s}
		}
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	out := append([]string(nil), t.fixed...)
	out = append(out, t.spent...)
	if t.tok != nil {
		out = append(out, t.tok.AccessToken, t.tok.RefreshToken)
	}
	return out
}
