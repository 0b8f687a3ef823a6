package lambda_test

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// streamPath is the path of an instance's metrics stream.
func streamPath(id string) string { return "/v1/instances/" + id + "/metrics/stream" }

// checkSample checks that a sample is plausible and recent on srv's clock.
func checkSample(t *testing.T, srv *lambdatest.Server, s lambda.MetricSample) {
	t.Helper()
	assert.WithinDuration(t, srv.Now(), s.Timestamp, time.Minute)
	assert.True(t, s.CPUPercent > 0 && s.CPUPercent <= 100, "cpu %v", s.CPUPercent)
	assert.True(t, s.MemoryPercent > 0 && s.MemoryPercent <= 100, "memory %v", s.MemoryPercent)
	assert.True(t, s.DiskReadBytes >= 0 && s.NetworkOutBytes >= 0)
}

// Not parallel: goleak compares the goroutines before and after the stream,
// so no other test may start any meanwhile.
func TestStreamMetricsReadsSamplesAndLeavesNothingOnBreak(t *testing.T) {
	client, srv := newSim(t)
	id := srv.SeedInstances(1)[0]
	ctx := testCtx(t)
	ignore := goleak.IgnoreCurrent()

	var got []lambda.MetricSample
	for s, err := range client.Instances.StreamMetrics(ctx, id, nil) {
		require.NoError(t, err)
		got = append(got, s)
		if len(got) == 5 {
			break
		}
	}
	require.Len(t, got, 5)
	for i, s := range got {
		checkSample(t, srv, s)
		if i > 0 {
			assert.True(t, s.Timestamp.After(got[i-1].Timestamp), "samples come in order")
		}
	}

	// No goroutine is left on either side: neither the client's reader nor
	// the simulator's stream handler, which ends when the connection does.
	goleak.VerifyNone(t, ignore)

	ups := platformRequests(srv, "", streamPath(id))
	require.Len(t, ups, 1)
	h := ups[0].Header
	assert.Equal(t, "GET", ups[0].Method)
	assert.Equal(t, "Bearer "+lambdatest.DefaultAPIKey, h.Get("Authorization"), "the credential is on the upgrade request")
	assert.True(t, strings.HasPrefix(h.Get("User-Agent"), "lambda-go/"+lambda.Version+" "), "User-Agent %q", h.Get("User-Agent"))
	assert.True(t, strings.EqualFold(h.Get("Upgrade"), "websocket"))
}

func TestStreamMetricsOverTLSUsesWSS(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t, lambdatest.WithTLS())
	require.True(t, strings.HasPrefix(client.BaseURL(), "https://"))
	id := srv.SeedInstances(1)[0]
	n := 0
	for s, err := range client.Instances.StreamMetrics(testCtx(t), id, nil, lambda.WithHeader("X-Trace", "t1")) {
		require.NoError(t, err)
		checkSample(t, srv, s)
		if n++; n == 2 {
			break
		}
	}
	ups := platformRequests(srv, "", streamPath(id))
	require.Len(t, ups, 1, "a plain ws:// handshake cannot reach a TLS server")
	assert.Equal(t, "Bearer "+lambdatest.DefaultAPIKey, ups[0].Header.Get("Authorization"))
	assert.Equal(t, "t1", ups[0].Header.Get("X-Trace"), "per-call headers reach the upgrade request")
}

func TestStreamMetricsResumesAfterADroppedConnection(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	id := srv.SeedInstances(1)[0]
	n := 0
	for s, err := range client.Instances.StreamMetrics(testCtx(t), id, fastStream) {
		require.NoError(t, err, "a drop is not reported while reconnecting works")
		checkSample(t, srv, s)
		n++
		if n == 3 {
			srv.DropStreams()
		}
		if n == 8 {
			break
		}
	}
	assert.Equal(t, 8, n)
	assert.Len(t, platformRequests(srv, "", streamPath(id)), 2, "one reconnect")
}

