package lambdatest

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The tests of this file prove that what the simulator keeps for its
// clients is bounded: a long test run (hours, millions of requests), or a
// hostile client of lambdasim, must not grow the process without end. The
// bounds are lowered on the server under test, so that a few hundred
// requests reach them.

// do sends one request to s with key and returns the answer's status and
// headers.
func do(t *testing.T, s *Server, method, path, key, body string, header ...string) (int, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := s.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode, res.Header
}

// A client sending a fresh Idempotency-Key with every POST: the store keeps
// the latest keys only, and forgets the expired ones, each in O(1)
// amortized (it once swept the whole store on every POST past 10,000 keys).
func TestIdempotencyStoreIsBounded(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	const limit = 50
	s.idem.mu.Lock()
	s.idem.limit = limit
	s.idem.mu.Unlock()

	post := func(key string) http.Header {
		// A 404 is an answer like another: it is stored.
		status, h := do(t, s, http.MethodPost, "/v1/instances/inst_none/stop", DefaultAPIKey, "", "Idempotency-Key", key)
		require.Equal(t, http.StatusNotFound, status)
		return h
	}
	for i := range 6 * limit {
		post(fmt.Sprint("key-", i))
	}
	s.idem.mu.Lock()
	stored, order := len(s.idem.m), len(s.idem.order)
	s.idem.mu.Unlock()
	assert.LessOrEqual(t, stored, limit)
	assert.LessOrEqual(t, order, 3*limit)
	assert.Equal(t, "true", post(fmt.Sprint("key-", 6*limit-1)).Get("Idempotent-Replayed"), "the latest key is remembered")
	assert.Empty(t, post("key-0").Get("Idempotent-Replayed"), "the oldest key is forgotten")

	require.NoError(t, s.AdvanceClock(idempotencyTTL+time.Hour))
	post("after-a-day")
	s.idem.mu.Lock()
	defer s.idem.mu.Unlock()
	assert.Equal(t, 1, len(s.idem.m), "a day later, only the new key is kept")
}

// Answers of 5xx are not stored (a retry runs for real), so their records
// leave the store's order behind the oldest live one: the order is compacted
// rather than kept until that one expires a day later.
func TestIdempotencyOrderForgetsAnswersNotStored(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	const limit = 10
	st := &s.idem
	st.mu.Lock()
	st.limit = limit
	st.mu.Unlock()
	do := func(key string, status int) {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/v1/instances", strings.NewReader("{}"))
		require.NoError(t, err)
		c := &call{s: s, r: req, body: []byte("{}"), key: DefaultAPIKey, reqID: newID("req_"), now: s.Now()}
		rep := st.do(c, key, func(*call) reply { return reply{status: status, header: http.Header{}} })
		require.Equal(t, status, rep.status)
	}
	do("live", http.StatusCreated)
	for i := range 50 * limit {
		do(fmt.Sprint("failed-", i), http.StatusServiceUnavailable)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	assert.Equal(t, 1, len(st.m), "only the answer under 500 is stored")
	assert.LessOrEqual(t, len(st.order), 2*len(st.m)+limit+1)
}

// Under WithAnyAPIKey (lambdasim's default) every key a client makes up
// starts rate-limit windows of its own: the windows that are over are
// forgotten, and a key is kept as a digest, not as the megabytes sent.
func TestRateLimitWindowsAreBounded(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts []Option
	}{
		{"shown, not enforced", nil},
		{"a plan's hour and burst", []Option{WithPlan(PlanEnterprise)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := NewServer(append([]Option{WithAnyAPIKey()}, tc.opts...)...)
			defer s.Close()
			for i := range 100 {
				key := fmt.Sprint(i, "-", strings.Repeat("k", 16<<10))
				status, _ := do(t, s, http.MethodGet, "/v1/account", key, "")
				require.Equal(t, http.StatusOK, status)
			}
			s.limiter.mu.Lock()
			for k := range s.limiter.buckets {
				assert.Less(t, len(k), 64, "a bucket is filed under the key's digest")
			}
			s.limiter.mu.Unlock()

			require.NoError(t, s.AdvanceClock(2*time.Hour))
			s.limiter.mu.Lock()
			s.limiter.sweepAt = 100 // as if the buckets had doubled since the last sweep
			s.limiter.mu.Unlock()
			do(t, s, http.MethodGet, "/v1/account", "another", "")
			s.limiter.mu.Lock()
			defer s.limiter.mu.Unlock()
			assert.Equal(t, 1, len(s.limiter.buckets), "the hour of the first keys is over")
			assert.LessOrEqual(t, len(s.limiter.seconds), 1, "their second is over")
		})
	}
}

