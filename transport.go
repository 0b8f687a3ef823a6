package lambda

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/lambda/lambda-go/internal/auth"
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

// ErrTooManyRedirects is returned when a call was redirected more than 10
// times (a redirect loop). It is not retried.
var ErrTooManyRedirects = errors.New("lambda: stopped after 10 redirects")

// checkRedirect stops redirect loops, then defers to the caller's policy.
// Credentials need no stripping here: the auth transport only ever puts
// them on requests to the API's own origin.
func checkRedirect(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return ErrTooManyRedirects
		}
		if next != nil {
			return next(req, via)
		}
		return nil
	}
}

// nonRetryable reports errors of the client's own making.
func nonRetryable(err error) bool {
	var authErr *auth.Error
	var refused *Error // awaitBudget's, for an attempt it did not send
	var mwErr *middlewareError
	return errors.Is(err, ErrTooManyRedirects) || errors.Is(err, errBodyTooLarge) || errors.Is(err, errLimiter) ||
		errors.As(err, &authErr) || errors.As(err, &refused) || errors.As(err, &mwErr) || madeByClient(err)
}
