package lambda_test

// The fault-injection suite, stalls: servers that accept a connection and
// then say nothing, or stop in the middle of a body, or trickle it. Every
// call uses context.Background(): only WithAttemptTimeout ends it.

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// stallServer is a raw TCP server on loopback, so that it can do what no
// http.Handler can: accept and say nothing. Each connection reads one
// request, is served by serve, then held until the client hangs up.
type stallServer struct {
	url      string
	accepted atomic.Int32 // connections opened by the client
	hungUp   atomic.Int32 // connections the client closed
}

func newStallServer(t *testing.T, serve func(n int32, conn net.Conn)) *stallServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &stallServer{url: "http://" + ln.Addr().String()}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			n := s.accepted.Add(1)
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				// A client that never hangs up fails the test, not hangs it.
				_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
				br := bufio.NewReader(conn)
				req, err := http.ReadRequest(br)
				if err != nil {
					return
				}
				_, _ = io.Copy(io.Discard, req.Body)
				serve(n, conn)
				if _, err := io.Copy(io.Discard, br); !errors.Is(err, os.ErrDeadlineExceeded) {
					s.hungUp.Add(1)
				}
			}()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	return s
}

// client returns a newTestClient for the server with opts.
func (s *stallServer) client(t *testing.T, opts ...lambda.Option) *lambda.Client {
	t.Helper()
	return newTestClient(t, s.url+"/v1", opts...)
}

// assertAllClosed checks that the client closed every connection it
// opened: an abandoned attempt must not leave one behind.
func (s *stallServer) assertAllClosed(t *testing.T) {
	t.Helper()
	assert.Eventually(t, func() bool { return s.hungUp.Load() == s.accepted.Load() }, 5*time.Second, 10*time.Millisecond,
		"connections left open: %d opened, %d closed", s.accepted.Load(), s.hungUp.Load())
}

// Ways for a server to stall.
var (
	sayNothing = func(int32, net.Conn) {}

	stallBody = func(_ int32, conn net.Conn) {
		io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"+
			`{"success":true,"data":{`)
	}
)

// trickle answers with body one byte at a time, every gap.
func trickle(body string, gap time.Duration) func(int32, net.Conn) {
	return func(_ int32, conn net.Conn) {
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body))
		for i := range len(body) {
			if _, err := io.WriteString(conn, body[i:i+1]); err != nil {
				return // the client gave up
			}
			time.Sleep(gap)
		}
	}
}

// TestAttemptTimeoutEndsStalls: with context.Background(), a stalled
// attempt is abandoned after the attempt timeout, retried where a
// connection failure is, and reported after the last attempt as
// ErrUnavailable naming the bound that fired; no connection is left open
// and the call ends within (retries+1) bounds plus the backoff.
func TestAttemptTimeoutEndsStalls(t *testing.T) {
	t.Parallel()
	const d = 300 * time.Millisecond
	const retries = 2
	tests := []struct {
		name     string
		serve    func(int32, net.Conn)
		method   string
		attempts int32
		says     string
	}{
		{"accepts and never answers, GET", sayNothing, http.MethodGet, retries + 1, "no response headers within 300ms"},
		{"accepts and never answers, POST", sayNothing, http.MethodPost, retries + 1, "no response headers within 300ms"},
		{"accepts and never answers, PATCH", sayNothing, http.MethodPatch, 1, "no response headers within 300ms"},
		{"headers then a stalled body, GET", stallBody, http.MethodGet, retries + 1, "response body was silent for 300ms"},
		{"headers then a stalled body, POST", stallBody, http.MethodPost, retries + 1, "response body was silent for 300ms"},
		{"headers then a stalled body, PATCH", stallBody, http.MethodPatch, 1, "response body was silent for 300ms"},
		{"a trickle slower than the bound", trickle(`{"success":true,"data":{}}`, 2*d), http.MethodGet, retries + 1, "response body was silent for 300ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newStallServer(t, tt.serve)
			client := srv.client(t, lambda.WithAttemptTimeout(d), lambda.WithMaxRetries(retries))
			ctx := context.Background()
			start := time.Now()
			var err error
			switch tt.method {
			case http.MethodGet:
				_, err = client.Instances.Get(ctx, "inst_1")
			case http.MethodPost:
				_, err = client.Instances.Create(ctx, createReq)
			case http.MethodPatch:
				_, err = client.Instances.Update(ctx, "inst_1", &lambda.UpdateInstanceRequest{Name: lambda.Ptr("renamed")})
			}
			took := time.Since(start)

			require.ErrorIs(t, err, lambda.ErrUnavailable)
			assert.ErrorIs(t, err, lambda.ErrAttemptTimeout)
			assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
			var nerr net.Error
			if assert.ErrorAs(t, err, &nerr) {
				assert.True(t, nerr.Timeout(), "a timeout to net.Error checks")
			}
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
			assert.Contains(t, err.Error(), tt.says)
			assert.Contains(t, err.Error(), fmt.Sprintf("after %d attempt(s)", tt.attempts))
			var lerr *lambda.Error
			assert.False(t, errors.As(err, &lerr), "no answer came: there is no API error")
			assert.Equal(t, tt.attempts, srv.accepted.Load(), "attempts")

			bound := time.Duration(tt.attempts) * d
			assert.GreaterOrEqual(t, took, bound, "an attempt was cut before its bound")
			assert.Less(t, took, bound+3*time.Second, "the call outlived the documented bound")
			srv.assertAllClosed(t)
		})
	}
}

