package lambda_test

// The fault-injection suite, part 1: what a read (GET) gives the caller
// when the network or the server misbehaves, and how many requests it
// took. RELIABILITY.md lists every fault tried here and in the other
// reliability_*_test.go files, and the bug of another SDK each test would
// catch.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// cutMidResponse promises a body of 500 bytes, sends a part of it, and
// closes the connection: a connection reset in the middle of a response.
func cutMidResponse(w http.ResponseWriter) {
	w.Header().Set("Content-Length", "500")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, `{"success":true,"data":{"id":"inst_`)
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

// failFirst answers the first k attempts with fail, the others with the
// instance.
func failFirst(k int32, fail faultHandler) faultHandler {
	return func(n int32, w http.ResponseWriter, r *http.Request) {
		if n <= k {
			fail(n, w, r)
			return
		}
		writeData(w, http.StatusOK, instanceJSON)
	}
}

func always(fail faultHandler) faultHandler { return failFirst(1<<30, fail) }

func status(code int, header ...string) faultHandler {
	return func(_ int32, w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		writeError(w, code, strings.ReplaceAll(strings.ToLower(http.StatusText(code)), " ", "_"), "injected")
	}
}

func raw(code int, body string, header ...string) faultHandler {
	return func(_ int32, w http.ResponseWriter, _ *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.WriteHeader(code)
		io.WriteString(w, body)
	}
}

var htmlPage = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>" +
	strings.Repeat("<p>The upstream server is not answering.</p>\n", 2000) + "</body></html>"

// TestReadFaults is the table of faults a GET meets. Retries use the
// default policy (3 retries) with millisecond backoff.
func TestReadFaults(t *testing.T) {
	t.Parallel()
	rateLimited := `{"success":false,"error":{"code":"rate_limit_exceeded","message":"slow down"}}`
	tests := []struct {
		name     string
		h        faultHandler
		want     error // nil: the call succeeds; else matched with errors.Is
		attempts int32
		code     string // when set, the *lambda.Error's code
	}{
		{"connection reset mid-response, then OK", failFirst(1, func(_ int32, w http.ResponseWriter, _ *http.Request) { cutMidResponse(w) }), nil, 2, ""},
		{"connection reset mid-response on every attempt", always(func(_ int32, w http.ResponseWriter, _ *http.Request) { cutMidResponse(w) }), io.ErrUnexpectedEOF, 4, ""},
		{"truncated JSON with an honest Content-Length", always(raw(200, `{"success":true,"data":{"id":"inst_1","na`)), lambda.ErrInvalidResponse, 1, ""},
		{"500 burst then OK", failFirst(3, status(500)), nil, 4, ""},
		{"502 burst then OK", failFirst(2, status(502)), nil, 3, ""},
		{"503 burst then OK", failFirst(2, status(503)), nil, 3, ""},
		{"504 burst then OK", failFirst(2, status(504)), nil, 3, ""},
		{"500 longer than the retries", always(status(500)), lambda.ErrServer, 4, ""},
		{"502 longer than the retries", always(status(502)), lambda.ErrServer, 4, ""},
		{"503 longer than the retries", always(status(503)), lambda.ErrUnavailable, 4, ""},
		{"504 longer than the retries", always(status(504)), lambda.ErrServer, 4, ""},
		{"501 is not retried", always(status(501)), lambda.ErrServer, 1, ""},
		{"429 storm without Retry-After: backoff, then OK", failFirst(3, raw(429, rateLimited)), nil, 4, ""},
		{"429 storm without Retry-After longer than the retries", always(raw(429, rateLimited)), lambda.ErrRateLimited, 4, ""},
		{"429 storm with Retry-After: 0, then OK", failFirst(2, status(429, "Retry-After", "0")), nil, 3, ""},
		{"429 with Retry-After as garbage: backoff", failFirst(1, raw(429, rateLimited, "Retry-After", "soon")), nil, 2, ""},
		{"503 with Retry-After as garbage: backoff", failFirst(1, status(503, "Retry-After", "\x7f-1e9")), nil, 2, ""},
		{"503 with Retry-After: 0", failFirst(1, status(503, "Retry-After", "0")), nil, 2, ""},
		{"HTML 502 page, then OK", failFirst(1, raw(502, htmlPage, "Content-Type", "text/html")), nil, 2, ""},
		{"HTML 502 page on every attempt", always(raw(502, htmlPage, "Content-Type", "text/html")), lambda.ErrServer, 4, ""},
		{"HTML page with 200", always(raw(200, htmlPage, "Content-Type", "text/html")), lambda.ErrInvalidResponse, 1, ""},
		{"empty 200", always(raw(200, "")), lambda.ErrInvalidResponse, 1, ""},
		{"empty 503, then OK", failFirst(1, raw(503, "")), nil, 2, ""},
		{"200 with success: false", always(raw(200, `{"success":false,"error":{"code":"not_found","message":"gone"}}`)), lambda.ErrNotFound, 1, ""},
		{"200 with success: false and a server_error code is not retried", always(raw(200, `{"success":false,"error":{"code":"server_error"}}`)), lambda.ErrServer, 1, ""},
		{"200 with status: error and no code: an API error matching no sentinel", always(raw(200, `{"status":"error","error":"maintenance"}`)), errAPI, 1, "unknown_error"},
		{"200 with a malformed error envelope", always(raw(200, `{"success":false,"error":{"code":42}}`)), lambda.ErrInvalidResponse, 1, ""},
		{"a JSON 500 envelope is retried like any 500", failFirst(1, raw(500, `{"success":false,"error":{"code":"server_error","message":"db down"}}`)), nil, 2, ""},
		{"a redirect loop", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/v1/instances/inst_1", http.StatusFound)
		}), lambda.ErrTooManyRedirects, 10, ""},
		{"a redirect to the same host is followed", failFirst(1, func(_ int32, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/v1/instances/inst_1?moved=1", http.StatusMovedPermanently)
		}), nil, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/instances/inst_1", tt.h)
			var info lambda.ResponseInfo
			inst, err := client.Instances.Get(context.Background(), "inst_1", lambda.WithResponseInfo(&info))
			assert.EqualValues(t, tt.attempts, served.Load(), "requests the server saw")
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, "inst_abc123", inst.ID)
				return
			}
			assert.Nil(t, inst, "never a value with an error")
			if tt.want != errAPI {
				require.ErrorIs(t, err, tt.want)
			}
			assertTyped(t, err)
			if tt.code != "" {
				var lerr *lambda.Error
				require.ErrorAs(t, err, &lerr)
				assert.Equal(t, tt.code, lerr.Code)
			}
			assert.Less(t, len(err.Error()), 500, "a bounded error message")
		})
	}
}