func TestStreamMetricsReconnectRetriesServerErrors(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	id := srv.SeedInstances(1)[0]
	n := 0
	for _, err := range client.Instances.StreamMetrics(testCtx(t), id, fastStream) {
		require.NoError(t, err)
		n++
		if n == 2 {
			srv.InjectFault(lambdatest.Fault{Path: streamPath(id), Status: http.StatusServiceUnavailable, Times: 2})
			srv.DropStreams()
		}
		if n == 4 {
			break
		}
	}
	assert.Len(t, platformRequests(srv, "", streamPath(id)), 4, "first connection, two refused reconnects, one that worked")
}

func TestStreamMetricsReconnectEndsOnClientErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		after func(t *testing.T, client *lambda.Client, srv *lambdatest.Server, id string) // before the drop
		opts  *lambda.StreamMetricsOptions
		want  error
		tries int // upgrade requests in all
	}{
		{"instance deleted: 404", func(t *testing.T, client *lambda.Client, _ *lambdatest.Server, id string) {
			require.NoError(t, client.Instances.Delete(testCtx(t), id))
		}, fastStream, lambda.ErrNotFound, 2},
		{"key revoked: 401", func(_ *testing.T, _ *lambda.Client, srv *lambdatest.Server, _ string) {
			srv.SetAPIKeys("λ_sk_some_other_key")
		}, fastStream, lambda.ErrUnauthorized, 2},
		{"server errors past MaxReconnects", func(_ *testing.T, _ *lambda.Client, srv *lambdatest.Server, id string) {
			srv.InjectFault(lambdatest.Fault{Path: streamPath(id), Status: http.StatusServiceUnavailable, Times: -1})
		}, fastReconnects(3),
			lambda.ErrUnavailable, 4},
		{"reconnect disabled", func(*testing.T, *lambda.Client, *lambdatest.Server, string) {},
			&lambda.StreamMetricsOptions{DisableReconnect: true}, lambda.ErrStreamDropped, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			id := srv.SeedInstances(1)[0]
			var errs []error
			samples := 0
			for _, err := range client.Instances.StreamMetrics(testCtx(t), id, tt.opts) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if samples++; samples == 2 {
					tt.after(t, client, srv, id)
					srv.DropStreams()
				}
			}
			require.Len(t, errs, 1, "the stream ends with one error: %v", errs)
			require.ErrorIs(t, errs[0], tt.want)
			if tt.want != lambda.ErrStreamDropped {
				var lerr *lambda.Error
				require.ErrorAs(t, errs[0], &lerr, "a refused handshake is a typed error")
				assert.NotZero(t, lerr.HTTPStatus)
				assert.NotEmpty(t, lerr.RequestID)
			}
			assert.Len(t, platformRequests(srv, "", streamPath(id)), tt.tries)
		})
	}
}

func TestStreamMetricsRefusedAtOnce(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	err := onlyStreamError(t, client.Instances.StreamMetrics(testCtx(t), "inst_missing", fastStream))
	require.ErrorIs(t, err, lambda.ErrNotFound)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, http.StatusNotFound, lerr.HTTPStatus)
	assert.Equal(t, lambda.CodeNotFound, lerr.Code)
	assert.Len(t, platformRequests(srv, "", streamPath("inst_missing")), 1, "a 404 is not retried")
}

func TestStreamMetricsEndsPromptlyWhenTheContextEnds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts *lambda.StreamMetricsOptions
		drop bool // cancel while waiting to reconnect, not while reading
	}{
		{"while reading", nil, false},
		{"while waiting to reconnect", &lambda.StreamMetricsOptions{MinBackoff: time.Hour}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			// One sample, then nothing for an hour: the stream blocks.
			client, srv := newSim(t, lambdatest.WithMetricsInterval(time.Hour))
			id := srv.SeedInstances(1)[0]
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var cancelled atomic.Int64
			var errs []error
			for _, err := range client.Instances.StreamMetrics(ctx, id, tt.opts) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if tt.drop {
					srv.DropStreams()
				}
				time.AfterFunc(50*time.Millisecond, func() {
					cancelled.Store(time.Now().UnixNano())
					cancel()
				})
			}
			ended := time.Now()
			require.NotZero(t, cancelled.Load())
			assert.Less(t, ended.Sub(time.Unix(0, cancelled.Load())), 2*time.Second, "ends soon after cancel")
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], context.Canceled)
		})
	}
}