// The workloads routes' windows last a minute, not the plan's hour: once
// their minute is over, a sweep forgets them.
func TestWorkloadsWindowsAreForgottenAfterTheirMinute(t *testing.T) {
	t.Parallel()
	s := NewServer(WithAnyAPIKey())
	defer s.Close()
	for i := range 100 {
		status, _ := do(t, s, http.MethodGet, "/v1/workloads", fmt.Sprint("key-", i), "")
		require.Equal(t, http.StatusOK, status)
	}
	require.NoError(t, s.AdvanceClock(WorkloadsRateWindow+time.Second))
	s.limiter.mu.Lock()
	s.limiter.sweepAt = 100 // as if the buckets had doubled since the last sweep
	s.limiter.mu.Unlock()
	do(t, s, http.MethodGet, "/v1/account", "another", "")
	s.limiter.mu.Lock()
	defer s.limiter.mu.Unlock()
	assert.Equal(t, 1, len(s.limiter.buckets), "the minute of the first keys is over")
}

// blockingTransport holds every webhook delivery until release is closed,
// whatever the request's deadline: a receiver that is down for long.
type blockingTransport struct{ release chan struct{} }

func (b blockingTransport) RoundTrip(*http.Request) (*http.Response, error) {
	<-b.release
	return nil, fmt.Errorf("receiver down")
}

// Events for a receiver that does not answer wait in a bounded queue; the
// ones past it are dropped, and recorded as failed deliveries.
func TestWebhookQueueIsBounded(t *testing.T) {
	t.Parallel()
	rt := blockingTransport{release: make(chan struct{})}
	s := NewServer(WithWebhookClient(&http.Client{Transport: rt}), WithWebhookRetry(1, time.Millisecond))
	defer s.Close()
	defer close(rt.release) // before Close, which waits for the worker
	const limit = 10
	s.hooks.mu.Lock()
	s.hooks.queueLimit = limit
	s.hooks.mu.Unlock()
	status, _ := do(t, s, http.MethodPost, "/v1/webhooks", DefaultAPIKey,
		`{"url":"http://127.0.0.1:1/hook","events":["*"],"secret":"whsec"}`)
	require.Equal(t, http.StatusCreated, status)

	const events = 5 * limit
	for i := range events {
		s.emit("instance.created", map[string]any{"n": i})
		s.hooks.mu.Lock()
		queued := len(s.hooks.subs[0].queue)
		s.hooks.mu.Unlock()
		require.LessOrEqual(t, queued, limit)
	}
	dropped := 0
	for _, d := range s.Deliveries() {
		if strings.HasPrefix(d.Err, "not delivered") {
			dropped++
		}
	}
	// The worker holds at most one event, the queue ten: the rest is dropped.
	assert.GreaterOrEqual(t, dropped, events-limit-1)
}

