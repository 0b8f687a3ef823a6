package lambda_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go"
)

// TestNoWaitLongerThanMaxRetryWait: WithMaxRetryWait is the longest the
// client sleeps before a retry, the jitter that spreads clients told the
// same wait included. A wait the API asked for at or just under the bound
// was slept with up to a quarter more (and 50 ms) on top: 375 ms for a bound
// of 300 ms, 50 ms for a bound of 0. Each case answers a 429 or a 503 asking
// for the wait, then 200; the wait slept is read from the debug log line.
func TestNoWaitLongerThanMaxRetryWait(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		maxWait time.Duration
		status  int
		header  string // Retry-After
		body    string // error.retry_after, for a 429
	}{
		{"429 asking for the bound", 300 * time.Millisecond, 429, "0.3", ""},
		{"429 asking for just under it", 300 * time.Millisecond, 429, "0.29", ""},
		{"429 asking for the bound in its body", 300 * time.Millisecond, 429, "", `,"retry_after":0.3`},
		{"503 asking for the bound", 300 * time.Millisecond, 503, "0.3", ""},
		{"bound 0, 429 asking for no wait", 0, 429, "0", ""},
		{"bound 0, 503 asking for no wait", 0, 503, "0", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs bytes.Buffer
			logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			client, served := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
				if n > 1 {
					writeData(w, http.StatusOK, instanceJSON)
					return
				}
				if tt.header != "" {
					w.Header().Set("Retry-After", tt.header)
				}
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, `{"success":false,"error":{"code":"rate_limit_exceeded","message":"wait"`+tt.body+`}}`)
			}, lambda.WithMaxRetryWait(tt.maxWait), lambda.WithLogger(logger))
			_, err := client.Instances.Get(context.Background(), "inst_1")
			require.NoError(t, err)
			assert.EqualValues(t, 2, served.Load())
			var retried int
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				var rec struct {
					Msg  string `json:"msg"`
					Wait int64  `json:"wait"` // nanoseconds, as slog's JSON handler writes a Duration
				}
				require.NoError(t, json.Unmarshal([]byte(line), &rec), line)
				if rec.Msg != "lambda: retrying" {
					continue
				}
				retried++
				assert.LessOrEqual(t, time.Duration(rec.Wait), tt.maxWait, "the wait slept: %v", time.Duration(rec.Wait))
			}
			assert.Equal(t, 1, retried, logs.String())
		})
	}
}

// TestClientSideLimiterWaitCancelledIsTheCallers: a caller that cancels
// while the limiter holds back the metrics stream's dial (which has no
// retry loop to report the context's end for it) gets the context's error,
// not a refusal of the limiter's.
func TestClientSideLimiterWaitCancelledIsTheCallers(t *testing.T) {
	t.Parallel()
	client, served := scriptedAPI(t, "/", func(n int32, w http.ResponseWriter, r *http.Request) {
		writeData(w, http.StatusOK, instanceJSON)
	}, lambda.WithRateLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
	_, err := client.Instances.Get(context.Background(), "inst_1") // spends the one token
	require.NoError(t, err)
	ctx, _ := cancelLater(t, 200*time.Millisecond)
	for _, err = range client.Instances.StreamMetrics(ctx, "inst_1", nil) {
		if err != nil {
			break
		}
	}
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, lambda.ErrRateLimited, "the caller ended the wait: no refusal of the limiter's")
	assert.EqualValues(t, 1, served.Load(), "the stream was never dialled")
}

// TestClientSideLimiterRefusalsAreTyped is the guard of the WithRateLimiter
// wait, over every limiter that cannot let a call through in time: the call
// ends at once, unsent, with an *Error matching ErrRateLimited that carries
// the limiter's wait when it has one, as the API's own used-up window does.
// It was an untyped "client-side rate limiter: rate: Wait(n=1) would exceed
// context deadline" (no sentinel, not a *lambda.Error, no wait), and one that
// never allows a call ("exceeds limiter's burst 0") the same on every call.
// A cancel during the wait stays the context's error.
func TestClientSideLimiterRefusalsAreTyped(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		limiter   func() *rate.Limiter // its one token is spent by a first call unless said
		deadline  time.Duration        // 0: none
		cancel    time.Duration        // cancel the call after this (0: never)
		wantWait  time.Duration        // the refusal's RetryAfter, ±1 s
		wantCtx   error                // the context's error instead of a refusal
		firstFree bool                 // the first call goes, then the probed one waits
	}{
		{"an hour to wait, a deadline of 1 s", func() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Hour), 1) }, time.Second, 0, time.Hour, nil, true},
		{"a minute to wait, a deadline of 1 s", func() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Minute), 1) }, time.Second, 0, time.Minute, nil, true},
		{"burst 0, no deadline", func() *rate.Limiter { return rate.NewLimiter(10, 0) }, 0, 0, 0, nil, false},
		{"limit 0, its token spent, no deadline", func() *rate.Limiter { return rate.NewLimiter(0, 1) }, 0, 0, 0, nil, true},
		{"an hour to wait, cancelled during the wait", func() *rate.Limiter { return rate.NewLimiter(rate.Every(time.Hour), 1) }, 0, 200 * time.Millisecond, 0, context.Canceled, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
				writeData(w, http.StatusOK, instanceJSON)
			}, lambda.WithRateLimiter(tt.limiter()))
			var before int32
			if tt.firstFree {
				_, err := client.Instances.Get(context.Background(), "inst_1")
				require.NoError(t, err)
				before = 1
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			if tt.cancel > 0 {
				ctx, _ = cancelLater(t, tt.cancel)
			}
			start := time.Now()
			var info lambda.ResponseInfo
			_, err := client.Instances.Get(ctx, "inst_1", lambda.WithResponseInfo(&info))
			assert.Less(t, time.Since(start), 10*time.Second, "the call ends without waiting for the limiter")
			assert.Equal(t, before, served.Load(), "unsent")
			if tt.wantCtx != nil {
				require.ErrorIs(t, err, tt.wantCtx)
				return
			}
			require.ErrorIs(t, err, lambda.ErrRateLimited)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Zero(t, lerr.HTTPStatus, "not sent")
			assert.Equal(t, 1, info.Attempts, "a refusal of the limiter's is not retried")
			assert.InDelta(t, tt.wantWait.Seconds(), lerr.RetryAfter.Seconds(), 1, "RetryAfter %v", lerr.RetryAfter)
			assert.Contains(t, err.Error(), "WithRateLimiter", "the error says whose limiter refused")
			assert.NotErrorIs(t, err, context.DeadlineExceeded, "the context has not ended")
		})
	}
}
