package lambda_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

// paddedBody is validBody grown with spaces to exactly n bytes: still the
// same event, signed as it is.
func paddedBody(n int) []byte {
	return append(append([]byte(nil), validBody...), bytes.Repeat([]byte(" "), n-len(validBody))...)
}

// TestWebhookHandlerHostileDeliveries: what arrives at the handler over
// HTTP that no other test sends. The body cap is exact whether or not the
// sender declares a length; of several signature headers only the first
// counts; a signed event whose ID holds a newline is logged without a
// forged log line; a timestamp that is a
// number, the zero time or far past int64 nanoseconds is refused, never
// a panic.
func TestWebhookHandlerHostileDeliveries(t *testing.T) {
	t.Parallel()
	const limit = 1024
	sign := func(b []byte) string { return hmacSign(b, testSecret) }
	// Stale, so that its refusal is logged with its ID.
	forged := eventBody("evt_1\nFORGED level=ERROR msg=forged", "instance.created\"", testNow.Add(-100*time.Hour).Format(time.RFC3339), `{}`)
	tests := []struct {
		name       string
		body       []byte
		signatures []string // one header value each
		chunked    bool     // no Content-Length
		want       int
	}{
		{"exactly the cap", paddedBody(limit), []string{sign(paddedBody(limit))}, false, http.StatusNoContent},
		{"exactly the cap, chunked", paddedBody(limit), []string{sign(paddedBody(limit))}, true, http.StatusNoContent},
		{"one byte over", paddedBody(limit + 1), []string{sign(paddedBody(limit + 1))}, false, http.StatusRequestEntityTooLarge},
		{"one byte over, chunked", paddedBody(limit + 1), []string{sign(paddedBody(limit + 1))}, true, http.StatusRequestEntityTooLarge},
		{"a wrong signature header, then the right one", validBody, []string{hmacSign(validBody, "nope"), sign(validBody)}, false, http.StatusUnauthorized},
		{"the right signature header, then a wrong one", validBody, []string{sign(validBody), hmacSign(validBody, "nope")}, false, http.StatusNoContent},
		{"two signatures in one header", validBody, []string{sign(validBody) + "," + sign(validBody)}, false, http.StatusUnauthorized},
		{"an empty signature header", validBody, []string{""}, false, http.StatusUnauthorized},
		{"an ID that would forge a log line", forged, []string{sign(forged)}, false, http.StatusBadRequest},
		{"a numeric timestamp", numericStamp, []string{sign(numericStamp)}, false, http.StatusBadRequest},
		{"the zero time", stampedBody(time.Time{}), []string{sign(stampedBody(time.Time{}))}, false, http.StatusBadRequest},
		{"year 9999", stampedBody(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)),
			[]string{sign(stampedBody(time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)))}, false, http.StatusBadRequest},
		{"year 10000", tenThousand, []string{sign(tenThousand)}, false, http.StatusBadRequest},
		{"an offset at the tolerance's edge", offsetEdge, []string{sign(offsetEdge)}, false, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var logs syncBuffer
			hs := newHookServer(t, testSecret, nil, lambda.WithWebhookMaxBodyBytes(limit),
				lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&logs, nil))))
			var body io.Reader = bytes.NewReader(tt.body)
			if tt.chunked {
				body = io.MultiReader(body) // hides the length: sent chunked
			}
			req, err := http.NewRequest(http.MethodPost, hs.url+"/hooks", body)
			require.NoError(t, err)
			for _, s := range tt.signatures {
				req.Header.Add(lambda.SignatureHeader, s)
			}
			resp, err := hs.client.Do(req)
			require.NoError(t, err)
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			assert.Equal(t, tt.want, resp.StatusCode, "answer %q", got)
			if tt.want == http.StatusNoContent {
				assert.Equal(t, int32(1), hs.calls.Load())
			} else {
				assert.Zero(t, hs.calls.Load())
			}
			for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
				assert.False(t, strings.HasPrefix(line, "FORGED"), "a forged log line: %q", line)
			}
			assert.NotContains(t, logs.String(), testSecret)
			assert.NotContains(t, logs.String(), sign(tt.body)[7:], "the right signature is never logged")
		})
	}
}

var (
	numericStamp = []byte(fmt.Sprintf(`{"id":"evt_1","type":"instance.created","timestamp":%d,"data":{}}`, testNow.Unix()))
	tenThousand  = eventBody("evt_1", "instance.created", "10000-01-01T00:00:00Z", `{}`)
	// Five minutes ahead of testNow, written in UTC+14: accepted, as the edge is.
	offsetEdge = eventBody("evt_1", "instance.created", testNow.Add(5*time.Minute).In(time.FixedZone("", 14*3600)).Format(time.RFC3339), `{}`)
)
