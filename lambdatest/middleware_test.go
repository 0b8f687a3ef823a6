package lambdatest_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	srv := newServer(t)

	tests := []struct {
		name   string
		header []string
		want   int
		msg    string // what the 401's message says: "missing" when nothing was sent
	}{
		{"bearer", nil, http.StatusOK, ""},
		{"x-api-key", []string{"Authorization", "", "X-API-Key", lambdatest.DefaultAPIKey}, http.StatusOK, ""},
		{"lower-case scheme", []string{"Authorization", "bearer " + lambdatest.DefaultAPIKey}, http.StatusOK, ""},
		{"missing", []string{"Authorization", ""}, http.StatusUnauthorized, "missing API key"},
		{"wrong key", []string{"Authorization", "Bearer λ_sk_test_wrong"}, http.StatusUnauthorized, "invalid API key"},
		{"wrong scheme", []string{"Authorization", "Basic " + lambdatest.DefaultAPIKey}, http.StatusUnauthorized, "missing API key"},
		{"key without its non-ASCII bytes", []string{"Authorization", "Bearer _sk_test_4f9c2b7e1d3a8c6f"}, http.StatusUnauthorized, "invalid API key"},
		{"key re-encoded as Latin-1 mojibake", []string{"Authorization", "Bearer Î»_sk_test_4f9c2b7e1d3a8c6f"}, http.StatusUnauthorized, "invalid API key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, http.MethodGet, "/v1/account", "", tc.header...)
			require.Equal(t, tc.want, r.status, "%s", r.raw)
			assert.NotEmpty(t, r.header.Get("X-Request-Id"))
			assert.NotEmpty(t, r.header.Get("X-RateLimit-Limit"))
			if tc.want == http.StatusUnauthorized {
				assert.Equal(t, "authentication_failed", r.errCode())
				assert.Contains(t, r.json["error"].(map[string]any)["message"], tc.msg)
				assert.NotContains(t, string(r.raw), "λ_sk", "the key is never echoed")
			}
		})
	}
}

func TestAPIKeyRotation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithAPIKeys("λ_sk_old"))
	mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer λ_sk_old")

	srv.SetAPIKeys("λ_sk_new")
	mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "", "Authorization", "Bearer λ_sk_old")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer λ_sk_new")
}

func TestCreatedAPIKeyAuthenticatesUntilDeleted(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/account/api-keys", `{"name":"ci","permissions":["read"]}`).data(t)
	secret := d["key"].(string)
	assert.Regexp(t, `^λ_sk_`, secret)
	assert.Equal(t, []rune(secret)[:8], []rune(d["prefix"].(string)))

	assert.NotContains(t, d, "last_used_at", "never used yet")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+secret)
	list := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account/api-keys", "")
	for _, it := range list.items(t) {
		assert.NotEmpty(t, it.(map[string]any)["last_used_at"], "both keys were used")
	}
	assert.NotContains(t, string(list.raw), secret, "the secret is shown once")
	assert.Len(t, list.items(t), 2, "the default key and the new one")

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/account/api-keys/"+d["id"].(string), "")
	mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+secret)
	mustCall(t, srv, http.StatusNotFound, http.MethodDelete, "/v1/account/api-keys/"+d["id"].(string), "")
}

// TestDeletingTheDefaultKeyRevokesIt: the key the server starts with is
// listed by GET /account/api-keys like any other, so deleting it there
// revokes it, as DELETE /v1/account/api-keys/:id does on the platform (a
// rotation: make a key, move to it, delete the old one). Keys given to
// WithAPIKeys beyond the first are not listed, and stay. Reset brings back
// the keys the server was given and forgets those created through the API.
func TestDeletingTheDefaultKeyRevokesIt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		keys  []string // WithAPIKeys; nil: the default
		first string   // the listed key
		other string   // a configured key that is not listed, "" for none
	}{
		{name: "DefaultAPIKey", first: lambdatest.DefaultAPIKey},
		{name: "WithAPIKeys", keys: []string{"λ_sk_first", "λ_sk_second"}, first: "λ_sk_first", other: "λ_sk_second"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var opts []lambdatest.Option
			if tc.keys != nil {
				opts = append(opts, lambdatest.WithAPIKeys(tc.keys...))
			}
			srv := newPlatform(t, opts...)
			as := func(key string) []string { return []string{"Authorization", "Bearer " + key} }
			list := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account/api-keys", "", as(tc.first)...).items(t)
			require.Len(t, list, 1, "the listed key")
			id := list[0].(map[string]any)["id"].(string)
			next := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/account/api-keys", `{"name":"next"}`, as(tc.first)...).data(t)["key"].(string)

			mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/account/api-keys/"+id, "", as(next)...)
			r := mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "", as(tc.first)...)
			assert.Equal(t, "authentication_failed", r.errCode())
			mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", as(next)...)
			if tc.other != "" {
				mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", as(tc.other)...)
			}

			// Reset makes the world as NewServer did: the keys it was given
			// authenticate again, and the key created through the API is
			// forgotten, as its doc says.
			srv.Reset()
			mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", as(tc.first)...)
			mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "", as(next)...)
		})
	}
}

