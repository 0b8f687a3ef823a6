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
	"time"

	"golang.org/x/oauth2"
)

// renewEarly is how long before its expiry a token is renewed, as
// x/oauth2 does: a token about to expire would die on its way.
const renewEarly = 10 * time.Second

// keepSpent bounds the replaced tokens still redacted from errors.
const keepSpent = 4

// Fetch gets a new token; cur is the token in use (nil before the first).
type Fetch func(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error)

// Token sends OAuth 2.0 access tokens. It renews the token before it
// expires and, after the API refused it with a 401, once whatever its
// expiry says; then the request is sent once more. Renewals of the same
// token by concurrent calls share one fetch, so that a burst of 401s (or
// of calls meeting an expired token) costs one request to the token
// endpoint, and a 401 for a token already replaced costs none.
type Token struct {
	fetch    Fetch
	lifetime time.Duration       // assumed for a token without expiry; 0: it never expires
	notify   func(*oauth2.Token) // told of each new token; nil: nobody
	fixed    []string            // secrets to redact beside the tokens (the client secret)
	now      func() time.Time

	mu     sync.Mutex
	tok    *oauth2.Token
	expiry time.Time // when tok must have been renewed; zero: never
	flight *flight   // the renewal in progress, if any
	spent  []string  // tokens replaced lately

	notifyMu sync.Mutex // one notification at a time, in order
}

// flight is one fetch of a token, which concurrent callers wait for.
type flight struct {
	done      chan struct{}
	tok       *oauth2.Token
	err       error
	abandoned bool // the caller that ran it was cancelled: another may try
}

// NewToken wraps src, a source that manages its tokens itself: a token
// is reused until its own expiry, and after a 401 src is asked again; the
// request is sent again only if src then gives a different token.
//
// src.Token takes no context, so a call cannot cut it short: it runs on a
// goroutine of its own, which the calls wait for until their ctx ends. It
// is the one goroutine that may outlive a call, and only as long as the
// source takes to answer; calls meanwhile wait for the same Token call
// rather than start another.
func NewToken(src oauth2.TokenSource) *Token {
	var mu sync.Mutex
	var pending *sourceCall
	fetch := func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
		mu.Lock()
		c := pending
		if c == nil {
			c = &sourceCall{done: make(chan struct{})}
			pending = c
			go func() {
				defer func() {
					c.panicked = recover()
					mu.Lock()
					pending = nil
					mu.Unlock()
					close(c.done)
				}()
				c.tok, c.err = src.Token()
			}()
		}
		mu.Unlock()
		select {
		case <-c.done:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if c.panicked != nil {
			panic(c.panicked) // on the caller's goroutine, where run deals with it
		}
		return c.tok, c.err
	}
	return &Token{fetch: fetch, now: time.Now}
}

// sourceCall is one call of a TokenSource's Token, and its outcome once
// done is closed.
type sourceCall struct {
	done     chan struct{}
	tok      *oauth2.Token
	err      error
	panicked any
}

// NewRefresher returns a Token that owns its renewals: fetch is called
// for every new token. initial, when not nil, is used first. A token
// without expiry counts as good for lifetime from when it was had. notify,
// when not nil, is called with a copy of each new token; secrets are
// redacted from errors beside the tokens.
func NewRefresher(fetch Fetch, initial *oauth2.Token, lifetime time.Duration, notify func(*oauth2.Token), secrets ...string) *Token {
	t := &Token{fetch: fetch, lifetime: lifetime, notify: notify, now: time.Now}
	for _, s := range secrets {
		if s != "" {
			t.fixed = append(t.fixed, s)
		}
	}
	if initial != nil {
		t.store(initial)
	}
	return t
}

// store makes tok the token in use. t.mu is held, or t is not shared yet.
func (t *Token) store(tok *oauth2.Token) {
	if old := t.tok; old != nil {
		t.spent = append(t.spent, old.AccessToken, old.RefreshToken)
		if n := len(t.spent); n > keepSpent {
			t.spent = append(t.spent[:0:0], t.spent[n-keepSpent:]...)
		}
	}
	t.tok = tok
	switch {
	case !tok.Expiry.IsZero():
		t.expiry = tok.Expiry
	case t.lifetime > 0:
		t.expiry = t.now().Add(t.lifetime)
	default:
		t.expiry = time.Time{}
	}
}