// fakeStream serves one WebSocket connection per upgrade with the messages
// of send, then closes it normally.
func fakeStream(t *testing.T, send func(ctx context.Context, c *websocket.Conn)) (*lambda.Client, *atomic.Int32) {
	t.Helper()
	var conns atomic.Int32
	hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conns.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+testKey {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(r.Context())
		send(ctx, c)
		_ = c.Close(websocket.StatusNormalClosure, "done")
	}))
	t.Cleanup(hts.Close)
	return newTestClient(t, hts.URL+"/v1", lambda.WithHTTPClient(hts.Client())), &conns
}

func TestStreamMetricsReportsAndSkipsABadMessage(t *testing.T) {
	t.Parallel()
	client, conns := fakeStream(t, func(ctx context.Context, c *websocket.Conn) {
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"timestamp": "not a time"`))
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":12.5,"memory_percent":40,`+
			`"disk_read_bytes":1,"disk_write_bytes":2,"network_in_bytes":3,"network_out_bytes":4}`))
	})
	var samples []lambda.MetricSample
	var errs []error
	for s, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		samples = append(samples, s)
	}
	require.Len(t, errs, 1, "the bad message is reported once")
	require.ErrorIs(t, errs[0], lambda.ErrInvalidResponse)
	require.Len(t, samples, 1, "the stream went on after it")
	assert.Equal(t, lambda.MetricSample{Timestamp: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), CPUPercent: 12.5,
		MemoryPercent: 40, DiskReadBytes: 1, DiskWriteBytes: 2, NetworkInBytes: 3, NetworkOutBytes: 4}, samples[0])
	assert.Equal(t, int32(1), conns.Load(), "a normal close from the server ends the stream without reconnecting")
}

func TestStreamMetricsRefusesAMessageOverTheReadLimit(t *testing.T) {
	t.Parallel()
	client, conns := fakeStream(t, func(ctx context.Context, c *websocket.Conn) {
		_ = c.Write(ctx, websocket.MessageText, []byte(`{"cpu_percent":1,"pad":"`+strings.Repeat("x", 2048)+`"}`))
	})
	err := onlyStreamError(t, client.Instances.StreamMetrics(testCtx(t), "inst_1",
		&lambda.StreamMetricsOptions{ReadLimit: 1024, MinBackoff: time.Millisecond}))
	require.ErrorIs(t, err, lambda.ErrInvalidResponse)
	assert.ErrorIs(t, err, websocket.ErrMessageTooBig)
	assert.Equal(t, int32(1), conns.Load(), "not reconnected: the same message would come again")
}

// closeRecorder serves samples every few milliseconds until the client
// closes, and reports the status of the client's close frame (-1 for a
// connection cut without one).
func closeRecorder(t *testing.T) (*lambda.Client, <-chan websocket.StatusCode) {
	t.Helper()
	status := make(chan websocket.StatusCode, 1)
	sample := []byte(`{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":1,"memory_percent":1,` +
		`"disk_read_bytes":1,"disk_write_bytes":1,"network_in_bytes":1,"network_out_bytes":1}`)
	hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		readErr := make(chan error, 1)
		go func() {
			_, _, err := c.Read(context.Background()) // the client sends nothing but its close
			readErr <- err
		}()
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case err := <-readErr:
				status <- websocket.CloseStatus(err)
				return
			case <-tick.C:
				_ = c.Write(r.Context(), websocket.MessageText, sample)
			}
		}
	}))
	t.Cleanup(hts.Close)
	return newTestClient(t, hts.URL+"/v1", lambda.WithHTTPClient(hts.Client())), status
}

