package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/lambda/lambda-go"
)

// goodSample is a whole sample, sent after each hostile message to show
// that the stream went on.
const goodSample = `{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":12.5,"memory_percent":40,` +
	`"disk_read_bytes":1,"disk_write_bytes":2,"network_in_bytes":3,"network_out_bytes":4}`

// TestStreamMetricsNeverYieldsAMessageThatIsNoSample: a message is yielded
// as a sample only when it carries one. Anything else, whatever its shape
// (null, an empty object, a heartbeat, an error envelope, numbers as
// strings), is one error matching ErrInvalidResponse, never a zero sample
// that a caller would plot as 0 % CPU in year 1; an error envelope also
// matches the sentinel of the API's code. The stream goes on after it.
func TestStreamMetricsNeverYieldsAMessageThatIsNoSample(t *testing.T) {
	t.Parallel()
	want := lambda.MetricSample{Timestamp: time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC), CPUPercent: 12.5,
		MemoryPercent: 40, DiskReadBytes: 1, DiskWriteBytes: 2, NetworkInBytes: 3, NetworkOutBytes: 4}
	tests := []struct {
		name    string
		typ     websocket.MessageType
		message string
		also    error  // matched besides ErrInvalidResponse; nil: nothing else
		says    string // in the error's text
	}{
		{"null", websocket.MessageText, `null`, nil, ""},
		{"empty object", websocket.MessageText, `{}`, nil, "no sample"},
		{"a heartbeat", websocket.MessageText, `{"type":"heartbeat"}`, nil, "no sample"},
		{"every field null", websocket.MessageText, `{"timestamp":null,"cpu_percent":null,"disk_read_bytes":null}`, nil, "no sample"},
		{"array", websocket.MessageText, `[` + goodSample + `]`, nil, ""},
		{"string", websocket.MessageText, `"sample"`, nil, ""},
		{"empty", websocket.MessageText, ``, nil, ""},
		{"number as string", websocket.MessageText, `{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":"12.5"}`, nil, ""},
		{"NaN", websocket.MessageText, `{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":NaN}`, nil, ""},
		{"beyond float64", websocket.MessageText, `{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":1e999}`, nil, ""},
		{"beyond int64", websocket.MessageText, `{"timestamp":"2026-11-23T12:00:00Z","disk_read_bytes":9223372036854775808}`, nil, ""},
		{"fraction of a byte", websocket.MessageText, `{"timestamp":"2026-11-23T12:00:00Z","disk_read_bytes":1.5}`, nil, ""},
		{"two samples in one", websocket.MessageText, goodSample + goodSample, nil, ""},
		{"bare error envelope", websocket.MessageText, `{"error":{"code":"not_found","message":"instance deleted"}}`,
			lambda.ErrNotFound, "instance deleted"},
		{"canonical error envelope", websocket.MessageText,
			`{"success":false,"error":{"code":"server_error","message":"collector down"}}`, lambda.ErrServer, "collector down"},
		{"status error envelope", websocket.MessageText,
			`{"status":"error","error":{"code":"rate_limit_exceeded","message":"slow down"}}`, lambda.ErrRateLimited, "slow down"},
		{"error as a string", websocket.MessageText, `{"error":"stream closing"}`, nil, "stream closing"},
		{"error with an unknown code", websocket.MessageText, `{"error":{"code":"metrics_paused","message":"paused"}}`, nil, "metrics_paused"},
		{"success without data", websocket.MessageText, `{"success":true,"data":null}`, nil, ""},
		{"binary garbage", websocket.MessageBinary, "\x00\xff\x01", nil, ""},
		{"an error quoting the key", websocket.MessageText, `{"error":{"code":"forbidden","message":"key ` + testKey + ` is revoked"}}`,
			lambda.ErrForbidden, "is revoked"},
		{"no sample, quoting the key escaped", websocket.MessageText, `{"note":"\u03bb_sk_1234567890abcdef"}`, nil, "no sample"},
		{"a sample without its timestamp", websocket.MessageText, `{"cpu_percent":1,"memory_percent":2}`, nil, "timestamp"},
		{"a sample in the envelope without its timestamp", websocket.MessageText,
			`{"success":true,"data":{"cpu_percent":7}}`, nil, "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, _ := fakeStream(t, func(ctx context.Context, c *websocket.Conn) {
				_ = c.Write(ctx, tt.typ, []byte(tt.message))
				_ = c.Write(ctx, websocket.MessageText, []byte(goodSample))
			})
			var samples []lambda.MetricSample
			var errs []error
			for s, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream) {
				if err != nil {
					assert.Zero(t, s, "no sample beside an error")
					errs = append(errs, err)
					continue
				}
				samples = append(samples, s)
			}
			require.Len(t, errs, 1, "the message is one error, not a sample")
			err := errs[0]
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr, "a typed error")
			for _, other := range []error{lambda.ErrNotFound, lambda.ErrServer, lambda.ErrRateLimited, lambda.ErrUnauthorized, lambda.ErrForbidden, lambda.ErrStreamDropped} {
				assert.Equal(t, other == tt.also, errors.Is(err, other), "errors.Is(%v)", other)
			}
			assert.Contains(t, err.Error(), tt.says)
			assert.NotContains(t, err.Error(), "1234567890abcdef", "the credential never reaches an error")
			assert.Equal(t, []lambda.MetricSample{want}, samples, "the stream went on")
		})
	}
}

