package lambdatest_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func dialStream(ctx context.Context, srv *lambdatest.Server, id, key string) (*websocket.Conn, *http.Response, error) {
	u := "ws" + strings.TrimPrefix(srv.URL, "http") + "/v1/instances/" + id + "/metrics/stream"
	h := http.Header{}
	if key != "" {
		h.Set("Authorization", "Bearer "+key)
	}
	return websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: srv.Client(), HTTPHeader: h})
}

func readSample(ctx context.Context, t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	typ, msg, err := c.Read(ctx)
	require.NoError(t, err)
	require.Equal(t, websocket.MessageText, typ)
	var s map[string]any
	require.NoError(t, json.Unmarshal(msg, &s))
	return s
}

func TestMetricsStream(t *testing.T) {
	t.Parallel()
	for _, tls := range []bool{false, true} {
		name := "ws"
		opts := []lambdatest.Option{}
		if tls {
			name, opts = "wss", append(opts, lambdatest.WithTLS())
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, opts...)
			id := createInstance(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()

			c, res, err := dialStream(ctx, srv, id, lambdatest.DefaultAPIKey)
			require.NoError(t, err)
			defer c.CloseNow()
			assert.Equal(t, http.StatusSwitchingProtocols, res.StatusCode)
			var prev string
			for i := 0; i < 3; i++ {
				s := readSample(ctx, t, c)
				assert.Contains(t, s, "cpu_percent")
				assert.Contains(t, s, "network_out_bytes")
				assert.NotEqual(t, prev, s["timestamp"])
				prev = s["timestamp"].(string)
			}
			require.NoError(t, c.Close(websocket.StatusNormalClosure, "done"))
		})
	}
}

func TestMetricsStreamRefusedBeforeUpgrade(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := createInstance(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	tests := []struct {
		name, id, key string
		status        int
	}{
		{"no key", id, "", http.StatusUnauthorized},
		{"wrong key", id, "λ_sk_wrong", http.StatusUnauthorized},
		{"unknown instance", "inst_missing", lambdatest.DefaultAPIKey, http.StatusNotFound},
	}
	for _, tc := range tests {
		c, res, err := dialStream(ctx, srv, tc.id, tc.key)
		require.Error(t, err, tc.name)
		if c != nil {
			c.CloseNow()
		}
		require.NotNil(t, res, tc.name)
		assert.Equal(t, tc.status, res.StatusCode, tc.name)
	}
}

func TestDropStreams(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := createInstance(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	c, _, err := dialStream(ctx, srv, id, lambdatest.DefaultAPIKey)
	require.NoError(t, err)
	defer c.CloseNow()
	readSample(ctx, t, c)
	srv.DropStreams()
	var readErr error
	for readErr == nil {
		_, _, readErr = c.Read(ctx)
	}
	assert.NotErrorIs(t, readErr, context.DeadlineExceeded, "the stream ends at once")
	assert.NotEqual(t, websocket.StatusNormalClosure, websocket.CloseStatus(readErr), "abrupt: no close frame")

	// A reconnect works.
	c2, _, err := dialStream(ctx, srv, id, lambdatest.DefaultAPIKey)
	require.NoError(t, err)
	defer c2.CloseNow()
	readSample(ctx, t, c2)
}

func TestCloseEndsStreams(t *testing.T) {
	t.Parallel()
	srv := lambdatest.NewServer(lambdatest.WithMetricsInterval(10 * time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	id := srv.SeedInstances(1)[0]
	c, _, err := dialStream(ctx, srv, id, lambdatest.DefaultAPIKey)
	require.NoError(t, err)
	defer c.CloseNow()
	readSample(ctx, t, c)

	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close hangs on an open stream")
	}
	var readErr error
	for readErr == nil {
		_, _, readErr = c.Read(ctx)
	}
	assert.NotErrorIs(t, readErr, context.DeadlineExceeded)
}

func TestTLSClient(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithTLS())
	require.True(t, strings.HasPrefix(srv.URL, "https://"))
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
}

// TestStreamHandshakeRefusalsUseTheEnvelope: a request to the metrics stream
// that is no WebSocket handshake the server takes is refused in the error
// envelope, with the request ID, as every error of the API is (the contract:
// "Errors before the upgrade use the error envelope"), not in the WebSocket
// library's plain text; the status is one of the API's codes.
func TestStreamHandshakeRefusalsUseTheEnvelope(t *testing.T) {
	t.Parallel()
	upgrade := []string{"Connection", "Upgrade", "Upgrade", "websocket", "Sec-WebSocket-Version", "13",
		"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}
	with := func(pairs ...string) []string { return append(append([]string(nil), upgrade...), pairs...) }
	tests := []struct {
		name   string
		header []string
		want   int
		code   string
	}{
		{name: "a plain GET", want: http.StatusBadRequest, code: "invalid_request"},
		{name: "no Upgrade header", header: with("Upgrade", ""), want: http.StatusBadRequest, code: "invalid_request"},
		{name: "another WebSocket version", header: with("Sec-WebSocket-Version", "8"), want: http.StatusBadRequest, code: "invalid_request"},
		{name: "no Sec-WebSocket-Key", header: with("Sec-WebSocket-Key", ""), want: http.StatusBadRequest, code: "invalid_request"},
		{name: "an Origin of another host", header: with("Origin", "https://dashboard.example.com"), want: http.StatusForbidden, code: "forbidden"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newPlatform(t)
			id := srv.SeedInstances(1)[0]
			r := mustCall(t, srv, tc.want, http.MethodGet, "/v1/instances/"+id+"/metrics/stream", "", tc.header...)
			assert.Equal(t, "application/json", r.header.Get("Content-Type"))
			assert.Equal(t, tc.code, r.errCode(), "%s", r.raw)
			meta, _ := r.json["metadata"].(map[string]any)
			assert.Equal(t, r.header.Get("X-Request-Id"), meta["request_id"], "%s", r.raw)
		})
	}
}
