package lambda_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

// rotatingSource hands out tok-1, tok-2, … each valid for ttl.
type rotatingSource struct {
	mu  sync.Mutex
	n   int
	ttl time.Duration
	err error
}

func (s *rotatingSource) Token() (*oauth2.Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return nil, s.err
	}
	s.n++
	return &oauth2.Token{AccessToken: fmt.Sprintf("tok-%d", s.n), TokenType: "Bearer", Expiry: time.Now().Add(s.ttl)}, nil
}

func (s *rotatingSource) fetches() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// oauthSetup serves inst_1, refusing with a 401 an Authorization that
// valid refuses, and returns a client with src for it and the count of
// requests served.
func oauthSetup(t *testing.T, src oauth2.TokenSource, valid func(string) bool, opts ...lambda.Option) (*lambda.Client, *atomic.Int32) {
	t.Helper()
	url, requests := scriptedServer(t, "/instances/inst_1", func(_ int32, w http.ResponseWriter, r *http.Request) {
		if !valid(r.Header.Get("Authorization")) {
			writeError(w, 401, "authentication_failed", "Invalid or missing API token")
			return
		}
		writeData(w, 200, instanceJSON)
	})
	return newTestClientWith(t, lambda.WithTokenSource(src), url+"/v1", opts...), requests
}

func TestTokenSourceIsReusedUntilExpiry(t *testing.T) {
	t.Parallel()
	src := &rotatingSource{ttl: time.Hour}
	c, requests := oauthSetup(t, src, func(h string) bool { return h == "Bearer tok-1" })
	for range 3 {
		_, err := c.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err)
	}
	assert.Equal(t, 1, src.fetches())
	assert.EqualValues(t, 3, requests.Load())
}

func TestExpiredTokenIsRefreshedTransparently(t *testing.T) {
	t.Parallel()
	src := &rotatingSource{ttl: -time.Second} // every token is already expired
	c, _ := oauthSetup(t, src, func(string) bool { return true })
	for range 2 {
		_, err := c.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err)
	}
	assert.Equal(t, 2, src.fetches())
}

func TestUnauthorizedTriggersOneRefreshAndOneRetry(t *testing.T) {
	t.Parallel()
	// The server revoked tok-1 early; tok-2 works.
	src := &rotatingSource{ttl: time.Hour}
	c, requests := oauthSetup(t, src, func(h string) bool { return h == "Bearer tok-2" })
	_, err := c.Instances.Get(context.Background(), "inst_1", lambda.WithHeader("X-Test", "1"))
	require.NoError(t, err)
	assert.EqualValues(t, 2, requests.Load())
	assert.Equal(t, 2, src.fetches())

	// A server that refuses every token: one refresh, one retry, then the 401.
	src2 := &rotatingSource{ttl: time.Hour}
	c2, requests2 := oauthSetup(t, src2, func(string) bool { return false })
	_, err = c2.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	assert.EqualValues(t, 2, requests2.Load())
}

func TestAPIKey401IsNotRetried(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, 401, "authentication_failed", "Invalid API key")
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	assert.EqualValues(t, 1, n.Load())
}

func TestTokenNeverLeaks(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := &rotatingSource{ttl: time.Hour}
	c, _ := oauthSetup(t, src, func(string) bool { return false }, lambda.WithLogger(logger))
	_, err := c.Instances.Get(context.Background(), "inst_1")
	require.Error(t, err)
	for _, s := range []string{err.Error(), logs.String(), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c)} {
		assert.NotContains(t, s, "tok-")
	}

	broken := &rotatingSource{err: errors.New("token endpoint unreachable")}
	c2, requests := oauthSetup(t, broken, func(string) bool { return true })
	_, err = c2.Instances.Get(context.Background(), "inst_1")
	require.ErrorContains(t, err, "token endpoint unreachable")
	assert.EqualValues(t, 0, requests.Load(), "no request goes out without a token, and the failure is not retried")
}
