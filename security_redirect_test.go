package lambda_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

const webhookSecret = "whsec_redirect_9f8e7d6c5b4a"

// foreignHost is another origin: it counts what reaches it, and answers
// every request with a plausible instance and a used-up rate-limit window,
// so that following a redirect to it would be visible in the result.
type foreignHost struct {
	srv    *httptest.Server
	hits   atomic.Int32
	bodies atomic.Value // string: the last body received
}

func newForeignHost(t *testing.T) *foreignHost {
	t.Helper()
	f := &foreignHost{}
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.hits.Add(1)
		b, _ := io.ReadAll(r.Body)
		f.bodies.Store(string(b))
		w.Header().Set("X-RateLimit-Limit", "7")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "4102444800") // 2100: an hour is not enough to make this test pass
		writeData(w, http.StatusOK, `{"id":"inst_foreign","status":"running"}`)
	}))
	t.Cleanup(f.srv.Close)
	return f
}

// redirectTo answers with status and a Location on target, its query
// holding something that must not be shown.
func redirectTo(status int, target string) faultHandler {
	return func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "4999")
		w.Header().Set("X-RateLimit-Reset", "4102444800")
		w.Header().Set("Location", target+"/steal/path?token=q-secret-query")
		w.Header().Set("X-Request-Id", "req_redirect")
		w.WriteHeader(status)
	}
}

// redirectCalls are calls with a body and without, every method.
func redirectCalls(ctx context.Context, c *lambda.Client) map[string]func() error {
	drop := func(_ any, err error) error { return err }
	return map[string]func() error{
		"POST Webhooks.Create with a secret": func() error {
			return drop(c.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{URL: "https://hooks.example.com/x",
				Events: []lambda.EventType{"instance.created"}, Secret: lambda.NewSecret(webhookSecret)}))
		},
		"POST Instances.Create": func() error { return drop(c.Instances.Create(ctx, webRequest())) },
		"PATCH Instances.Update": func() error {
			name := "x"
			return drop(c.Instances.Update(ctx, "inst_1", &lambda.UpdateInstanceRequest{Name: &name}))
		},
		"POST Instances.Start (no body)": func() error { return drop(c.Instances.Start(ctx, "inst_1")) },
		"GET Instances.Get":              func() error { return drop(c.Instances.Get(ctx, "inst_1")) },
		"GET Instances.List":             func() error { return drop(c.Instances.List(ctx, nil)) },
		"DELETE APIKeys.Delete":          func() error { return c.APIKeys.Delete(ctx, "key_1") },
	}
}

func TestRedirectsOffTheAPIsOriginAreRefused(t *testing.T) {
	t.Parallel()
	foreign := newForeignHost(t)
	ctx := testCtx(t)
	for _, status := range []int{301, 302, 303, 307, 308} {
		client, apiHits := scriptedAPI(t, "/", redirectTo(status, foreign.srv.URL))
		for name, call := range redirectCalls(ctx, client) {
			before := apiHits.Load()
			err := call()
			require.Error(t, err, "%d %s", status, name)
			require.ErrorIs(t, err, lambda.ErrRedirectRefused, "%d %s", status, name)
			require.ErrorIs(t, err, lambda.ErrInvalidResponse, "%d %s", status, name)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr, "%d %s", status, name)
			assert.Equal(t, status, lerr.HTTPStatus, name)
			assert.Equal(t, "req_redirect", lerr.RequestID, "%d %s: the redirect's request ID", status, name)
			msg := err.Error()
			assert.Contains(t, msg, strings.TrimPrefix(foreign.srv.URL, "http://"), "%d %s names the target host", status, name)
			for _, hidden := range []string{"q-secret-query", "token=", "/steal", webhookSecret, testKey} {
				assert.NotContains(t, msg, hidden, "%d %s", status, name)
			}
			assert.Equal(t, before+1, apiHits.Load(), "%d %s: sent once, not retried", status, name)
		}
		_, ok := client.RateLimit()
		rl, _ := client.RateLimit()
		assert.True(t, ok)
		assert.Equal(t, 5000, rl.Limit, "%d: only the API's own figures", status)
	}
	assert.Zero(t, foreign.hits.Load(), "nothing reached the other origin")
}