// TestAttemptTimeoutSparesFlowingBodies: the bound is on silence, so a
// body that trickles in over several bounds, each byte within one, is
// read whole on the first attempt.
func TestAttemptTimeoutSparesFlowingBodies(t *testing.T) {
	t.Parallel()
	const d = time.Second
	body := `{"success":true,"data":{"id":"inst_1","status":"running"}}`
	gap := 40 * time.Millisecond // the whole body takes about 2.3 s
	srv := newStallServer(t, trickle(body, gap))
	client := srv.client(t, lambda.WithAttemptTimeout(d))
	start := time.Now()
	inst, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	assert.Equal(t, "inst_1", inst.ID)
	assert.Greater(t, time.Since(start), d, "the body took longer than one bound, yet was not cut")
	assert.EqualValues(t, 1, srv.accepted.Load(), "attempts")
	srv.assertAllClosed(t)
}

// TestAttemptTimeoutCountsTheBodysSilenceFromTheHeaders: the bound on the
// body runs from the last bytes, the headers included, not from the start
// of the attempt: headers that came late, then a body after a pause, each
// within the bound, are not cut although together they outlast it.
func TestAttemptTimeoutCountsTheBodysSilenceFromTheHeaders(t *testing.T) {
	t.Parallel()
	const d = 2 * time.Second
	pause := d * 6 / 10
	body := `{"success":true,"data":{"id":"inst_1","status":"running"}}`
	srv := newStallServer(t, func(_ int32, conn net.Conn) {
		time.Sleep(pause)
		fmt.Fprintf(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(body))
		time.Sleep(pause)
		io.WriteString(conn, body)
	})
	client := srv.client(t, lambda.WithAttemptTimeout(d), lambda.WithMaxRetries(0))
	inst, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	assert.Equal(t, "inst_1", inst.ID)
	assert.EqualValues(t, 1, srv.accepted.Load(), "attempts")
	srv.assertAllClosed(t)
}

// TestAttemptTimeoutNeverExtendsTheContext: a caller's deadline shorter
// than the bound ends the call with the context's error, and 0 turns the
// bound off.
func TestAttemptTimeoutNeverExtendsTheContext(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		timeout time.Duration
	}{
		{"deadline shorter than the bound", time.Minute},
		{"bound turned off", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newStallServer(t, sayNothing)
			client := srv.client(t, lambda.WithAttemptTimeout(tt.timeout))
			// A second: long enough for the request to arrive under -race;
			// the caller's deadline is still far shorter than the bound.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			ended := endedAt(ctx)
			_, err := client.Instances.Get(ctx, "inst_1")
			late := time.Since(ended())
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.NotErrorIs(t, err, lambda.ErrAttemptTimeout)
			assert.NotErrorIs(t, err, lambda.ErrUnavailable)
			assert.Less(t, late, 500*time.Millisecond, "the call outlived its deadline")
			assert.EqualValues(t, 1, srv.accepted.Load(), "attempts")
			srv.assertAllClosed(t)
		})
	}
}

// TestAttemptTimeoutHoldsUnderALaterDeadline: a caller's deadline later
// than the bound leaves the bound in force: each attempt is still
// abandoned after it and retried, and the call ends long before the
// deadline with ErrAttemptTimeout, not the context's error. (Only a
// deadline that comes first makes the bound moot.)
func TestAttemptTimeoutHoldsUnderALaterDeadline(t *testing.T) {
	t.Parallel()
	const d = 200 * time.Millisecond
	srv := newStallServer(t, sayNothing)
	client := srv.client(t, lambda.WithAttemptTimeout(d), lambda.WithMaxRetries(1))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	start := time.Now()
	_, err := client.Instances.Get(ctx, "inst_1")
	took := time.Since(start)
	require.ErrorIs(t, err, lambda.ErrAttemptTimeout)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualValues(t, 2, srv.accepted.Load(), "attempts")
	assert.Less(t, took, 10*time.Second, "the bound did not fire: the call waited for the deadline")
	srv.assertAllClosed(t)
}

