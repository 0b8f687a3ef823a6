package lambda_test

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

// headerLog records every header a middleware was shown, request and
// response side, safely across goroutines.
type headerLog struct {
	mu      sync.Mutex
	headers []http.Header
	calls   int
}

func (l *headerLog) middleware(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	l.mu.Lock()
	l.calls++
	l.headers = append(l.headers, req.Header.Clone())
	l.mu.Unlock()
	resp, err := next(req)
	if resp != nil {
		l.mu.Lock()
		l.headers = append(l.headers, resp.Request.Header.Clone(), resp.Header.Clone())
		l.mu.Unlock()
	}
	return resp, err
}

func (l *headerLog) snapshot() (int, []http.Header) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls, append([]http.Header(nil), l.headers...)
}

// TestMiddlewareNeverSeesTheCredential: whatever the credential, the
// middleware sees neither Authorization nor X-API-Key, on the request or on
// resp.Request, while the API gets it on every attempt, the retried one
// included.
func TestMiddlewareNeverSeesTheCredential(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		cred   lambda.Option
		opts   []lambda.Option
		header string
		want   string
	}{
		{"API key as bearer", lambda.WithAPIKey(testKey), nil, "Authorization", "Bearer " + testKey},
		{"API key in X-API-Key", lambda.WithAPIKey(testKey), []lambda.Option{lambda.WithAPIKeyHeader()}, "X-Api-Key", testKey},
		{"OAuth token", lambda.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "oauth-secret-token"})), nil,
			"Authorization", "Bearer oauth-secret-token"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var log headerLog
			mux, url := newTestServer(t)
			client := newTestClientWith(t, tc.cred, url+"/v1", append(tc.opts, lambda.WithMiddleware(log.middleware))...)
			var got []string
			var mu sync.Mutex
			var n atomic.Int32
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				got = append(got, r.Header.Get(tc.header))
				mu.Unlock()
				if n.Add(1) == 1 {
					writeError(w, 503, "service_unavailable", "try again")
					return
				}
				writeData(w, 200, instanceJSON)
			})

			_, err := client.Instances.Get(testCtx(t), "inst_1")
			require.NoError(t, err)
			assert.Equal(t, []string{tc.want, tc.want}, got, "the API got the credential on both attempts")
			calls, headers := log.snapshot()
			assert.Equal(t, 2, calls, "once per attempt")
			for _, h := range headers {
				assert.Empty(t, h.Get("Authorization"), "a middleware saw Authorization")
				assert.Empty(t, h.Get("X-API-Key"), "a middleware saw X-API-Key")
				for _, vs := range h {
					for _, v := range vs {
						assert.NotContains(t, v, testKey)
						assert.NotContains(t, v, "oauth-secret-token")
					}
				}
			}
		})
	}
}

// TestMiddlewareRunsOncePerAttempt: retries run it again; redirects, part of
// one attempt, do not, and it sees the answer at the end of them.
func TestMiddlewareRunsOncePerAttempt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		handle    func(n int32, w http.ResponseWriter, r *http.Request)
		wantCalls int
	}{
		{"one attempt", func(_ int32, w http.ResponseWriter, _ *http.Request) { writeData(w, 200, instanceJSON) }, 1},
		{"two 503s, then 200", func(n int32, w http.ResponseWriter, _ *http.Request) {
			if n <= 2 {
				writeError(w, 503, "service_unavailable", "try again")
				return
			}
			writeData(w, 200, instanceJSON)
		}, 3},
		{"a redirect", func(_ int32, w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("moved") == "" {
				http.Redirect(w, r, "/v1"+r.URL.Path+"?moved=1", http.StatusFound)
				return
			}
			writeData(w, 200, instanceJSON)
		}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			var statuses []int
			var mu sync.Mutex
			mw := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				calls.Add(1)
				resp, err := next(req)
				if resp != nil {
					mu.Lock()
					statuses = append(statuses, resp.StatusCode)
					mu.Unlock()
				}
				return resp, err
			}
			client, mux, _ := setup(t, lambda.WithMiddleware(mw))
			var n atomic.Int32
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) { tc.handle(n.Add(1), w, r) })

			_, err := client.Instances.Get(testCtx(t), "inst_1")
			require.NoError(t, err)
			assert.EqualValues(t, tc.wantCalls, calls.Load())
			assert.Equal(t, 200, statuses[len(statuses)-1], "the attempt's final answer, redirects followed")
		})
	}
}