func (t *Token) apply(ctx context.Context, h http.Header) error {
	tok, err := t.current(ctx)
	if err != nil {
		return err
	}
	h.Set(HeaderAuthorization, headerValue(tok))
	return nil
}

// headerValue is the Authorization header that carries tok.
func headerValue(tok *oauth2.Token) string { return tok.Type() + " " + tok.AccessToken }

// accessIn is the access token of value, an Authorization header that
// carried one: the token in use when value is its header (its type may
// hold a space), else what follows the first space.
func (t *Token) accessIn(value string) string {
	t.mu.Lock()
	tok := t.tok
	t.mu.Unlock()
	if tok != nil && headerValue(tok) == value {
		return tok.AccessToken
	}
	_, access, _ := strings.Cut(value, " ")
	return access
}

// current returns the token to send, renewed first when it is about to
// expire.
func (t *Token) current(ctx context.Context) (*oauth2.Token, error) {
	t.mu.Lock()
	tok := t.tok
	// An initial token may come without its access token (WithOAuth2):
	// nothing to send yet, so it is fetched before the first request.
	fresh := tok != nil && tok.AccessToken != "" && (t.expiry.IsZero() || t.now().Add(renewEarly).Before(t.expiry))
	t.mu.Unlock()
	if fresh {
		return tok, nil
	}
	access := ""
	if tok != nil {
		access = tok.AccessToken
	}
	return t.renew(ctx, access)
}

// renew replaces the token whose access token is failed, unless another
// call already did: then it returns the token that replaced it. Concurrent
// renewals share one fetch.
func (t *Token) renew(ctx context.Context, failed string) (*oauth2.Token, error) {
	for {
		t.mu.Lock()
		if t.tok != nil && t.tok.AccessToken != failed {
			tok := t.tok
			t.mu.Unlock()
			return tok, nil
		}
		f, lead := t.flight, t.flight == nil
		if lead {
			f = &flight{done: make(chan struct{})}
			t.flight = f
		}
		cur := t.tok
		t.mu.Unlock()

		if lead {
			t.run(ctx, f, cur)
		} else {
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		}
		switch {
		case f.err == nil:
			return f.tok, nil
		case f.abandoned && ctx.Err() == nil:
			continue // the caller that fetched gave up, not the token endpoint
		default:
			return nil, f.err
		}
	}
}

// run fetches a token for f, on the caller's goroutine and context: the
// fetch ends when that caller does (the others then try again).
func (t *Token) run(ctx context.Context, f *flight, cur *oauth2.Token) {
	var curCopy *oauth2.Token
	if cur != nil {
		c := *cur
		curCopy = &c
	}
	finished := false
	defer func() {
		if !finished { // the fetch panicked: free the waiters, and let the panic go on
			t.mu.Lock()
			t.flight = nil
			f.err = &Error{msg: "the token source panicked", err: errors.New("panic")}
			t.mu.Unlock()
			close(f.done)
		}
	}()
	tok, err := t.fetch(ctx, curCopy)
	finished = true
	switch {
	case err != nil:
	case tok == nil || tok.AccessToken == "":
		err = errors.New("the token endpoint gave no access token")
	case HeaderValueProblem(tok.AccessToken) != "" || HeaderValueProblem(tok.Type()) != "":
		// Never sent: net/http would refuse it on every call with an
		// untyped error, and a CR or LF must not reach a header. The token
		// is not kept, so the next call asks again.
		err = errors.New("the token endpoint gave an access token or token type with a control character, which no header can carry")
	}
	t.mu.Lock()
	changed := false
	if err != nil {
		f.err = t.errorLocked(err)
		f.abandoned = ctx.Err() != nil
	} else {
		// An endpoint may renew by extending: the same access token with a
		// new expiry or refresh token is a new token too, to keep (else
		// every call renews again, or the next renewal sends a spent
		// refresh token) and to notify.
		changed = cur == nil || tok.AccessToken != cur.AccessToken || tok.RefreshToken != cur.RefreshToken ||
			!tok.Expiry.Equal(cur.Expiry)
		if changed {
			t.store(tok)
		}
		f.tok = tok
	}
	t.flight = nil
	notify := t.notify != nil && changed
	if notify {
		t.notifyMu.Lock() // before t.mu is released: notifications keep the order of renewals
	}
	t.mu.Unlock()
	close(f.done)
	if notify {
		defer t.notifyMu.Unlock()
		c := *tok
		t.notify(&c)
	}
}