// errAPI in a table means "an *lambda.Error that matches no sentinel".
var errAPI = errors.New("any *lambda.Error")

// assertTyped checks that err is something a caller can match: an API
// error (*lambda.Error), a failure to send (*url.Error), a connection cut
// while the body was read (io.ErrUnexpectedEOF, a net.Error), or the end
// of the caller's context.
func assertTyped(t *testing.T, err error) {
	t.Helper()
	var lerr *lambda.Error
	var uerr *url.Error
	var nerr net.Error
	if errors.As(err, &lerr) || errors.As(err, &uerr) || errors.As(err, &nerr) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return
	}
	t.Errorf("error %v (%T) is neither *lambda.Error, *url.Error, net.Error, io.ErrUnexpectedEOF nor a context error", err, err)
}

// endedAt reports when ctx ended, as it happened: on a loaded machine a
// deadline's or a cancel's timer can fire late, and the SDK's latency is
// measured from the moment the context actually ended.
func endedAt(ctx context.Context) func() time.Time {
	var at atomic.Int64
	context.AfterFunc(ctx, func() { at.Store(time.Now().UnixNano()) })
	return func() time.Time {
		if n := at.Load(); n != 0 {
			return time.Unix(0, n)
		}
		return time.Now()
	}
}

// TestRetryAfterHTTPDateIsWaited: the date is measured against the
// response's Date header, so the wait is exact even though both have
// one-second resolution.
func TestRetryAfterHTTPDateIsWaited(t *testing.T) {
	t.Parallel()
	var first atomic.Int64
	client, served := scriptedAPI(t, "/instances/inst_1", failFirst(1, func(_ int32, w http.ResponseWriter, _ *http.Request) {
		now := time.Now().UTC().Truncate(time.Second)
		first.Store(time.Now().UnixNano())
		w.Header().Set("Date", now.Format(http.TimeFormat))
		w.Header().Set("Retry-After", now.Add(time.Second).Format(http.TimeFormat))
		writeError(w, 429, "rate_limit_exceeded", "slow down")
	}))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	assert.EqualValues(t, 2, served.Load())
	gap := time.Since(time.Unix(0, first.Load()))
	assert.GreaterOrEqual(t, gap, 950*time.Millisecond, "the retry came before the date")
}

// TestServerThatNeverAnswers: the call ends within 100 ms of the caller's
// deadline, whether the server sends nothing or stops in the middle of the
// body, and the error says why.
func TestServerThatNeverAnswers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		stall  func(w http.ResponseWriter)
	}{
		{"no headers, GET", http.MethodGet, func(http.ResponseWriter) {}},
		{"no headers, POST", http.MethodPost, func(http.ResponseWriter) {}},
		{"headers then a stalled body", http.MethodGet, func(w http.ResponseWriter) {
			w.Header().Set("Content-Length", "1000")
			w.WriteHeader(200)
			io.WriteString(w, `{"success":true,"data":{`)
			w.(http.Flusher).Flush()
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			release := make(chan struct{})
			t.Cleanup(func() { close(release) }) // runs before the server's Close
			var served atomic.Int32
			hang := func(w http.ResponseWriter, r *http.Request) {
				served.Add(1)
				tt.stall(w)
				select {
				case <-r.Context().Done():
				case <-release:
				}
			}
			mux.HandleFunc("/instances/inst_1", hang)
			mux.HandleFunc("/instances", hang)

			// A second: long enough for the request to arrive on a loaded machine.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			ended := endedAt(ctx)
			var err error
			if tt.method == http.MethodGet {
				_, err = client.Instances.Get(ctx, "inst_1")
			} else {
				_, err = client.Instances.Create(ctx, createReq)
			}
			late := time.Since(ended())
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assertTyped(t, err)
			// The server never answers: a call that ignored its deadline would
			// not end at all, so a second's slack proves the point on a
			// loaded machine, where timers fire late.
			assert.Less(t, late, time.Second, "the call outlived its deadline")
			assert.EqualValues(t, 1, served.Load(), "no retry after the deadline")
		})
	}
}

