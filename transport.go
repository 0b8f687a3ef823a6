package lambda

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/retry"
)

// defaultTransport is tuned for an API client: one host, many concurrent
// calls. net/http's default keeps only 2 idle connections per host, so 64
// goroutines sharing a client would open and close connections endlessly.
//
// MaxConnsPerHost caps the connections to the API at 64. Without a cap, a
// burst of callers opens more connections than there are callers: a call
// that dialed, but was served first by a connection another call just
// freed, leaves its new connection idle, and the next call can do the
// same. Calls beyond 64 in flight wait for a free connection instead of
// opening one; over HTTP/2 (the API over TLS) they share one anyway.
// Callers who want another policy pass their own client (WithHTTPClient).
var defaultTransport http.RoundTripper = &http.Transport{
	Proxy: http.ProxyFromEnvironment,
	DialContext: (&net.Dialer{
		Timeout:   10 * time.Second,
		KeepAlive: 30 * time.Second,
	}).DialContext,
	ForceAttemptHTTP2:     true,
	MaxIdleConns:          256,
	MaxIdleConnsPerHost:   128,
	MaxConnsPerHost:       64,
	IdleConnTimeout:       90 * time.Second,
	TLSHandshakeTimeout:   10 * time.Second,
	ExpectContinueTimeout: time.Second,
}

// ErrTooManyRedirects is matched (besides ErrInvalidResponse, by a *Error)
// when a call was redirected more than 10 times (a redirect loop). It is
// not retried.
var ErrTooManyRedirects = errors.New("lambda: stopped after 10 redirects")

// ErrRedirectRefused is matched, besides ErrInvalidResponse, by the error
// of a call whose redirect the client will not follow:
//
//   - Off the API's own origin (another scheme, host or port; https to
//     http among them), whatever the method: a body (a webhook's signing
//     secret, say) must not reach another host, and another host's answer
//     decoded as the API's would be a lie even for a GET. The message
//     names the target's scheme and host, never its path or query.
//   - A 301 or 302 of a POST, PUT, PATCH or DELETE, on any origin: net/http
//     would follow it with a GET without the body, and that GET's answer
//     would be taken for the call's (a DELETE reported done, nothing
//     deleted). Whether the API acted on the request is unknown. A 307 or
//     308 is followed with the same method and body, and a 303 with a GET,
//     since a 303 says the request was handled and points to its result.
//
// The error is a *Error whose HTTPStatus is the redirect's status. It is
// not retried.
var ErrRedirectRefused = errors.New("lambda: redirect refused")

// checkRedirect refuses a redirect off the API's origin or one net/http
// would follow with another method (see ErrRedirectRefused), and stops
// redirect loops, then defers to the caller's policy, which can only be
// stricter.
// Credentials need no stripping here: the auth transport only ever puts
// them on requests to the API's own origin. name says whose origin api is
// in the errors: "the API", or the OAuth2 token endpoint (tokenClient).
func checkRedirect(api *url.URL, name string, next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if !sameOrigin(api, req.URL) {
			return redirectError(req, ErrRedirectRefused, fmt.Sprintf("%s redirected the call to another origin, %s://%s; not followed",
				name, req.URL.Scheme, req.URL.Host)) // never the Location's path or query: the other host's business, maybe secrets
		}
		if prev := via[len(via)-1]; req.Method != prev.Method && !seeOther(req) {
			return redirectError(req, ErrRedirectRefused, fmt.Sprintf(
				"%s redirected the %s with a %d, which net/http would follow with a %s in its place; not followed",
				name, prev.Method, redirectStatus(req), req.Method))
		}
		if len(via) >= 10 {
			return redirectError(req, ErrTooManyRedirects, fmt.Sprintf("stopped after 10 redirects within %s's origin (a redirect loop)", name))
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// seeOther reports whether req follows a 303: the one redirect whose
// method is a GET whatever the request's.
func seeOther(req *http.Request) bool { return redirectStatus(req) == http.StatusSeeOther }

// redirectStatus is the status of the redirect req follows.
func redirectStatus(req *http.Request) int {
	if req.Response == nil {
		return 0
	}
	return req.Response.StatusCode
}

// sameOrigin compares scheme and host (with port) exactly, as the auth
// transport does before it adds the credential.
func sameOrigin(api, u *url.URL) bool {
	return u.Scheme == api.Scheme && u.Host == api.Host
}

// redirectError is a *Error for a redirect not followed: typed, and free of
// the url.Error net/http would wrap around it, which quotes the Location.
func redirectError(req *http.Request, cause error, msg string) *Error {
	e := &Error{Code: CodeInvalidResponse, Message: msg, cause: cause}
	if resp := req.Response; resp != nil {
		e.HTTPStatus = resp.StatusCode
		if call := retry.FromContext(req.Context()); call != nil {
			e.RequestID = call.AnswerTo(resp).RequestID
		} else {
			e.RequestID = answer.Read(resp.Header).RequestID
		}
	}
	return e
}

// refusal is the caller's error for a request the client itself did not
// send, or did not follow: a rate-limit budget spent until a reset too far
// off (budgetRefusal), a client-side limiter that cannot let it go in time
// (limiterRefusal), no OAuth2 token to be had (an auth.Error: it
// matches ErrUnauthorized), or a redirect refused (a *Error made by
// checkRedirect, which net/http wraps in a url.Error that quotes the
// Location: it is dropped here). nil for any other error.
func refusal(err error) *Error {
	var spent *budgetRefusal
	if errors.As(err, &spent) {
		return &Error{
			Code:       CodeRateLimitExceeded,
			Message:    "no requests left until the rate-limit window resets (not sent)",
			RetryAfter: spent.wait,
		}
	}
	var limited *limiterRefusal
	if errors.As(err, &limited) {
		return &Error{Code: CodeRateLimitExceeded, Message: limited.Error(), RetryAfter: limited.wait, cause: limited}
	}
	var renewal *auth.Error
	if errors.As(err, &renewal) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		// No token to send: the credential failed as surely as a 401
		// would say, and the cause (an *oauth2.RetrieveError, or the token
		// endpoint's redirect refused) stays in the chain. A renewal cut
		// short by a deadline stays that.
		return &Error{Code: CodeAuthFailed, Message: "no OAuth2 token to send; the request was not sent", cause: renewal}
	}
	var redirect *Error
	if errors.As(err, &redirect) {
		return redirect
	}
	return nil
}

// nonRetryable reports errors of the client's own making.
func nonRetryable(err error) bool {
	var authErr *auth.Error
	var spent *budgetRefusal
	var redirect *Error // checkRedirect's: a redirect refused, or a loop (ErrTooManyRedirects)
	var mwErr *middlewareError
	return errors.Is(err, errBodyTooLarge) || errors.Is(err, errBadEncoding) || errors.Is(err, errLimiter) || errors.Is(err, errBrokenTransport) ||
		errors.As(err, &authErr) || errors.As(err, &spent) || errors.As(err, &redirect) || errors.As(err, &mwErr) || madeByClient(err)
}