func TestStreamMetricsSendsACloseFrame(t *testing.T) {
	t.Parallel()
	t.Run("when the loop breaks", func(t *testing.T) {
		t.Parallel()
		client, status := closeRecorder(t)
		n := 0
		for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", nil) {
			require.NoError(t, err)
			if n++; n == 3 {
				break
			}
		}
		select {
		case st := <-status:
			assert.Equal(t, websocket.StatusNormalClosure, st)
		case <-time.After(5 * time.Second):
			t.Fatal("the server never saw the connection end")
		}
	})
	t.Run("when the context ends", func(t *testing.T) {
		t.Parallel()
		client, status := closeRecorder(t)
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		n := 0
		var last error
		for _, err := range client.Instances.StreamMetrics(ctx, "inst_1", nil) {
			last = err
			if n++; n == 3 {
				cancel()
			}
		}
		require.ErrorIs(t, last, context.Canceled)
		select {
		case st := <-status:
			assert.Equal(t, websocket.StatusGoingAway, st)
		case <-time.After(5 * time.Second):
			t.Fatal("the server never saw the connection end")
		}
	})
}

// StreamMetrics is a loop: break when you have enough, and the connection
// is closed for you.
func ExampleInstancesService_StreamMetrics() {
	srv := lambdatest.NewServer(lambdatest.WithMetricsInterval(10 * time.Millisecond))
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id := srv.SeedInstances(1)[0]

	n := 0
	for sample, err := range client.Instances.StreamMetrics(ctx, id, nil) {
		if err != nil {
			fmt.Println("stream ended:", err)
			break
		}
		n++
		fmt.Printf("sample %d: CPU between 0 and 100%%: %t\n", n, sample.CPUPercent >= 0 && sample.CPUPercent <= 100)
		if n == 3 {
			break
		}
	}
	// Output:
	// sample 1: CPU between 0 and 100%: true
	// sample 2: CPU between 0 and 100%: true
	// sample 3: CPU between 0 and 100%: true
}

// Production servers speak HTTP/2, where a WebSocket upgrade does not
// exist: the stream must still get an HTTP/1.1 connection of its own.
func TestStreamMetricsWorksBesideHTTP2(t *testing.T) {
	t.Parallel()
	var protos sync.Map
	hts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		protos.Store(r.URL.Path, r.Proto)
		if !strings.HasSuffix(r.URL.Path, "/metrics/stream") {
			writeData(w, http.StatusOK, instanceJSON)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx := c.CloseRead(r.Context())
		for ctx.Err() == nil {
			_ = c.Write(ctx, websocket.MessageText, []byte(`{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":1}`))
			time.Sleep(5 * time.Millisecond)
		}
	}))
	hts.EnableHTTP2 = true
	hts.TLS = &tls.Config{NextProtos: []string{"h2", "http/1.1"}}
	hts.StartTLS()
	t.Cleanup(hts.Close)
	client := newTestClient(t, hts.URL+"/v1", lambda.WithHTTPClient(hts.Client()))
	ctx := testCtx(t)

	_, err := client.Instances.Get(ctx, "inst_abc123")
	require.NoError(t, err)
	n := 0
	for s, err := range client.Instances.StreamMetrics(ctx, "inst_abc123", nil) {
		require.NoError(t, err)
		assert.Equal(t, 1.0, s.CPUPercent)
		if n++; n == 2 {
			break
		}
	}
	p, _ := protos.Load("/v1/instances/inst_abc123")
	assert.Equal(t, "HTTP/2.0", p, "ordinary calls use HTTP/2")
	p, _ = protos.Load("/v1/instances/inst_abc123/metrics/stream")
	assert.Equal(t, "HTTP/1.1", p, "the stream upgrades an HTTP/1.1 connection")
}