// Deliveries keeps the latest attempts only.
func TestWebhookDeliveryLogIsBounded(t *testing.T) {
	t.Parallel()
	var hits atomic.Int64
	var lastEvent atomic.Value
	recv := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		var ev struct{ ID string }
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			return nil, err
		}
		lastEvent.Store(ev.ID)
		hits.Add(1)
		return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
	})}
	s := NewServer(WithWebhookClient(recv))
	defer s.Close()
	const limit = 20
	s.hooks.mu.Lock()
	s.hooks.logLimit = limit
	s.hooks.mu.Unlock()
	status, _ := do(t, s, http.MethodPost, "/v1/webhooks", DefaultAPIKey,
		`{"url":"https://hooks.example/in","events":["*"],"secret":"whsec"}`)
	require.Equal(t, http.StatusCreated, status)

	for i := range 3 * limit {
		s.emit("instance.created", map[string]any{"n": i})
		require.Eventually(t, func() bool { return hits.Load() == int64(i+1) }, time.Minute, time.Millisecond)
	}
	// The last attempt is recorded once the receiver has answered.
	require.Eventually(t, func() bool {
		ds := s.Deliveries()
		return len(ds) > 0 && ds[len(ds)-1].EventID == lastEvent.Load()
	}, time.Minute, time.Millisecond)
	assert.LessOrEqual(t, len(s.Deliveries()), limit)
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A client asking for a token per test, for hours, with a short lifetime:
// the tokens expired for a lifetime are forgotten.
func TestOAuthAccessTokensAreBounded(t *testing.T) {
	t.Parallel()
	s := NewServer(WithOAuthClient("ci", "secret"), WithTokenLifetime(time.Minute))
	defer s.Close()
	for range 100 {
		s.IssueToken("ci")
	}
	require.NoError(t, s.AdvanceClock(time.Minute+time.Second))
	recent := s.IssueToken("ci") // the first ones expired a second ago: still told apart
	status, _ := do(t, s, http.MethodGet, "/v1/account", recent.AccessToken, "")
	require.Equal(t, http.StatusOK, status)

	require.NoError(t, s.AdvanceClock(3*time.Minute))
	s.oauth.mu.Lock()
	s.oauth.sweepAt = 100 // as if the tokens had doubled since the last sweep
	s.oauth.mu.Unlock()
	s.IssueToken("ci")
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	assert.Equal(t, 1, len(s.oauth.access))
}

// The request log keeps at most its bytes, the newest requests first.
func TestRequestLogBytesAreBounded(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	const budget = 1 << 20
	s.log.mu.Lock()
	s.log.maxBytes = budget
	s.log.mu.Unlock()
	body := `{"name":"` + strings.Repeat("x", 100<<10) + `"}`
	for i := range 40 {
		do(t, s, http.MethodPatch, fmt.Sprint("/v1/instances/inst_", i), DefaultAPIKey, body)
	}
	reqs := s.Requests()
	size := 0
	for _, r := range reqs {
		size += r.size()
	}
	assert.LessOrEqual(t, size, budget)
	require.NotEmpty(t, reqs)
	assert.Equal(t, "/v1/instances/inst_39", reqs[len(reqs)-1].Path, "the newest request stays")

	big := strings.Repeat("y", 2*budget) // larger than the whole budget: kept alone
	do(t, s, http.MethodPatch, "/v1/instances/big", DefaultAPIKey, big[:maxBody])
	reqs = s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/v1/instances/big", reqs[0].Path)
}

// A client that sends its headers, then its body a byte at a time or not
// at all, holds a goroutine and a socket: the body has a deadline, after
// which the request is refused with a 400 in the error envelope. (Lowered
// here; the server's is bodyReadTimeout.)
func TestSlowBodyIsCutOff(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	s.bodyTimeout = 100 * time.Millisecond
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(time.Minute))) // a generous bound on the test itself
	_, err = conn.Write([]byte("POST /v1/instances HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer " + DefaultAPIKey +
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":"))
	require.NoError(t, err)

	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the server never answered a body that stopped")
	defer res.Body.Close()
	assert.Equal(t, http.StatusBadRequest, res.StatusCode)
	raw, _ := io.ReadAll(res.Body)
	assert.Contains(t, string(raw), `"invalid_request"`)
	assert.NotEmpty(t, res.Header.Get("X-Request-Id"))
}
