package lambda_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

type ctxKey struct{}

// hookServer serves a WebhookHandler on loopback and records every call of
// its handle function. Its handle returns handleErr.
type hookServer struct {
	url    string
	client *http.Client
	calls  atomic.Int32
	mu     sync.Mutex
	events []*lambda.Event
	ctxVal any // what handle found under ctxKey in its context
}

func newHookServer(t *testing.T, secret string, handleErr error, opts ...lambda.WebhookOption) *hookServer {
	t.Helper()
	hs := &hookServer{}
	h := lambda.WebhookHandler(secret, func(ctx context.Context, ev *lambda.Event) error {
		hs.calls.Add(1)
		hs.mu.Lock()
		defer hs.mu.Unlock()
		hs.events = append(hs.events, ev)
		hs.ctxVal = ctx.Value(ctxKey{})
		return handleErr
	}, append([]lambda.WebhookOption{lambda.WithWebhookClock(fixedClock)}, opts...)...)
	// The middleware marks the request's context so the test can see handle receives it.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "from the request")))
	}))
	t.Cleanup(srv.Close)
	hs.url, hs.client = srv.URL, srv.Client()
	return hs
}

// deliver sends body with signature (none if empty) and returns the status,
// the Allow header and the response body.
func (hs *hookServer) deliver(t *testing.T, method string, body []byte, signature string) (int, string, string) {
	t.Helper()
	req, err := http.NewRequest(method, hs.url+"/hooks", bytes.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if signature != "" {
		req.Header.Set(lambda.SignatureHeader, signature)
	}
	resp, err := hs.client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	respBody, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, resp.Header.Get("Allow"), string(respBody)
}

func TestWebhookHandlerRefusals(t *testing.T) {
	t.Parallel()
	sign := func(b []byte) string { return hmacSign(b, testSecret) }
	big := append(append([]byte(nil), validBody...), bytes.Repeat([]byte(" "), 2048)...)
	malformed := []byte(`{"id":`)
	stale := stampedBody(testNow.Add(-lambda.DefaultWebhookRedeliveryWindow - time.Second))
	future := stampedBody(testNow.Add(time.Hour))

	for _, tc := range []struct {
		name      string
		method    string
		body      []byte
		signature string
		opts      []lambda.WebhookOption
		want      int
	}{
		{"GET", http.MethodGet, nil, "", nil, http.StatusMethodNotAllowed},
		{"PUT, even signed", http.MethodPut, validBody, sign(validBody), nil, http.StatusMethodNotAllowed},
		{"body over the cap, even signed", http.MethodPost, big, sign(big), []lambda.WebhookOption{lambda.WithWebhookMaxBodyBytes(1024)}, http.StatusRequestEntityTooLarge},
		{"no signature", http.MethodPost, validBody, "", nil, http.StatusUnauthorized},
		{"wrong signature", http.MethodPost, validBody, hmacSign(validBody, "nope"), nil, http.StatusUnauthorized},
		{"malformed signature", http.MethodPost, validBody, "sha256=zz", nil, http.StatusUnauthorized},
		{"upper-case signature", http.MethodPost, validBody, strings.ToUpper(sign(validBody)), nil, http.StatusUnauthorized},
		{"tampered body", http.MethodPost, stale, sign(validBody), nil, http.StatusUnauthorized},
		{"malformed body", http.MethodPost, malformed, sign(malformed), nil, http.StatusBadRequest},
		{"stale timestamp", http.MethodPost, stale, sign(stale), nil, http.StatusBadRequest},
		{"future timestamp", http.MethodPost, future, sign(future), nil, http.StatusBadRequest},
		{"older than a narrower window", http.MethodPost, stampedBody(testNow.Add(-2 * time.Hour)), sign(stampedBody(testNow.Add(-2 * time.Hour))), []lambda.WebhookOption{lambda.WithWebhookRedeliveryWindow(time.Hour)}, http.StatusBadRequest},
		{"invalid option", http.MethodPost, validBody, sign(validBody), []lambda.WebhookOption{lambda.WithWebhookTolerance(0)}, http.StatusInternalServerError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHookServer(t, testSecret, nil, tc.opts...)
			status, allow, body := hs.deliver(t, tc.method, tc.body, tc.signature)
			assert.Equal(t, tc.want, status)
			if tc.want == http.StatusMethodNotAllowed {
				assert.Equal(t, http.MethodPost, allow)
			}
			assert.Equal(t, http.StatusText(tc.want)+"\n", body, "the answer must say no more than the status")
			assert.Zero(t, hs.calls.Load(), "handle was called for a refused delivery")
		})
	}
}