// An http.Client Timeout bounds the handshake only: the stream outlives it,
// and the caller's client is left as it was.
func TestStreamMetricsWithAClientTimeout(t *testing.T) {
	t.Parallel()
	srv := lambdatest.NewServer(lambdatest.WithStrictRequests(), lambdatest.WithMetricsInterval(20*time.Millisecond), lambdatest.WithResponseValidation(t))
	t.Cleanup(srv.Close)
	hc := &http.Client{Timeout: 100 * time.Millisecond}
	client := simClient(t, srv, lambda.WithHTTPClient(hc))
	id := srv.SeedInstances(1)[0]
	start := time.Now()
	n := 0
	for _, err := range client.Instances.StreamMetrics(testCtx(t), id, &lambda.StreamMetricsOptions{DisableReconnect: true}) {
		require.NoError(t, err)
		if n++; n == 10 {
			break
		}
	}
	assert.Greater(t, time.Since(start), 100*time.Millisecond, "the stream lasted longer than the timeout")
	assert.Equal(t, 100*time.Millisecond, hc.Timeout)
	assert.Len(t, platformRequests(srv, "", streamPath(id)), 1)
}

// TestStreamMetricsHandshakeHonoursTheWaitBounds: a refused handshake that
// asks for a longer wait than the stream's MaxBackoff or the client's
// WithMaxRetryWait ends the stream at once with that error, instead of
// sleeping out an hour-long Retry-After; a short one is waited and retried.
func TestStreamMetricsHandshakeHonoursTheWaitBounds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		retryAfter string
		maxWait    time.Duration // WithMaxRetryWait; 0 for the default
		opts       *lambda.StreamMetricsOptions
		ends       bool // with the 429, at once
	}{
		{"an hour, default bounds", "3600", 0, nil, true},
		{"beyond WithMaxRetryWait", "2", time.Second, &lambda.StreamMetricsOptions{MaxBackoff: time.Minute}, true},
		{"beyond MaxBackoff", "2", 0, &lambda.StreamMetricsOptions{MaxBackoff: 100 * time.Millisecond}, true},
		{"within both: waited, then retried", "0", 0, &lambda.StreamMetricsOptions{MinBackoff: 5 * time.Millisecond, MaxBackoff: 3 * time.Second}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			if tt.maxWait > 0 {
				client = simClient(t, srv, lambda.WithMaxRetryWait(tt.maxWait))
			}
			id := srv.SeedInstances(1)[0]
			srv.InjectFault(lambdatest.Fault{Path: streamPath(id), Status: http.StatusTooManyRequests, Times: 1,
				Header: http.Header{"Retry-After": {tt.retryAfter}}})
			start := time.Now()
			var errs []error
			samples := 0
			for _, err := range client.Instances.StreamMetrics(testCtx(t), id, tt.opts) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				if samples++; samples == 1 {
					break
				}
			}
			if !tt.ends {
				require.Empty(t, errs)
				assert.Equal(t, 1, samples)
				assert.Len(t, platformRequests(srv, "", streamPath(id)), 2)
				return
			}
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], lambda.ErrRateLimited)
			var lerr *lambda.Error
			require.ErrorAs(t, errs[0], &lerr)
			assert.NotZero(t, lerr.RetryAfter, "the wait the API asked for is the caller's to honour")
			assert.Less(t, time.Since(start), 5*time.Second, "the stream slept out the Retry-After")
			assert.Len(t, platformRequests(srv, "", streamPath(id)), 1)
		})
	}
}

// TestStreamMetricsWithNoAnswerIsErrUnavailable: a stream that never got
// an answer from the API ends with an error matching ErrUnavailable, which
// still unwraps to the network error.
func TestStreamMetricsWithNoAnswerIsErrUnavailable(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	client := newTestClient(t, "http://"+addr+"/v1")
	err = onlyStreamError(t, client.Instances.StreamMetrics(testCtx(t), "inst_1",
		fastReconnects(1)))
	require.ErrorIs(t, err, lambda.ErrUnavailable)
	require.ErrorIs(t, err, syscall.ECONNREFUSED)
}