// TestAttemptTimeoutIsChecked: a negative bound is refused by NewClient.
func TestAttemptTimeoutIsChecked(t *testing.T) {
	t.Parallel()
	_, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithAttemptTimeout(-time.Second))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "WithAttemptTimeout"), err.Error())
}

// wsServer serves metric streams on loopback with serve, which gets the
// number of the connection (from 1) and release, closed when the test
// ends. It counts the connections, and waits for its handlers at the end.
type wsServer struct {
	url     string
	conns   atomic.Int32
	release chan struct{}
}

func newWSServer(t *testing.T, serve func(n int32, conn *websocket.Conn, release <-chan struct{})) *wsServer {
	t.Helper()
	s := &wsServer{release: make(chan struct{})}
	var wg sync.WaitGroup
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		wg.Add(1) // the handler outlives the request once the connection is hijacked
		defer wg.Done()
		serve(s.conns.Add(1), conn, s.release)
	}))
	s.url = srv.URL
	t.Cleanup(func() {
		close(s.release)
		srv.Close()
		wg.Wait()
	})
	return s
}

// sendSamples sends a sample every gap until the client leaves or the
// test ends, answering pings (CloseRead reads for it).
func sendSamples(conn *websocket.Conn, gap time.Duration, release <-chan struct{}) {
	ctx := conn.CloseRead(context.Background())
	for {
		if err := conn.Write(ctx, websocket.MessageText, []byte(`{"timestamp":"2026-01-24T10:30:00Z","cpu_percent":12.5}`)); err != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-release:
			return
		case <-time.After(gap):
		}
	}
}

// goSilent sends k samples, then nothing, and reads nothing (so answers
// no ping) until the next connection comes or the test ends. It reports
// whether the client had closed the connection by then.
func goSilent(k int, next func() bool, release <-chan struct{}, hungUp *atomic.Bool) func(conn *websocket.Conn) {
	return func(conn *websocket.Conn) {
		for range k {
			if conn.Write(context.Background(), websocket.MessageText, []byte(`{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":1}`)) != nil {
				return
			}
		}
		// A client that never notices gets the connection dropped after 10 s
		// (and fails on timing) rather than hanging the test.
		for giveUp := time.Now().Add(10 * time.Second); !next() && time.Now().Before(giveUp); {
			select {
			case <-release:
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, _, err := conn.Read(ctx); err != nil && ctx.Err() == nil {
			hungUp.Store(true)
		}
	}
}

// TestMetricsStreamResumesAfterSilence: a connection that goes silent
// after two samples (no message, no pong) is closed by the client after
// IdleTimeout, logged, and replaced: the samples resume, with no error in
// between.
func TestMetricsStreamResumesAfterSilence(t *testing.T) {
	t.Parallel()
	const idle = 500 * time.Millisecond
	var hungUp atomic.Bool
	var srv *wsServer
	srv = newWSServer(t, func(n int32, conn *websocket.Conn, release <-chan struct{}) {
		if n == 1 {
			goSilent(2, func() bool { return srv.conns.Load() > 1 }, release, &hungUp)(conn)
			return
		}
		sendSamples(conn, 10*time.Millisecond, release)
	})
	var logged syncBuffer
	client := newTestClient(t, srv.url+"/v1", lambda.WithLogger(slog.New(slog.NewTextHandler(&logged, nil))))

	var got int
	var silentFor time.Duration
	last := time.Now()
	for _, err := range client.Instances.StreamMetrics(context.Background(), "inst_1",
		&lambda.StreamMetricsOptions{IdleTimeout: idle, MinBackoff: time.Millisecond}) {
		require.NoError(t, err)
		got++
		if got == 3 {
			silentFor = time.Since(last)
		}
		last = time.Now()
		if got == 6 {
			break
		}
	}
	// 2; a third only if a loaded machine held a sample and a pong back.
	assert.GreaterOrEqual(t, srv.conns.Load(), int32(2), "connections")
	assert.GreaterOrEqual(t, silentFor, idle, "the connection was closed before it was silent for IdleTimeout")
	assert.Less(t, silentFor, idle+3*time.Second, "the silence outlived IdleTimeout")
	assert.Contains(t, logged.String(), "metrics stream silent")
	assert.Contains(t, logged.String(), "instance=inst_1")
	assert.Eventually(t, hungUp.Load, 5*time.Second, 10*time.Millisecond, "the silent connection was left open")
}

// TestMetricsStreamSilenceCountsAsADrop: a server that is silent on every
// connection is reconnected MaxReconnects times, then the stream ends
// with ErrStreamDropped saying why; DisableReconnect ends it at once.
func TestMetricsStreamSilenceCountsAsADrop(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  lambda.StreamMetricsOptions
		conns int32
	}{
		{"MaxReconnects 2", lambda.StreamMetricsOptions{MaxReconnects: 2}, 3},
		{"DisableReconnect", lambda.StreamMetricsOptions{DisableReconnect: true}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newWSServer(t, func(_ int32, _ *websocket.Conn, release <-chan struct{}) {
				select { // silent; dropped after 10 s if the client never notices
				case <-release:
				case <-time.After(10 * time.Second):
				}
			})
			client := newTestClient(t, srv.url+"/v1")
			opts := tt.opts
			opts.IdleTimeout, opts.MinBackoff = 200*time.Millisecond, time.Millisecond
			err := onlyStreamError(t, client.Instances.StreamMetrics(context.Background(), "inst_1", &opts))
			assert.ErrorIs(t, err, lambda.ErrStreamDropped)
			assert.Contains(t, err.Error(), "silent for 200ms")
			assert.Equal(t, tt.conns, srv.conns.Load(), "connections")
		})
	}
}