func TestEnvelopeHeadersAndVersions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	for _, prefix := range []string{"/v1", "/v2"} {
		r := mustCall(t, srv, http.StatusOK, http.MethodGet, prefix+"/instances", "")
		meta := r.json["metadata"].(map[string]any)
		assert.Regexp(t, `^req_`, meta["request_id"])
		assert.Equal(t, r.header.Get("X-Request-Id"), meta["request_id"])
		assert.NotEmpty(t, meta["timestamp"])
		assert.Equal(t, "10000", r.header.Get("X-RateLimit-Limit"))
		assert.NotEmpty(t, r.header.Get("X-RateLimit-Remaining"))
		assert.NotEmpty(t, r.header.Get("X-RateLimit-Reset"))
	}
	r := mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/nothing-here", "")
	assert.Equal(t, "not_found", r.errCode())
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v3/instances", "")
	mustCall(t, srv, http.StatusNotFound, http.MethodPut, "/v1/instances", "")
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithRateLimit(3, time.Hour))
	for i := 0; i < 3; i++ {
		r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
		assert.Equal(t, "3", r.header.Get("X-RateLimit-Limit"))
		assert.Equal(t, strconv.Itoa(2-i), r.header.Get("X-RateLimit-Remaining"))
	}
	r := mustCall(t, srv, http.StatusTooManyRequests, http.MethodGet, "/v1/account", "")
	assert.Equal(t, "rate_limit_exceeded", r.errCode())
	ra, err := strconv.Atoi(r.header.Get("Retry-After"))
	require.NoError(t, err)
	assert.GreaterOrEqual(t, ra, 1)
	assert.LessOrEqual(t, ra, 3600)
	assert.EqualValues(t, ra, r.json["error"].(map[string]any)["retry_after"])
	assert.Equal(t, "0", r.header.Get("X-RateLimit-Remaining"))
	reset, err := strconv.ParseInt(r.header.Get("X-RateLimit-Reset"), 10, 64)
	require.NoError(t, err)
	assert.Greater(t, reset, srv.Now().Unix())

	// The window is per key: another key still has its own.
	srv.SetAPIKeys(lambdatest.DefaultAPIKey, "λ_sk_other")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer λ_sk_other")
}

func TestRateLimitWindowResets(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithRateLimit(1, time.Second)) // long enough that the second call lands in the window under load
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	r := mustCall(t, srv, http.StatusTooManyRequests, http.MethodGet, "/v1/account", "")
	assert.Equal(t, "1", r.header.Get("Retry-After"), "whole seconds, at least 1")
	poll(t, srv, "/v1/account", func(c *assert.CollectT, r resp) {
		assert.Equal(c, http.StatusOK, r.status, "the window never reset")
	})
}

func TestRequestLog(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/instances?page=2", "", "Authorization", "")
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody, "Idempotency-Key", "k1")

	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, http.MethodGet, reqs[0].Method)
	assert.Equal(t, "/v1/instances", reqs[0].Path)
	assert.Equal(t, "page=2", reqs[0].RawQuery)
	assert.Equal(t, "k1", reqs[1].Header.Get("Idempotency-Key"))
	assert.JSONEq(t, instanceBody, string(reqs[1].Body))
	assert.False(t, reqs[1].Time.Before(reqs[0].Time))

	reqs[1].Body[0] = 'X' // a copy: the log is not changed
	reqs[1].Header.Set("Idempotency-Key", "changed")
	assert.JSONEq(t, instanceBody, string(srv.Requests()[1].Body))
	assert.Equal(t, "k1", srv.Requests()[1].Header.Get("Idempotency-Key"))

	srv.ResetRequests()
	assert.Empty(t, srv.Requests())
}

func TestLoggerNeverLogsKeys(t *testing.T) {
	t.Parallel()
	var buf syncBuffer
	srv := newServer(t, lambdatest.WithLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "", "Authorization", "Bearer λ_sk_leaked")
	out := buf.String()
	assert.Contains(t, out, "/v1/account")
	assert.Contains(t, out, "status=401")
	assert.NotContains(t, out, "λ_sk")
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestLogLimit(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithRequestLogLimit(8))
	for i := 0; i < 20; i++ {
		call(t, srv, http.MethodGet, "/v1/account?i="+strconv.Itoa(i), "") // a 400: logged all the same
	}
	reqs := srv.Requests()
	require.LessOrEqual(t, len(reqs), 8)
	require.NotEmpty(t, reqs)
	assert.Equal(t, "i=19", reqs[len(reqs)-1].RawQuery, "the latest are kept")
}
