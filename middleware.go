package lambda

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// Middleware wraps one attempt of a call: it may look at or change req
// (add a tracing header, say), must call next to send it (or answer in its
// place), and may look at what comes back before returning it.
//
// It runs once per attempt, retries included, before the credential is
// added: req never carries Authorization or X-API-Key, so a middleware that
// logs or records headers cannot leak them. It sees the final answer of an
// attempt (redirects already followed), and its time includes any wait for
// the rate-limit budget (WithRateLimiter, the API's own figures).
//
// A response it returns without a body counts as an empty one; one whose
// ContentLength promises a body it lacks is the middleware's own error.
//
// An error the middleware returns itself ends the call at once, unretried:
// it is the caller's own decision, not a failure of the network or the API.
// An error it passes on from next is treated as if no middleware were there
// (a connection failure is retried). The caller gets either back wrapped,
// so errors.Is and errors.As still find it.
type Middleware func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error)

// WithMiddleware adds middlewares around every attempt of every call. They
// run in the order given: the first is outermost, so it sees the request
// first and the response last. Several WithMiddleware options add up.
//
// The metrics stream (StreamMetrics) is a WebSocket, not a call: its
// handshakes go without middleware.
func WithMiddleware(mw ...Middleware) Option {
	return func(c *config) error {
		for i, m := range mw {
			if m == nil {
				return fmt.Errorf("lambda: WithMiddleware: middleware %d is nil", i)
			}
		}
		c.middleware = append(c.middleware, mw...)
		return nil
	}
}

// middlewareError marks an error a middleware returned of its own accord,
// which nonRetryable refuses to retry.
type middlewareError struct{ err error }

func (e *middlewareError) Error() string { return "middleware: " + e.err.Error() }
func (e *middlewareError) Unwrap() error { return e.err }

// withMiddleware returns a client whose every request goes through mws and
// then through hc (credential, redirects and all). Nil mws: hc itself.
//
// The middlewares sit in a transport of an outer client that does not follow
// redirects, around hc.Do: a transport of hc would run once per redirect
// and see only the first hop's answer.
func withMiddleware(hc *http.Client, mws []Middleware) *http.Client {
	if len(mws) == 0 {
		return hc
	}
	return &http.Client{
		Transport:     &middlewareTransport{hc: hc, mws: mws},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// middlewareTransport runs the middlewares around hc.Do, once per attempt.
type middlewareTransport struct {
	hc  *http.Client
	mws []Middleware
}

func (t *middlewareTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// resp.Request is the request as sent, credential included. The
	// middlewares see their own request there instead; the retry policy
	// gets the one sent back, to tell whether a 401 refused the token in use.
	var sent *http.Request
	next := func(r *http.Request) (*http.Response, error) {
		resp, err := t.hc.Do(r)
		if err != nil {
			if resp != nil { // a redirect refused: the error tells it all
				resp.Body.Close()
			}
			var uerr *url.Error // the outer client adds its own
			if errors.As(err, &uerr) {
				err = uerr.Err
			}
			return nil, err
		}
		sent, resp.Request = resp.Request, r
		return resp, nil
	}
	for i := len(t.mws) - 1; i >= 0; i-- {
		next = wrapMiddleware(t.mws[i], next)
	}
	resp, err := next(req)
	if resp != nil && sent != nil {
		resp.Request = sent
	}
	return resp, err
}

// wrapMiddleware calls mw with next, and tells the errors mw makes from
// those it passes on.
func wrapMiddleware(mw Middleware, next func(*http.Request) (*http.Response, error)) func(*http.Request) (*http.Response, error) {
	return func(req *http.Request) (*http.Response, error) {
		var nextErr error
		resp, err := mw(req, func(r *http.Request) (*http.Response, error) {
			resp, err := next(r)
			nextErr = err
			return resp, err
		})
		switch {
		case err != nil:
			if resp != nil && resp.Body != nil {
				resp.Body.Close()
			}
			if nextErr == nil || !errors.Is(err, nextErr) {
				var own *middlewareError // an inner middleware's, passed on
				if !errors.As(err, &own) {
					err = &middlewareError{err: err}
				}
			}
			return nil, err
		case resp == nil:
			return nil, &middlewareError{err: errors.New("returned neither a response nor an error")}
		case !emptyBodyIfNone(resp):
			// Not a failure of the API to retry: the middleware lost it.
			return nil, &middlewareError{err: fmt.Errorf("returned a response of %d bytes without its body", resp.ContentLength)}
		}
		return resp, nil
	}
}
