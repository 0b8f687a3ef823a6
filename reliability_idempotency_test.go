package lambda_test

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestEveryPOSTHasOneKeyOfItsOwn is the guard of the Idempotency-Key, over
// every way a caller can name the header: on the wire, every attempt of a
// POST carries exactly one non-empty key, the same on each retry of the
// call, and no two calls share one unless the caller gave both the same
// WithIdempotencyKey. A client-wide WithHeader("Idempotency-Key", k) made
// every create of the client carry k: the API answered the second create
// (another name, another body) with the first one's instance, or a 409. A
// call's WithHeader("Idempotency-Key", "") sent an empty key, a POST with
// no key that the client still retried after a 503. Such options are
// refused before anything is sent, as WithHeader("Authorization") is.
func TestEveryPOSTHasOneKeyOfItsOwn(t *testing.T) {
	t.Parallel()
	type variant struct {
		client  []lambda.Option
		call    []lambda.RequestOption
		refused bool   // NewClient or the call fails with ErrInvalidRequest, unsent
		key     string // the key both calls must carry; "" for a generated key each
	}
	variants := map[string]variant{
		"generated":                      {},
		"WithIdempotencyKey":             {call: []lambda.RequestOption{lambda.WithIdempotencyKey("k-1")}, key: "k-1"},
		"another header on the client":   {client: []lambda.Option{lambda.WithHeader("X-Trace", "t")}},
		"another header on the call":     {call: []lambda.RequestOption{lambda.WithHeader("X-Trace", "t")}},
		"client WithHeader":              {client: []lambda.Option{lambda.WithHeader("Idempotency-Key", "fixed")}, refused: true},
		"client WithHeader, lower case":  {client: []lambda.Option{lambda.WithHeader("idempotency-key", "fixed")}, refused: true},
		"client WithHeader, empty":       {client: []lambda.Option{lambda.WithHeader("Idempotency-Key", "")}, refused: true},
		"call WithHeader":                {call: []lambda.RequestOption{lambda.WithHeader("Idempotency-Key", "mine")}, refused: true},
		"call WithHeader, upper case":    {call: []lambda.RequestOption{lambda.WithHeader("IDEMPOTENCY-KEY", "mine")}, refused: true},
		"call WithHeader, empty":         {call: []lambda.RequestOption{lambda.WithHeader("Idempotency-Key", "")}, refused: true},
		"call WithHeader and the option": {call: []lambda.RequestOption{lambda.WithIdempotencyKey("k-2"), lambda.WithHeader("Idempotency-Key", "k-3")}, refused: true},
	}
	// Each way of sending a POST: a service method and Client.Do.
	posts := map[string]func(context.Context, *lambda.Client, []lambda.RequestOption) error{
		"Instances.Create": func(ctx context.Context, c *lambda.Client, o []lambda.RequestOption) error {
			_, err := c.Instances.Create(ctx, createReq, o...)
			return err
		},
		"Instances.Start": func(ctx context.Context, c *lambda.Client, o []lambda.RequestOption) error {
			_, err := c.Instances.Start(ctx, "inst_1", o...)
			return err
		},
		"Client.Do": func(ctx context.Context, c *lambda.Client, o []lambda.RequestOption) error {
			return c.Do(ctx, http.MethodPost, "/instances", map[string]string{"name": "web"}, nil, o...)
		},
	}
	for vname, v := range variants {
		for pname, post := range posts {
			t.Run(vname+"/"+pname, func(t *testing.T) {
				t.Parallel()
				mux, url := newTestServer(t)
				var mu sync.Mutex
				var keys [][]string // the Idempotency-Key values of each request, in order
				mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					keys = append(keys, r.Header.Values("Idempotency-Key"))
					n := len(keys)
					mu.Unlock()
					if n%2 == 1 { // the first attempt of each call fails: a retry must follow
						writeError(w, http.StatusServiceUnavailable, "service_unavailable", "later")
						return
					}
					writeData(w, http.StatusCreated, instanceJSON)
				})
				client, err := lambda.NewClient(append([]lambda.Option{lambda.WithAPIKey(testKey), lambda.WithBaseURL(url + "/v1"), fastBackoff}, v.client...)...)
				if v.refused && len(v.client) > 0 {
					require.ErrorIs(t, err, lambda.ErrInvalidRequest)
					assert.ErrorContains(t, err, "WithIdempotencyKey", "the error says what to use instead")
					return
				}
				require.NoError(t, err)
				for range 2 {
					err := post(context.Background(), client, v.call)
					if v.refused {
						require.ErrorIs(t, err, lambda.ErrInvalidRequest)
						assert.ErrorContains(t, err, "WithIdempotencyKey", "the error says what to use instead")
						continue
					}
					require.NoError(t, err)
				}
				mu.Lock()
				defer mu.Unlock()
				if v.refused {
					assert.Empty(t, keys, "a refused option sends nothing")
					return
				}
				require.Len(t, keys, 4, "two calls, each retried once")
				for i, k := range keys {
					require.Len(t, k, 1, "request %d carries exactly one key: %q", i+1, k)
					assert.NotEmpty(t, k[0], "request %d", i+1)
				}
				assert.Equal(t, keys[0], keys[1], "the retry of the first call carries its key")
				assert.Equal(t, keys[2], keys[3], "the retry of the second call carries its key")
				if v.key != "" {
					assert.Equal(t, v.key, keys[0][0])
					assert.Equal(t, v.key, keys[2][0])
				} else {
					assert.NotEqual(t, keys[0], keys[2], "two calls never share a generated key")
				}
			})
		}
	}
}

