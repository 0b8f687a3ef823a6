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