// TestRedirectToPlainHTTPIsRefused: from an https API to http, on the same
// host, is a weaker scheme: refused like another host.
func TestRedirectToPlainHTTPIsRefused(t *testing.T) {
	t.Parallel()
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		writeData(w, http.StatusOK, instanceJSON)
	}))
	t.Cleanup(plain.Close)
	api := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, plain.URL+r.URL.Path+"?k=v", http.StatusPermanentRedirect)
	}))
	t.Cleanup(api.Close)
	client := newTestClient(t, api.URL+"/v1", lambda.WithHTTPClient(api.Client()))
	for name, call := range redirectCalls(testCtx(t), client) {
		err := call()
		require.ErrorIs(t, err, lambda.ErrRedirectRefused, name)
		assert.Contains(t, err.Error(), plain.URL, name)
	}
	assert.Zero(t, plainHits.Load())
}

// TestRedirectToAnotherSchemeOnTheSameHostIsRefused: the origin is the
// scheme with the host and port: http://h:p to https://h:p is another
// origin, refused although the host and port are the same.
func TestRedirectToAnotherSchemeOnTheSameHostIsRefused(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) > 1 {
			writeData(w, http.StatusOK, instanceJSON)
			return
		}
		w.Header().Set("Location", "https://"+r.Host+r.URL.Path)
		w.WriteHeader(http.StatusTemporaryRedirect)
	}))
	t.Cleanup(api.Close)
	client := newTestClient(t, api.URL+"/v1", lambda.WithMaxRetries(0))
	_, err := client.Instances.Get(testCtx(t), "inst_1")
	require.ErrorIs(t, err, lambda.ErrRedirectRefused)
	assert.Contains(t, err.Error(), "https://"+strings.TrimPrefix(api.URL, "http://"))
	assert.EqualValues(t, 1, hits.Load())
}

// TestRedirectWithinTheOriginIsFollowed: a redirect on the API's own
// origin keeps working, body and all, and the caller's own CheckRedirect
// is asked about it (and can stop it); it is never asked about another
// origin, which is refused before it.
func TestRedirectWithinTheOriginIsFollowed(t *testing.T) {
	t.Parallel()
	foreign := newForeignHost(t)
	var asked atomic.Int32
	hc := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
		asked.Add(1)
		if strings.Contains(req.URL.Path, "stop-here") {
			return http.ErrUseLastResponse
		}
		return nil // a permissive policy: the client stays strict anyway
	}}
	client, mux, _ := setup(t, lambda.WithHTTPClient(hc))
	var got atomic.Value
	mux.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/webhooks-moved", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/webhooks-moved", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got.Store(string(b))
		writeData(w, http.StatusCreated, `{"id":"wh_1","url":"https://hooks.example.com/x","events":["instance.created"]}`)
	})
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.srv.URL+"/v1/instances/inst_1", http.StatusFound)
	})
	mux.HandleFunc("/instances/inst_2", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/v1/stop-here", http.StatusFound)
	})
	ctx := testCtx(t)

	sub, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{URL: "https://hooks.example.com/x",
		Events: []lambda.EventType{"instance.created"}, Secret: lambda.NewSecret(webhookSecret)})
	require.NoError(t, err)
	assert.Equal(t, "wh_1", sub.ID)
	assert.Contains(t, got.Load(), webhookSecret, "the body followed the redirect within the origin")
	assert.Equal(t, int32(1), asked.Load(), "the caller's policy was asked")

	_, err = client.Instances.Get(ctx, "inst_1")
	require.ErrorIs(t, err, lambda.ErrRedirectRefused)
	assert.Equal(t, int32(1), asked.Load(), "not asked about another origin: refused first")

	_, err = client.Instances.Get(ctx, "inst_2")
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr, "the caller's policy stopped it: the 302 is the answer")
	assert.Equal(t, http.StatusFound, lerr.HTTPStatus)
	assert.False(t, errors.Is(err, lambda.ErrRedirectRefused))
	assert.Zero(t, foreign.hits.Load())
}

// TestRateLimitFiguresOnlyFromTheAPI: a redirect to a host that says no
// requests are left neither reaches it nor stops the next calls.
func TestRateLimitFiguresOnlyFromTheAPI(t *testing.T) {
	t.Parallel()
	foreign := newForeignHost(t)
	client, mux, _ := setup(t)
	mux.HandleFunc("/instances/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, foreign.srv.URL+"/v1/instances/away", http.StatusFound)
	})
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", "998")
		writeData(w, http.StatusOK, instanceJSON)
	})
	ctx := testCtx(t)
	_, err := client.Instances.Get(ctx, "away")
	require.ErrorIs(t, err, lambda.ErrRedirectRefused)
	for i := 0; i < 3; i++ {
		start := time.Now()
		inst, err := client.Instances.Get(ctx, "inst_1")
		require.NoError(t, err, "call %d after the redirect", i)
		assert.Equal(t, "inst_abc123", inst.ID)
		assert.Less(t, time.Since(start), 5*time.Second, "not held back by another host's figures")
	}
	rl, ok := client.RateLimit()
	require.True(t, ok)
	assert.Equal(t, 1000, rl.Limit)
	assert.NotEqual(t, 7, rl.Limit)
	assert.Zero(t, foreign.hits.Load())
}