// TestMiddlewareOrder: the first middleware given is outermost, and several
// WithMiddleware options add up in order.
func TestMiddlewareOrder(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var trace []string
	named := func(name string) lambda.Middleware {
		return func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			mu.Lock()
			trace = append(trace, name+">")
			mu.Unlock()
			req.Header.Add("X-Trace", name) // what the next one, and the API, get
			resp, err := next(req)
			mu.Lock()
			trace = append(trace, "<"+name)
			mu.Unlock()
			return resp, err
		}
	}
	client, mux, _ := setup(t, lambda.WithMiddleware(named("a"), named("b")), lambda.WithMiddleware(named("c")))
	var sent []string
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		sent = r.Header.Values("X-Trace")
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(testCtx(t), "inst_1")
	require.NoError(t, err)
	assert.Equal(t, []string{"a>", "b>", "c>", "<c", "<b", "<a"}, trace)
	assert.Equal(t, []string{"a", "b", "c"}, sent, "a middleware's changes to the request are sent")
}

var errOverBudget = errors.New("over my own budget")

// TestMiddlewareErrors: an error the middleware makes ends the call
// unretried (even a GET, even before anything is sent) and comes back
// wrapped; an error it passes on from next is retried as without it.
func TestMiddlewareErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		mw           lambda.Middleware
		dropFirst    bool // the API cuts the first connection
		wantErr      error
		wantCalls    int32
		wantRequests int32
	}{
		{"own error before sending", func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			return nil, errOverBudget
		}, false, errOverBudget, 1, 0},
		{"own error after a 503", func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			resp, err := next(req)
			if err == nil && resp.StatusCode == 503 {
				return nil, errOverBudget
			}
			return resp, err
		}, false, errOverBudget, 1, 1},
		{"neither response nor error", func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			return nil, nil
		}, false, nil, 1, 0},
		{"a connection failure passed on is retried", func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			return next(req)
		}, true, nil, 2, 2},
		{"a response without a body, and an error", func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			return &http.Response{StatusCode: 200}, errOverBudget
		}, false, errOverBudget, 1, 0},
		{"a response whose length promises a body it has not", func(*http.Request, func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			return &http.Response{StatusCode: 200, ContentLength: 10}, nil
		}, false, nil, 1, 0},
		{"the API's answer with its body taken away", func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
			resp, err := next(req)
			if err == nil {
				resp.Body.Close()
				resp.Body = nil
			}
			return resp, err
		}, false, nil, 1, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var calls, requests atomic.Int32
			counted := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				calls.Add(1)
				return tc.mw(req, next)
			}
			// An outer middleware reads what the inner one returned, as a
			// logging middleware would: a response always has a body.
			outer := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				resp, err := next(req)
				if resp != nil && resp.Body == nil {
					t.Error("an outer middleware got a response without a body")
				}
				return resp, err
			}
			client, mux, _ := setup(t, lambda.WithMiddleware(outer, counted))
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				n := requests.Add(1)
				if tc.dropFirst && n == 1 {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.(*net.TCPConn).SetLinger(0)
						conn.Close()
					}
					return
				}
				if tc.wantErr != nil {
					writeError(w, 503, "service_unavailable", "try again")
					return
				}
				writeData(w, 200, instanceJSON)
			})

			_, err := client.Instances.Get(testCtx(t), "inst_1")
			switch {
			case tc.wantErr != nil:
				require.ErrorIs(t, err, tc.wantErr)
			case tc.wantRequests == 0 || strings.Contains(tc.name, "taken away"):
				// The middleware's own doing: its error, never a retry.
				require.ErrorContains(t, err, "middleware")
				require.NotErrorIs(t, err, lambda.ErrUnavailable)
			default:
				require.NoError(t, err)
			}
			assert.Equal(t, tc.wantCalls, calls.Load(), "middleware calls")
			assert.Equal(t, tc.wantRequests, requests.Load(), "requests the API got")
		})
	}
}

// TestMiddlewareKeepsTokenRefresh: after a 401 the client still knows which
// token was refused (a middleware sees its own request on resp.Request, not
// the one sent with the token), so it refreshes once and succeeds. The
// renewal and the second send happen in the credential layer, below the
// middleware: it sees one attempt, which succeeded.
func TestMiddlewareKeepsTokenRefresh(t *testing.T) {
	t.Parallel()
	src := &rotatingSource{ttl: time.Hour}
	var log headerLog
	mux, url := newTestServer(t)
	client := newTestClientWith(t, lambda.WithTokenSource(src), url+"/v1", lambda.WithMiddleware(log.middleware))
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok-2" {
			writeError(w, 401, "authentication_failed", "Invalid or missing API token")
			return
		}
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(testCtx(t), "inst_1")
	require.NoError(t, err)
	assert.Equal(t, 2, src.fetches())
	calls, _ := log.snapshot()
	assert.Equal(t, 1, calls)
}

func TestWithMiddlewareRefusesNil(t *testing.T) {
	t.Parallel()
	_, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithMiddleware(nil))
	require.ErrorContains(t, err, "WithMiddleware")
}