// TestHundredMegabyteResponses: a runaway body is cut at 16 MiB, never
// buffered whole, and the call is not repeated.
func TestHundredMegabyteResponses(t *testing.T) {
	t.Parallel()
	for _, code := range []int{200, 201, 503} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			t.Parallel()
			var written atomic.Int64
			h := func(_ int32, w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(code)
				io.WriteString(w, `{"success":true,"data":{"id":"`)
				chunk := strings.Repeat("x", 1<<20)
				for range 100 { // 100 MB, unless the client hangs up first
					if _, err := io.WriteString(w, chunk); err != nil {
						return
					}
					written.Add(1 << 20)
				}
			}
			client, mux, _ := setup(t, lambda.WithMaxRetries(1))
			var served atomic.Int32
			handle := func(w http.ResponseWriter, r *http.Request) { h(served.Add(1), w, r) }
			mux.HandleFunc("/instances/inst_1", handle)
			mux.HandleFunc("/instances", handle)
			var err error
			if code == 201 {
				_, err = client.Instances.Create(context.Background(), createReq)
			} else {
				_, err = client.Instances.Get(context.Background(), "inst_1")
			}
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			assert.Contains(t, err.Error(), "16 MiB")
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, code, lerr.HTTPStatus)
			// A 503 is retried once (WithMaxRetries(1)); its first body is
			// drained only 64 KiB deep. Bodies of 200 and 201 are final.
			want := int32(1)
			if code == 503 {
				want = 2
			}
			assert.Equal(t, want, served.Load())
			assert.Less(t, written.Load(), int64(60<<20), "the client read far more than its 16 MiB cap")
		})
	}
}

// TestCancelEndsEveryWait: a call asked to wait (a Retry-After of 30 s, a
// backoff of a minute, a used-up window) ends within 100 ms of the
// caller's cancel, after one request.
func TestCancelEndsEveryWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		h    faultHandler
		opts []lambda.Option
	}{
		{"Retry-After: 30 on a 503", always(status(503, "Retry-After", "30")), nil},
		{"Retry-After: 30 on a 429", always(status(429, "Retry-After", "30")), nil},
		{"a backoff of a minute", always(status(502)), []lambda.Option{lambda.WithRetryBackoff(time.Minute, time.Minute)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			// The cancel comes 100 ms after the first answer, when the call
			// is waiting: a cancel on a timer from the start could come
			// before the request on a loaded machine, and test nothing.
			var once sync.Once
			answered := func(n int32, w http.ResponseWriter, r *http.Request) {
				tt.h(n, w, r)
				once.Do(func() { time.AfterFunc(100*time.Millisecond, cancel) })
			}
			client, served := scriptedAPI(t, "/instances/inst_1", answered, tt.opts...)
			ended := endedAt(ctx)
			_, err := client.Instances.Get(ctx, "inst_1")
			require.ErrorIs(t, err, context.Canceled)
			// The waits are 30 s and more: a second's slack still tells.
			assert.Less(t, time.Since(ended()), time.Second, "the wait ignored the cancel")
			assert.EqualValues(t, 1, served.Load())
		})
	}

	// A window used up for 30 s: the next call waits in the client.
	client, served := scriptedAPI(t, "/instances/inst_1", func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "10")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(30*time.Second).Unix()))
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ended := endedAt(ctx)
	time.AfterFunc(100*time.Millisecond, cancel)
	_, err = client.Instances.Get(ctx, "inst_1")
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(ended()), time.Second, "the wait for the reset ignored the cancel")
	assert.EqualValues(t, 1, served.Load())
}

// TestLongRetryAfterIsNotCapped: a Retry-After of 10 s that the caller's
// 9-second deadline cannot fit is reported at once, as it is, rather than
// shortened to something that fits (openai-go caps every wait at 8 s).
func TestLongRetryAfterIsNotCapped(t *testing.T) {
	t.Parallel()
	for _, code := range []int{429, 503} {
		client, served := scriptedAPI(t, "/instances/inst_1", always(status(code, "Retry-After", "10")))
		ctx, cancel := context.WithTimeout(context.Background(), 9*time.Second)
		start := time.Now()
		_, err := client.Instances.Get(ctx, "inst_1")
		cancel()
		assert.Less(t, time.Since(start), time.Second, "%d: the call slept instead of reporting", code)
		var lerr *lambda.Error
		require.ErrorAs(t, err, &lerr)
		assert.Equal(t, 10*time.Second, lerr.RetryAfter, "%d: the server's wait is carried unchanged", code)
		assert.EqualValues(t, 1, served.Load())
	}
}
