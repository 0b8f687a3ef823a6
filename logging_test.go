package lambda_test

import (
	"log/slog"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// TestLoggerLinesCarryEachAttemptsDuration: every attempt's WithLogger
// line, the retried one and the last, says how long that attempt took.
func TestLoggerLinesCarryEachAttemptsDuration(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, mux, _ := setup(t, lambda.WithLogger(logger))
	var n atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond) // a lower bound only: a loaded machine may take longer
		if n.Add(1) == 1 {
			writeError(w, 503, "service_unavailable", "try again")
			return
		}
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(testCtx(t), "inst_1")
	require.NoError(t, err)

	records := logRecords(t, &logs)
	require.Len(t, records, 2)
	for i, r := range records {
		assert.EqualValues(t, i+1, r["attempt"])
		d, ok := r["duration"].(float64) // slog's JSON handler writes nanoseconds
		require.True(t, ok, "line %d has no duration: %v", i, r)
		assert.GreaterOrEqual(t, time.Duration(d), 30*time.Millisecond)
	}
	assert.Equal(t, "lambda: retrying", records[0]["msg"])
	assert.Equal(t, "lambda: request", records[1]["msg"])
}

// TestLoggerLinesOfTheMetricsStream: the stream logs its first connection,
// the loss of it with the wait before reconnecting, and the reconnection.
func TestLoggerLinesOfTheMetricsStream(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := lambdatest.NewTestServer(t, lambdatest.WithMetricsInterval(10*time.Millisecond))
	client := simClient(t, srv, lambda.WithLogger(logger))
	id := srv.SeedInstances(1)[0]
	n := 0
	for _, err := range client.Instances.StreamMetrics(testCtx(t), id, fastStream) {
		require.NoError(t, err)
		if n++; n == 2 {
			srv.DropStreams()
		}
		if n == 4 {
			break
		}
	}

	var stream []map[string]any
	for _, r := range logRecords(t, &logs) {
		if r["instance"] == id {
			stream = append(stream, r)
		}
	}
	require.Len(t, stream, 3, "connected, lost, connected again: %v", stream)
	assert.Equal(t, "lambda: metrics stream connected", stream[0]["msg"])
	assert.Equal(t, false, stream[0]["reconnect"])
	assert.Contains(t, stream[0], "duration")
	assert.Equal(t, "lambda: metrics stream lost, reconnecting", stream[1]["msg"])
	assert.Equal(t, "INFO", stream[1]["level"])
	assert.Contains(t, stream[1], "wait")
	assert.Contains(t, stream[1]["error"], "connection lost")
	assert.Equal(t, "lambda: metrics stream connected", stream[2]["msg"])
	assert.Equal(t, true, stream[2]["reconnect"])
	assert.EqualValues(t, 2, stream[2]["connection"])
}

// TestLoggerLinesOfTheMetricsStreamHideTheCredential: a refused handshake
// whose answer quotes the credential back is logged without it.
func TestLoggerLinesOfTheMetricsStreamHideTheCredential(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, mux, _ := setup(t, lambda.WithLogger(logger))
	mux.HandleFunc("/instances/inst_1/metrics/stream", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 503, "service_unavailable", "overloaded; you sent "+r.Header.Get("Authorization"))
	})
	for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastReconnects(2)) {
		require.Error(t, err)
	}
	out := logs.String()
	assert.Contains(t, out, "lambda: metrics stream lost, reconnecting")
	assert.Contains(t, out, "you sent Bearer REDACTED")
	assert.NotContains(t, out, testKey)
}