// TestMetricsStreamIsNotSilentWhenAlive: a server whose samples are
// further apart than IdleTimeout but which answers pings, and a loop body
// slower than IdleTimeout, keep their one connection.
func TestMetricsStreamIsNotSilentWhenAlive(t *testing.T) {
	t.Parallel()
	// The pong has half of IdleTimeout to come back: 1.5 s even on a
	// loaded machine (at a load of 10 under -race, 0.5 s was seen to pass
	// without one). A slow loop body needs no pong: a second will do.
	tests := []struct {
		name            string
		idle, gap, work time.Duration
	}{
		{"samples sparser than IdleTimeout, pings answered", 3 * time.Second, 6 * time.Second, 0},
		{"a loop body slower than IdleTimeout", time.Second, 10 * time.Millisecond, 2 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newWSServer(t, func(_ int32, conn *websocket.Conn, release <-chan struct{}) {
				sendSamples(conn, tt.gap, release)
			})
			client := newTestClient(t, srv.url+"/v1")
			got := 0
			for _, err := range client.Instances.StreamMetrics(context.Background(), "inst_1",
				&lambda.StreamMetricsOptions{IdleTimeout: tt.idle, DisableReconnect: true}) {
				require.NoError(t, err)
				time.Sleep(tt.work)
				if got++; got == 2 {
					break
				}
			}
			assert.EqualValues(t, 1, srv.conns.Load(), "connections")
		})
	}
}

// TestMetricsStreamIdleTimeoutIsChecked: a negative IdleTimeout is an
// error before any connection, not silently corrected.
func TestMetricsStreamIdleTimeoutIsChecked(t *testing.T) {
	t.Parallel()
	srv := newWSServer(t, func(_ int32, conn *websocket.Conn, release <-chan struct{}) {
		sendSamples(conn, time.Millisecond, release)
	})
	client := newTestClient(t, srv.url+"/v1")
	err := onlyStreamError(t, client.Instances.StreamMetrics(context.Background(), "inst_1",
		&lambda.StreamMetricsOptions{IdleTimeout: -time.Second}))
	assert.ErrorIs(t, err, lambda.ErrInvalidRequest)
	assert.Contains(t, err.Error(), "IdleTimeout")
	assert.Zero(t, srv.conns.Load(), "connections")
}

// TestMetricsStreamHandshakeTimesOut: a server that accepts the
// connection and never answers the upgrade is bounded by the attempt
// timeout, retried like a dropped connection, and every connection is
// closed.
func TestMetricsStreamHandshakeTimesOut(t *testing.T) {
	t.Parallel()
	srv := newStallServer(t, sayNothing)
	client := srv.client(t, lambda.WithAttemptTimeout(200*time.Millisecond))
	err := onlyStreamError(t, client.Instances.StreamMetrics(context.Background(), "inst_1",
		fastReconnects(1)))
	assert.ErrorIs(t, err, lambda.ErrAttemptTimeout)
	assert.Contains(t, err.Error(), "no response headers within 200ms")
	assert.EqualValues(t, 2, srv.accepted.Load(), "connections")
	srv.assertAllClosed(t)
}
