package lambdatest_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func TestIdempotentReplay(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	first := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody, "Idempotency-Key", "same")
	again := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody, "Idempotency-Key", "same")
	assert.Equal(t, first.raw, again.raw, "the stored answer, byte for byte")
	assert.Equal(t, first.header.Get("X-Request-Id"), again.header.Get("X-Request-Id"))
	assert.Equal(t, "true", again.header.Get("Idempotent-Replayed"))

	list := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "")
	assert.Len(t, list.items(t), 1, "nothing created twice")

	r := mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/instances",
		strings.Replace(instanceBody, `"web"`, `"other"`, 1), "Idempotency-Key", "same")
	assert.Equal(t, "conflict", r.errCode())

	// Keys are per API key: another key may reuse the name.
	srv.SetAPIKeys(lambdatest.DefaultAPIKey, "λ_sk_second")
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody,
		"Idempotency-Key", "same", "Authorization", "Bearer λ_sk_second")
	assert.Len(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "").items(t), 2)
}

func TestFaultStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    lambdatest.Fault
		status   int
		code     string
		contains string
	}{
		{"503 envelope", lambdatest.Fault{Path: "/v1/account", Status: 503}, 503, "service_unavailable", ""},
		{"500 envelope", lambdatest.Fault{Method: "GET", Status: 500}, 500, "server_error", ""},
		{"custom HTML body", lambdatest.Fault{Path: "/v1/*", Status: 502, Body: "<html>Bad Gateway</html>"}, 502, "", "Bad Gateway"},
		{"429 with header", lambdatest.Fault{Status: 429, Header: http.Header{"Retry-After": {"7"}}}, 429, "rate_limit_exceeded", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t)
			srv.InjectFault(tc.fault)
			r := call(t, srv, http.MethodGet, "/v1/account", "")
			assert.Equal(t, tc.status, r.status)
			assert.Equal(t, tc.code, r.errCode())
			assert.Contains(t, string(r.raw), tc.contains)
			assert.NotEmpty(t, r.header.Get("X-Request-Id"))
			if tc.fault.Header != nil {
				assert.Equal(t, "7", r.header.Get("Retry-After"))
			}
			mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "") // Times 0 means once
		})
	}
}

func TestFaultMatchingAndTimes(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault(lambdatest.Fault{Method: "POST", Path: "/v1/instances", Status: 500, Times: 2})
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "") // other method
	mustCall(t, srv, http.StatusInternalServerError, http.MethodPost, "/v1/instances", instanceBody)
	mustCall(t, srv, http.StatusInternalServerError, http.MethodPost, "/v1/instances", instanceBody)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody)

	srv.InjectFault(lambdatest.Fault{Path: "/v1/volumes*", Status: 503, Times: -1})
	for i := 0; i < 3; i++ {
		mustCall(t, srv, http.StatusServiceUnavailable, http.MethodGet, "/v1/volumes", "")
	}
	srv.ClearFaults()
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/volumes", "")
}

func TestFaultDelay(t *testing.T) {
	t.Parallel()
	srv := newServer(t)

	// A delay alone answers normally afterwards.
	srv.InjectFault(lambdatest.Fault{Delay: 30 * time.Millisecond})
	start := time.Now()
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	assert.GreaterOrEqual(t, time.Since(start), 30*time.Millisecond)

	// A client that gives up is let go at once.
	srv.InjectFault(lambdatest.Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/v1/account", nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", lambdatest.DefaultAPIKey)
	start = time.Now()
	_, err = srv.Client().Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestFaultDelayEndsOnClose(t *testing.T) {
	t.Parallel()
	srv := lambdatest.NewServer()
	srv.InjectFault(lambdatest.Fault{Delay: time.Hour})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/account", nil)
		req.Header.Set("X-API-Key", lambdatest.DefaultAPIKey)
		if res, err := srv.Client().Do(req); err == nil {
			res.Body.Close()
		}
	}()
	require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, 5*time.Second, time.Millisecond)
	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for the delayed request")
	}
	wg.Wait()
}

func TestFaultDrop(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault(lambdatest.Fault{Path: "/v1/account", Drop: true})
	req, err := http.NewRequest(http.MethodGet, srv.URL+"/v1/account", nil)
	require.NoError(t, err)
	req.Header.Set("X-API-Key", lambdatest.DefaultAPIKey)
	res, err := srv.Client().Do(req)
	if err == nil {
		res.Body.Close()
	}
	require.Error(t, err, "the connection is closed without an answer")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
}

func TestFaultAfterHandling(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.InjectFault(lambdatest.Fault{Method: "POST", Path: "/v1/instances", Status: 503, AfterHandling: true})

	mustCall(t, srv, http.StatusServiceUnavailable, http.MethodPost, "/v1/instances", instanceBody, "Idempotency-Key", "retry-me")
	list := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "")
	require.Len(t, list.items(t), 1, "the handler ran: the instance exists")

	// The client retries with the same key: the first answer is replayed.
	r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody, "Idempotency-Key", "retry-me")
	assert.Equal(t, list.items(t)[0].(map[string]any)["id"], r.data(t)["id"])
	assert.Len(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "").items(t), 1, "not duplicated")

	// A dropped connection after the handler ran: the instance exists even
	// though the client got no answer. (A fresh connection, because
	// net/http itself retries a POST that carries an Idempotency-Key when a
	// reused connection breaks.)
	srv.InjectFault(lambdatest.Fault{Method: "POST", Path: "/v1/instances", Drop: true, AfterHandling: true})
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/v1/instances", strings.NewReader(instanceBody))
	require.NoError(t, err)
	req.Header.Set("X-API-Key", lambdatest.DefaultAPIKey)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "dropped")
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	res, err := fresh.Do(req)
	if err == nil {
		res.Body.Close()
	}
	require.Error(t, err)
	assert.Len(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "").items(t), 2)
}

func TestConcurrentCreates(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	const n = 50
	ids := make(chan string, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := call(t, srv, http.MethodPost, "/v1/instances", instanceBody)
			if assert.Equal(t, http.StatusCreated, r.status) {
				ids <- r.json["data"].(map[string]any)["id"].(string)
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		assert.False(t, seen[id], "duplicate ID %s", id)
		seen[id] = true
	}
	assert.Len(t, seen, n)
	r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances?limit=100", "")
	assert.EqualValues(t, n, r.json["pagination"].(map[string]any)["total_items"])
}

func TestFaultRedirect(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	other := newServer(t, lambdatest.WithAPIKeys("λ_sk_other_host"))
	srv.InjectFault(lambdatest.Fault{Path: "/v1/account", Status: http.StatusTemporaryRedirect,
		Header: http.Header{"Location": {other.URL + "/v1/account"}}})

	r := call(t, srv, http.MethodGet, "/v1/account", "", "Authorization", "", "X-API-Key", lambdatest.DefaultAPIKey)
	assert.Equal(t, http.StatusUnauthorized, r.status, "the redirect was followed to the other host")
	reqs := other.Requests()
	require.Len(t, reqs, 1)
	// net/http keeps X-API-Key on a redirect to another host: a client must
	// strip it itself. The simulator lets a test see exactly that.
	assert.Equal(t, lambdatest.DefaultAPIKey, reqs[0].Header.Get("X-API-Key"))
}