// retry is called with the 401 answer to sent: it renews the token sent,
// unless another call already did, and sends the request once more with
// the new one. It returns the 401 as it is when there is no other token to
// try or the request cannot be sent again (a body it cannot rewind).
func (t *Token) retry(base http.RoundTripper, sent *http.Request, resp *http.Response) (*http.Response, error) {
	if sent.Body != nil && sent.Body != http.NoBody && sent.GetBody == nil {
		return resp, nil
	}
	value := sent.Header.Get(HeaderAuthorization)
	tok, err := t.renew(sent.Context(), t.accessIn(value))
	if err != nil {
		if r := reportFrom(sent.Context()); r != nil {
			r.Err = err
		}
		return resp, nil
	}
	if headerValue(tok) == value {
		return resp, nil // the source has nothing newer
	}
	again := sent.Clone(sent.Context())
	if sent.GetBody != nil {
		body, err := sent.GetBody()
		if err != nil {
			return resp, nil
		}
		again.Body = body
	}
	again.Header.Set(HeaderAuthorization, headerValue(tok))
	// Free the first answer's connection for the second attempt.
	if resp.Body != nil { // a caller's transport (WithHTTPClient) may leave it nil
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
	}
	return base.RoundTrip(again)
}

// errorLocked wraps a fetch failure, its text cleared of every secret:
// an error body of the token endpoint may quote one. t.mu is held.
func (t *Token) errorLocked(err error) *Error {
	msg := describe(err)
	secrets := append(append([]string(nil), t.fixed...), t.spent...)
	if t.tok != nil {
		secrets = append(secrets, t.tok.AccessToken, t.tok.RefreshToken)
	}
	for _, s := range secrets {
		if len(s) >= 8 {
			msg = strings.ReplaceAll(msg, s, "REDACTED")
		}
	}
	return &Error{msg: msg, err: err}
}

// describe says what went wrong at the token endpoint: the RFC 6749 error
// code and description, never the raw body; for a request that failed,
// its URL by scheme and host only (a redirect's Location, which net/http
// quotes, is another host's business and may carry secrets in its path
// or query).
func describe(err error) string {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		var ue *url.Error
		if errors.As(err, &ue) {
			where := "the token endpoint"
			if u, perr := url.Parse(ue.URL); perr == nil && u.Host != "" {
				where = u.Scheme + "://" + u.Host
			}
			return ue.Op + " " + where + ": " + ue.Err.Error()
		}
		return err.Error()
	}
	status := 0
	if re.Response != nil {
		status = re.Response.StatusCode
	}
	msg := fmt.Sprintf("the token endpoint answered %d", status)
	if re.ErrorCode != "" {
		msg += " " + re.ErrorCode
	}
	if re.ErrorDescription != "" {
		msg += ": " + re.ErrorDescription
	}
	return msg
}

// String keeps tokens out of logs and %v.
func (t *Token) String() string { return "Token{REDACTED}" }

// GoString keeps tokens out of %#v.
func (t *Token) GoString() string { return t.String() }

// Error reports a failure to obtain a token. It is not retried.
type Error struct {
	msg string // the cause's text, secrets redacted
	err error
}

// Error says that no token could be had, and why.
func (e *Error) Error() string { return "lambda: obtaining an OAuth2 token: " + e.msg }

// Unwrap returns the cause: the token source's error, an
// *oauth2.RetrieveError from the token endpoint, or the context's error.
func (e *Error) Unwrap() error { return e.err }

// Report carries, out of a request's transport, why the token refused
// with a 401 could not be renewed.
type Report struct{ Err error }

type reportKey struct{}

// WithReport returns a context under which a failed renewal is written to r.
func WithReport(ctx context.Context, r *Report) context.Context {
	return context.WithValue(ctx, reportKey{}, r)
}

func reportFrom(ctx context.Context) *Report {
	r, _ := ctx.Value(reportKey{}).(*Report)
	return r
}