// TestStreamMetricsAcceptsTheSampleShapesTheAPIUses: a sample comes bare,
// in the API's canonical envelope, or as a binary message; a sample with
// its timestamp and only some fields, or with fields the SDK does not
// know, is a sample.
func TestStreamMetricsAcceptsTheSampleShapesTheAPIUses(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		typ     websocket.MessageType
		message string
		want    lambda.MetricSample
	}{
		{"bare", websocket.MessageText, goodSample, lambda.MetricSample{Timestamp: at, CPUPercent: 12.5,
			MemoryPercent: 40, DiskReadBytes: 1, DiskWriteBytes: 2, NetworkInBytes: 3, NetworkOutBytes: 4}},
		{"in the canonical envelope", websocket.MessageText,
			`{"success":true,"data":{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":7}}`, lambda.MetricSample{Timestamp: at, CPUPercent: 7}},
		{"binary", websocket.MessageBinary, `{"timestamp":"2026-11-23T12:00:00Z","cpu_percent":7}`, lambda.MetricSample{Timestamp: at, CPUPercent: 7}},
		{"with unknown fields", websocket.MessageText, `{"timestamp":"2026-11-23T12:00:00Z","gpu_percent":99,"message":"hi"}`,
			lambda.MetricSample{Timestamp: at}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, _ := fakeStream(t, func(ctx context.Context, c *websocket.Conn) {
				_ = c.Write(ctx, tt.typ, []byte(tt.message))
			})
			var samples []lambda.MetricSample
			for s, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream) {
				require.NoError(t, err)
				samples = append(samples, s)
			}
			assert.Equal(t, []lambda.MetricSample{tt.want}, samples)
		})
	}
}

// TestStreamMetricsHandshakeAnsweredWithoutASwitch: an answer to the
// upgrade request that is neither 101 nor an error status (a proxy's 200
// page, a 204, a redirect without a Location, a 304) is no stream: the
// stream ends at once, not reconnected, with a typed error matching
// ErrInvalidResponse, never an error that matches no sentinel.
func TestStreamMetricsHandshakeAnsweredWithoutASwitch(t *testing.T) {
	t.Parallel()
	for _, status := range []int{http.StatusOK, http.StatusNoContent, http.StatusMultipleChoices, http.StatusFound, http.StatusNotModified} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			t.Parallel()
			url, served := scriptedServer(t, "/instances/inst_1/metrics/stream", func(_ int32, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req_proxy")
				w.WriteHeader(status)
				if status != http.StatusNoContent && status != http.StatusNotModified {
					_, _ = w.Write([]byte("<html>proxy page</html>"))
				}
			})
			client := newTestClient(t, url+"/v1")
			err := onlyStreamError(t, client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream))
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, status, lerr.HTTPStatus)
			assert.Equal(t, "req_proxy", lerr.RequestID)
			assert.True(t, strings.Contains(lerr.Error(), "101"), "says what was expected: %v", lerr)
			assert.Equal(t, int32(1), served.Load(), "not reconnected: the same answer would come again")
		})
	}
}