func TestWebhookHandlerAccepts(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		body   []byte
		secret string // the signing secret; the handler's is testSecret
		opts   []lambda.WebhookOption
	}{
		{"signed event", validBody, testSecret, nil},
		{"body exactly at the cap", padTo(validBody, 1024), testSecret, []lambda.WebhookOption{lambda.WithWebhookMaxBodyBytes(1024)}},
		{"rotated: old secret", validBody, "old", []lambda.WebhookOption{lambda.WithWebhookSecrets("old")}},
		{"stale, timestamp check off", stampedBody(testNow.Add(-10 * lambda.DefaultWebhookRedeliveryWindow)), testSecret, []lambda.WebhookOption{lambda.WithoutWebhookTimestampCheck()}},
		{"an hour old: a redelivery", stampedBody(testNow.Add(-time.Hour)), testSecret, nil},
		{"just inside the redelivery window", stampedBody(testNow.Add(-lambda.DefaultWebhookRedeliveryWindow)), testSecret, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hs := newHookServer(t, testSecret, nil, tc.opts...)
			status, _, body := hs.deliver(t, http.MethodPost, tc.body, hmacSign(tc.body, tc.secret))
			require.Equal(t, http.StatusNoContent, status)
			assert.Empty(t, body)
			require.Equal(t, int32(1), hs.calls.Load(), "handle must be called exactly once")
			hs.mu.Lock()
			defer hs.mu.Unlock()
			assert.Equal(t, "evt_abc123", hs.events[0].ID)
			assert.Equal(t, lambda.EventInstanceCreated, hs.events[0].Type)
			assert.Equal(t, "from the request", hs.ctxVal, "handle must get the request's context")
		})
	}
}

// padTo pads a JSON body with trailing spaces to exactly n bytes.
func padTo(b []byte, n int) []byte {
	return append(append([]byte(nil), b...), bytes.Repeat([]byte(" "), n-len(b))...)
}

func TestWebhookHandlerHandleError(t *testing.T) {
	t.Parallel()
	var logBuf syncBuffer
	log := slog.New(slog.NewTextHandler(&logBuf, nil))
	hs := newHookServer(t, testSecret, errors.New("database is down: password=hunter2"), lambda.WithWebhookErrorLog(log))

	status, _, body := hs.deliver(t, http.MethodPost, validBody, hmacSign(validBody, testSecret))
	assert.Equal(t, http.StatusInternalServerError, status)
	assert.NotContains(t, body, "database", "the handle error must not reach the sender")
	assert.Equal(t, int32(1), hs.calls.Load())
	assert.Contains(t, logBuf.String(), "database is down", "the handle error belongs in the log")
	assert.Contains(t, logBuf.String(), "evt_abc123")
}

func TestWebhookHandlerMisconfigured(t *testing.T) {
	t.Parallel()
	noop := func(context.Context, *lambda.Event) error { return nil }
	for _, tc := range []struct {
		name   string
		secret string
		handle func(context.Context, *lambda.Event) error
		opts   []lambda.WebhookOption
	}{
		{"empty secret", "", noop, nil},
		{"nil handle", testSecret, nil, nil},
		{"invalid option", testSecret, noop, []lambda.WebhookOption{lambda.WithWebhookClock(nil)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logBuf syncBuffer
			opts := append([]lambda.WebhookOption{lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&logBuf, nil)))}, tc.opts...)
			srv := httptest.NewServer(lambda.WebhookHandler(tc.secret, tc.handle, opts...))
			defer srv.Close()
			// Signed with the empty key, so an empty secret really is the only fault.
			req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(validBody))
			require.NoError(t, err)
			req.Header.Set(lambda.SignatureHeader, hmacSign(validBody, tc.secret))
			resp, err := srv.Client().Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
			assert.Contains(t, logBuf.String(), "misconfigured", "the fault must be logged when the handler is made")
		})
	}
}

func TestWebhookHandlerLogsRefusalsWithoutSecrets(t *testing.T) {
	t.Parallel()
	var logBuf syncBuffer
	hs := newHookServer(t, testSecret, nil, lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&logBuf, nil))))
	sent := hmacSign(validBody, "nope")
	status, _, _ := hs.deliver(t, http.MethodPost, validBody, sent)
	require.Equal(t, http.StatusUnauthorized, status)

	logged := logBuf.String()
	assert.Contains(t, logged, "status=401")
	assert.Contains(t, logged, "signature")
	assert.NotContains(t, logged, testSecret)
	assert.NotContains(t, logged, hmacSign(validBody, testSecret)[7:], "the expected signature must not be logged")
	assert.NotContains(t, logged, sent[7:], "the sent signature need not be logged")
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines and the test.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