// TestOneKeyThroughRenewalRedirectAndRetry: one create whose first attempt
// meets a refused OAuth token (renewed and sent again within the attempt),
// a 307 within the API, and a 503 at the redirect's target, then is retried
// through the same redirect. Every request the server sees carries the
// call's one key and the same body.
func TestOneKeyThroughRenewalRedirectAndRetry(t *testing.T) {
	t.Parallel()
	mux, url := newTestServer(t)
	var rec recorder
	var targetHits atomic.Int32
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		if rec.add(r); r.Header.Get("Authorization") == "Bearer tok-1" {
			writeError(w, http.StatusUnauthorized, "authentication_failed", "revoked")
			return
		}
		http.Redirect(w, r, "/v1/instances/new", http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/instances/new", func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		if targetHits.Add(1) == 1 {
			writeError(w, http.StatusServiceUnavailable, "service_unavailable", "later")
			return
		}
		writeData(w, http.StatusCreated, instanceJSON)
	})
	client := newTestClientWith(t, lambda.WithTokenSource(&rotatingSource{ttl: time.Hour}), url+"/v1")
	_, err := client.Instances.Create(context.Background(), createReq)
	require.NoError(t, err)
	reqs := rec.all()
	// 401, renewed resend (307), target 503; retry: 307, target 201.
	require.Len(t, reqs, 5)
	key := reqs[0].Header.Values("Idempotency-Key")
	require.Len(t, key, 1)
	for i, r := range reqs {
		assert.Equal(t, http.MethodPost, r.Method, "request %d", i+1)
		assert.Equal(t, key, r.Header.Values("Idempotency-Key"), "request %d carries the call's one key", i+1)
		assert.Equal(t, reqs[0].Body, r.Body, "request %d carries the same body", i+1)
	}
}

// TestIdempotencyKeyOnEveryMethod: per-call options apply on every method,
// so WithIdempotencyKey given to a call that is not a POST sends its key
// too, on every attempt; it was dropped in silence. Without the option only
// a POST carries a key. A PATCH given a key is still never retried after a
// 503: the key does not make a partial update safe to apply twice.
func TestIdempotencyKeyOnEveryMethod(t *testing.T) {
	t.Parallel()
	name := "web"
	calls := map[string]struct {
		retried bool
		call    func(context.Context, *lambda.Client, ...lambda.RequestOption) error
	}{
		"GET (Instances.Get)": {true, func(ctx context.Context, c *lambda.Client, o ...lambda.RequestOption) error {
			_, err := c.Instances.Get(ctx, "inst_1", o...)
			return err
		}},
		"GET (Client.Do)": {true, func(ctx context.Context, c *lambda.Client, o ...lambda.RequestOption) error {
			return c.Do(ctx, http.MethodGet, "/instances/inst_1", nil, nil, o...)
		}},
		"PATCH (Instances.Update)": {false, func(ctx context.Context, c *lambda.Client, o ...lambda.RequestOption) error {
			_, err := c.Instances.Update(ctx, "inst_1", &lambda.UpdateInstanceRequest{Name: &name}, o...)
			return err
		}},
		"DELETE (Instances.Delete)": {true, func(ctx context.Context, c *lambda.Client, o ...lambda.RequestOption) error {
			return c.Instances.Delete(ctx, "inst_1", o...)
		}},
		"PUT (Client.Do)": {true, func(ctx context.Context, c *lambda.Client, o ...lambda.RequestOption) error {
			return c.Do(ctx, http.MethodPut, "/instances/inst_1", map[string]string{"name": "web"}, nil, o...)
		}},
	}
	for name, tc := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var keys []string
			client, served := scriptedAPI(t, "/", func(n int32, w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				keys = append(keys, r.Header.Get("Idempotency-Key"))
				mu.Unlock()
				if n == 1 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				writeData(w, http.StatusOK, instanceJSON)
			}, fastBackoff)

			err := tc.call(context.Background(), client, lambda.WithIdempotencyKey("k-1"))
			mu.Lock()
			defer mu.Unlock()
			if tc.retried {
				require.NoError(t, err)
				assert.Equal(t, []string{"k-1", "k-1"}, keys, "the caller's key on every attempt")
			} else {
				require.ErrorIs(t, err, lambda.ErrUnavailable)
				assert.Equal(t, []string{"k-1"}, keys, "sent once, with the key")
			}

			served.Store(0)
			keys = nil
			mu.Unlock()
			_ = tc.call(context.Background(), client)
			mu.Lock()
			require.NotEmpty(t, keys)
			assert.Empty(t, keys[0], "no key unless given one")
		})
	}
}