// TestStreamMetricsHostileServerBehaviours: what a broken or hostile
// server does after the handshake ends the stream as the documentation
// says, with a typed error that names neither more nor less than it should.
func TestStreamMetricsHostileServerBehaviours(t *testing.T) {
	t.Parallel()
	const limit = 1024
	// padded is a sample of exactly n bytes: JSON allows the spaces.
	padded := func(n int) []byte {
		return []byte(goodSample[:len(goodSample)-1] + strings.Repeat(" ", n-len(goodSample)) + "}")
	}
	closeWith := func(code websocket.StatusCode, reason string) func(ctx context.Context, c *websocket.Conn) {
		return func(ctx context.Context, c *websocket.Conn) {
			_ = c.Write(ctx, websocket.MessageText, []byte(goodSample))
			_ = c.Close(code, reason)
		}
	}
	tests := []struct {
		name    string
		send    func(ctx context.Context, c *websocket.Conn)
		samples int
		err     []error // what the one final error matches; nil: the stream ends without one
		says    string
	}{
		{"a message of exactly the read limit", func(ctx context.Context, c *websocket.Conn) {
			_ = c.Write(ctx, websocket.MessageText, padded(limit))
		}, 1, nil, ""},
		{"one byte over the read limit", func(ctx context.Context, c *websocket.Conn) {
			_ = c.Write(ctx, websocket.MessageText, padded(limit+1))
		}, 0, []error{lambda.ErrInvalidResponse, websocket.ErrMessageTooBig}, "1024 bytes"},
		{"over the read limit in one-byte frames", func(ctx context.Context, c *websocket.Conn) {
			w, err := c.Writer(ctx, websocket.MessageText)
			if err != nil {
				return
			}
			for _, b := range padded(limit + 1) {
				if _, err := w.Write([]byte{b}); err != nil {
					return
				}
			}
			_ = w.Close()
		}, 0, []error{lambda.ErrInvalidResponse, websocket.ErrMessageTooBig}, "1024 bytes"},
		{"a flood of pings, then a sample", func(ctx context.Context, c *websocket.Conn) {
			for range 300 {
				if c.Ping(ctx) != nil {
					return
				}
			}
			_ = c.Write(ctx, websocket.MessageText, []byte(goodSample))
		}, 1, nil, ""},
		{"closed normally", closeWith(websocket.StatusNormalClosure, "bye"), 1, nil, ""},
		{"closed going away", closeWith(websocket.StatusGoingAway, "restart"), 1, []error{lambda.ErrStreamDropped}, "restart"},
		{"closed for a policy violation", closeWith(websocket.StatusPolicyViolation, ""), 1, []error{lambda.ErrStreamDropped}, "PolicyViolation"},
		{"closed with an internal error", closeWith(websocket.StatusInternalError, "oops"), 1, []error{lambda.ErrStreamDropped}, "oops"},
		{"closed with an application code", closeWith(4401, "token expired"), 1, []error{lambda.ErrStreamDropped}, "token expired"},
		{"closed with a reason quoting the key", closeWith(4401, "bad key "+testKey), 1, []error{lambda.ErrStreamDropped}, "bad key"},
		{"cut without a close frame", func(ctx context.Context, c *websocket.Conn) {
			_ = c.Write(ctx, websocket.MessageText, []byte(goodSample))
			_ = c.CloseNow()
		}, 1, []error{lambda.ErrStreamDropped}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, conns := fakeStream(t, tt.send)
			opts := *fastStream
			opts.ReadLimit, opts.DisableReconnect = limit, true
			var samples int
			var errs []error
			for s, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", &opts) {
				if err != nil {
					assert.Zero(t, s)
					errs = append(errs, err)
					continue
				}
				samples++
			}
			assert.Equal(t, tt.samples, samples, "samples")
			assert.Equal(t, int32(1), conns.Load(), "one connection")
			if tt.err == nil {
				assert.Empty(t, errs)
				return
			}
			require.Len(t, errs, 1)
			for _, want := range tt.err {
				assert.ErrorIs(t, errs[0], want)
			}
			assert.Contains(t, errs[0].Error(), tt.says)
			assert.NotContains(t, errs[0].Error(), testKey, "the credential never reaches an error")
		})
	}
}

// TestStreamMetricsHandshakeSwitchedToSomethingElse: a 101 that is no
// WebSocket (no or a wrong Sec-WebSocket-Accept, another protocol) ends
// the stream at once with ErrInvalidResponse and the 101, not reconnected,
// and the client closes the connection it was left with, even when the
// server never would.
func TestStreamMetricsHandshakeSwitchedToSomethingElse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header string
	}{
		{"no accept key", "Upgrade: websocket\r\nConnection: Upgrade\r\n"},
		{"a wrong accept key", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n"},
		{"another protocol", "Upgrade: h2c\r\nConnection: Upgrade\r\n"},
		{"no upgrade at all", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			closed := make(chan bool, 1) // whether the client closed the connection
			url, served := scriptedServer(t, "/instances/inst_1/metrics/stream", func(_ int32, w http.ResponseWriter, _ *http.Request) {
				conn, rw, err := http.NewResponseController(w).Hijack()
				if err != nil {
					closed <- false
					return
				}
				defer conn.Close()
				_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nX-Request-Id: req_101\r\n" + tt.header + "\r\n")
				_ = rw.Flush()
				// Never close: wait for the client to.
				_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
				_, err = io.Copy(io.Discard, conn)
				closed <- err == nil
			})
			client := newTestClient(t, url+"/v1")
			err := onlyStreamError(t, client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream))
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, http.StatusSwitchingProtocols, lerr.HTTPStatus)
			assert.Equal(t, "req_101", lerr.RequestID)
			assert.True(t, <-closed, "the client closed the connection")
			assert.Equal(t, int32(1), served.Load(), "not reconnected")
		})
	}
}