// TestStreamHandshakeRedirectOffOriginIsRefused: the metrics stream's
// upgrade request holds the same guarantees: not followed, not retried,
// a typed error naming the host only.
func TestStreamHandshakeRedirectOffOriginIsRefused(t *testing.T) {
	t.Parallel()
	foreign := newForeignHost(t)
	client, apiHits := scriptedAPI(t, "/", redirectTo(http.StatusTemporaryRedirect, foreign.srv.URL))
	err := onlyStreamError(t, client.Instances.StreamMetrics(testCtx(t), "inst_1",
		fastStream))
	require.ErrorIs(t, err, lambda.ErrRedirectRefused)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, http.StatusTemporaryRedirect, lerr.HTTPStatus)
	assert.Contains(t, err.Error(), strings.TrimPrefix(foreign.srv.URL, "http://"))
	assert.NotContains(t, err.Error(), "q-secret-query")
	assert.NotContains(t, err.Error(), "/steal")
	assert.Equal(t, int32(1), apiHits.Load(), "one dial, no reconnect")
	assert.Zero(t, foreign.hits.Load())
	rl, _ := client.RateLimit()
	assert.Equal(t, 5000, rl.Limit)
}

// TestRedirectWithinTheOriginNeverChangesTheMethod: the class guard for
// redirects on the API's own origin. net/http follows a 301 or 302 of a
// POST, PUT, PATCH or DELETE by sending a GET without the body; its
// answer would then be decoded as the answer to the call, a success for
// a request never made (a DELETE "done", nothing deleted). For every
// redirect status and every method, either the request that reaches the
// target is the call's own (same method, same body: GETs, 307 and 308),
// or it is a 303's GET (the API saying the request was handled, here is
// the result, RFC 9110 §15.4.4), or the call fails with
// ErrRedirectRefused without reaching the target, sent once.
func TestRedirectWithinTheOriginNeverChangesTheMethod(t *testing.T) {
	t.Parallel()
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var sent, reached atomic.Int32
			var got atomic.Value // "METHOD body" of the last request the target got
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
				sent.Add(1)
				w.Header().Set("Location", "/v1/moved/"+r.Method+r.URL.Path+"?token=q-secret-query")
				w.WriteHeader(status)
			})
			mux.HandleFunc("/moved/", func(w http.ResponseWriter, r *http.Request) {
				reached.Add(1)
				b, _ := io.ReadAll(r.Body)
				got.Store(r.Method + " " + string(b))
				if r.URL.Path == "/moved/GET/instances" { // List's

					writeData(w, http.StatusOK, `[]`)
					return
				}
				writeData(w, http.StatusOK, `{"id":"inst_1","status":"running"}`)
			})
			for name, call := range redirectCalls(testCtx(t), client) {
				method, _, _ := strings.Cut(name, " ")
				sentBefore, reachedBefore := sent.Load(), reached.Load()
				got.Store("")
				err := call()
				assert.Equal(t, sentBefore+1, sent.Load(), "%s: sent once", name)
				keeps := method == http.MethodGet || status == 307 || status == 308
				if keeps || status == http.StatusSeeOther {
					require.NoError(t, err, name)
					require.Equal(t, reachedBefore+1, reached.Load(), "%s: followed", name)
					if keeps {
						assert.True(t, strings.HasPrefix(got.Load().(string), method+" "), "%s: the target got %q", name, got.Load())
					} else {
						assert.Equal(t, "GET ", got.Load(), name)
					}
					continue
				}
				require.ErrorIs(t, err, lambda.ErrRedirectRefused, name)
				require.ErrorIs(t, err, lambda.ErrInvalidResponse, name)
				var lerr *lambda.Error
				require.ErrorAs(t, err, &lerr, name)
				assert.Equal(t, status, lerr.HTTPStatus, name)
				assert.Contains(t, err.Error(), method, "%s: the message names the method", name)
				for _, hidden := range []string{"q-secret-query", "/moved", webhookSecret, testKey} {
					assert.NotContains(t, err.Error(), hidden, name)
				}
				assert.Equal(t, reachedBefore, reached.Load(), "%s: the GET in its place was never sent", name)
			}
		})
	}
}
