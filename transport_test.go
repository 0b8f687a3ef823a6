package lambda_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// connServer serves h and counts the TCP connections it accepts.
func connServer(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

// go-retryablehttp closes its client's idle connections after every call
// that ends in an error; the client's outermost transport lacks
// CloseIdleConnections so that this is a no-op and a burst of failures does
// not empty the pool. Here a call is cancelled while it waits to retry a
// 503 (its connection already back in the pool), and the next call must
// still find the connection idle.
func TestFailedCallKeepsIdleConnections(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var fail atomic.Bool
	srv, conns := connServer(t, func(w http.ResponseWriter, r *http.Request) {
		if fail.Load() {
			writeError(w, http.StatusServiceUnavailable, "service_unavailable", "down")
			return
		}
		writeData(w, http.StatusOK, instanceJSON)
	})
	// The retry policy logs "retrying" once it has drained the 503, just
	// before it sleeps: cancel the call there.
	logger := slog.New(onMessage{msg: "lambda: retrying", f: cancel})
	c := newTestClient(t, srv.URL+"/v1", lambda.WithRetryBackoff(2*time.Second, 2*time.Second), lambda.WithLogger(logger))

	_, err := c.Instances.Get(context.Background(), "inst_abc123")
	require.NoError(t, err)
	fail.Store(true)
	_, err = c.Instances.Get(ctx, "inst_abc123")
	require.ErrorIs(t, err, context.Canceled)
	fail.Store(false)
	_, err = c.Instances.Get(context.Background(), "inst_abc123")
	require.NoError(t, err)
	assert.Equal(t, int64(1), conns.Load(), "all three calls went over one connection")
}

// The default transport opens no more connections than there are calls in
// flight, and at most 64: calls beyond that wait for a free connection.
func TestDefaultTransportCapsConnections(t *testing.T) {
	t.Parallel()
	const calls = 100
	release := make(chan struct{})
	var releaseOnce sync.Once
	releaseAll := func() { releaseOnce.Do(func() { close(release) }) }
	var arrived atomic.Int64
	srv, conns := connServer(t, func(w http.ResponseWriter, r *http.Request) {
		arrived.Add(1)
		<-release
		writeData(w, http.StatusOK, instanceJSON)
	})
	t.Cleanup(releaseAll) // runs before the server's Close, even if the test fails
	c := newTestClient(t, srv.URL+"/v1")

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errs := make(chan error, calls)
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Instances.Get(ctx, "inst_abc123")
			errs <- err
		}()
	}
	require.Eventually(t, func() bool { return arrived.Load() >= 64 }, 5*time.Second, time.Millisecond,
		"64 calls reach the server")
	time.Sleep(50 * time.Millisecond) // give a 65th connection the chance to be opened
	assert.Equal(t, int64(64), arrived.Load(), "the other calls wait for a connection")
	releaseAll()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.LessOrEqual(t, conns.Load(), int64(64))
}

// onMessage is a slog handler that calls f on each record with message msg.
type onMessage struct {
	msg string
	f   func()
}

func (h onMessage) Enabled(context.Context, slog.Level) bool { return true }
func (h onMessage) WithAttrs([]slog.Attr) slog.Handler       { return h }
func (h onMessage) WithGroup(string) slog.Handler            { return h }

func (h onMessage) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		h.f()
	}
	return nil
}