// TestStreamMetricsEndsWhenTheServerIgnoresTheClose: a server that never
// answers the client's close frame holds the end of the loop (a break, or
// ctx ending) no longer than coder/websocket's bound on the close
// handshake, 5 s; the loop never hangs on it.
func TestStreamMetricsEndsWhenTheServerIgnoresTheClose(t *testing.T) {
	t.Parallel()
	for _, cancelCtx := range []bool{false, true} {
		t.Run(fmt.Sprintf("cancel %v", cancelCtx), func(t *testing.T) {
			t.Parallel()
			release := make(chan struct{})
			hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				c, err := websocket.Accept(w, r, nil)
				if err != nil {
					return
				}
				defer c.CloseNow()
				_ = c.Write(r.Context(), websocket.MessageText, []byte(goodSample))
				<-release // reads nothing: the close frame is never answered
			}))
			t.Cleanup(hts.Close)
			t.Cleanup(func() { close(release) })
			client := newTestClient(t, hts.URL+"/v1", lambda.WithHTTPClient(hts.Client()))
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			var ended time.Time
			for _, err := range client.Instances.StreamMetrics(ctx, "inst_1", nil) {
				if err != nil {
					require.ErrorIs(t, err, context.Canceled)
					break
				}
				ended = time.Now()
				if !cancelCtx {
					break
				}
				cancel()
			}
			assert.Less(t, time.Since(ended), 15*time.Second, "bounded by the close handshake's 5 s")
		})
	}
}

// TestStreamMetricsCancelAtEveryPhase: the caller's ctx ending at any
// phase of the stream ends it with one error wrapping ctx.Err(), soon, with
// no goroutine left behind. Not parallel: goleak compares the goroutines
// before and after, so no other test may start any meanwhile.
func TestStreamMetricsCancelAtEveryPhase(t *testing.T) {
	tests := []struct {
		name string
		// serve is the server's side of one upgrade; hold ends when the test does.
		serve func(w http.ResponseWriter, r *http.Request, hold <-chan struct{})
		// When ctx ends: before the loop, this long after it starts, or
		// else in the loop's body at the first sample.
		beforeLoop bool
		afterStart time.Duration
	}{
		{"before the loop", func(http.ResponseWriter, *http.Request, <-chan struct{}) {}, true, 0},
		{"while the handshake hangs", func(_ http.ResponseWriter, r *http.Request, hold <-chan struct{}) {
			select {
			case <-hold:
			case <-r.Context().Done():
			}
		}, false, 50 * time.Millisecond},
		{"after the 101, before a message", func(w http.ResponseWriter, r *http.Request, hold <-chan struct{}) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			ctx := c.CloseRead(context.Background())
			select {
			case <-hold:
			case <-ctx.Done():
			}
		}, false, 50 * time.Millisecond},
		{"in the loop's body, more messages waiting", func(w http.ResponseWriter, r *http.Request, hold <-chan struct{}) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			ctx := c.CloseRead(context.Background())
			for range 3 {
				_ = c.Write(ctx, websocket.MessageText, []byte(goodSample))
			}
			select {
			case <-hold:
			case <-ctx.Done():
			}
		}, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hold := make(chan struct{})
			hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.serve(w, r, hold) }))
			client := newTestClient(t, hts.URL+"/v1", lambda.WithHTTPClient(hts.Client()))
			ignore := goleak.IgnoreCurrent()

			ctx, cancel := context.WithCancel(context.Background())
			if tt.beforeLoop {
				cancel()
			} else if tt.afterStart > 0 {
				time.AfterFunc(tt.afterStart, cancel)
			}
			var errs []error
			var samples int
			start := time.Now()
			for _, err := range client.Instances.StreamMetrics(ctx, "inst_1", nil) {
				if err != nil {
					errs = append(errs, err)
					continue
				}
				samples++
				cancel() // in the body; the next messages are already there
			}
			cancel()
			assert.Less(t, time.Since(start), 10*time.Second, "ends soon after cancel")
			require.Len(t, errs, 1)
			require.ErrorIs(t, errs[0], context.Canceled)
			assert.LessOrEqual(t, samples, 1, "no sample after the cancel")
			goleak.VerifyNone(t, ignore)
			close(hold)
			hts.Close()
		})
	}
}
