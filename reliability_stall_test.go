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
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

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

// client returns a client for the server with fast backoff and opts.
func (s *stallServer) client(t *testing.T, opts ...lambda.Option) *lambda.Client {
	t.Helper()
	base := []lambda.Option{
		lambda.WithAPIKey(testKey),
		lambda.WithBaseURL(s.url + "/v1"),
		lambda.WithRetryBackoff(time.Millisecond, 5*time.Millisecond),
	}
	c, err := lambda.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return c
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
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the caller's context did not end")
			assert.Contains(t, err.Error(), tt.says)
			assert.Contains(t, err.Error(), fmt.Sprintf("after %d attempt(s)", tt.attempts))
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Zero(t, lerr.HTTPStatus, "no answer came")
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
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
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

// TestAttemptTimeoutIsChecked: a negative bound is refused by NewClient.
func TestAttemptTimeoutIsChecked(t *testing.T) {
	t.Parallel()
	_, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithAttemptTimeout(-time.Second))
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "WithAttemptTimeout"), err.Error())
}
