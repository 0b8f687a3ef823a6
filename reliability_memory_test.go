package lambda_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestHugeErrorsCostNoMoreThanTheirSize: an error answer of 15 MiB, in
// every shape whose decoding would multiply it (a message, a code, allowed
// values, a details value of numbers or of objects, a bare message), in an
// error status, a 429, a 503 retried, or a 200 that says it failed, ends
// the call with a typed *Error whose text is short, having allocated a
// few times the answer's size: decoding such an error took 2 GB before
// (envelope.MaxErrorBytes). Not parallel: it measures the process's
// allocations.
func TestHugeErrorsCostNoMoreThanTheirSize(t *testing.T) {
	const n = 15 << 20
	errs := map[string]string{
		"message":                 `{"code":"invalid_request","message":"` + strings.Repeat("a", n) + `"}`,
		"code":                    `{"code":"` + strings.Repeat("c", n) + `","message":"x"}`,
		"allowed values":          `{"code":"invalid_request","message":"x","details":{"field":"f","allowed_values":[` + strings.Repeat(`"",`, n/3) + `""]}}`,
		"details value, numbers":  `{"code":"invalid_request","message":"x","details":{"field":"f","value":[` + strings.Repeat("0,", n/2) + `0]}}`,
		"details value, objects":  `{"code":"invalid_request","message":"x","details":{"field":"f","value":[` + strings.Repeat("{},", n/3) + `{}]}}`,
		"details value, nested":   `{"code":"invalid_request","message":"x","details":{"field":"f","value":` + strings.Repeat(`{"a":[`, 1000) + strings.Repeat("1,", n/2) + "1" + strings.Repeat("]}", 1000) + `}}`,
		"a string, not an object": `"` + strings.Repeat("s", n) + `"`,
	}
	answers := map[string]func(w http.ResponseWriter, e string){
		"400": func(w http.ResponseWriter, e string) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"success":false,"error":`+e+`}`)
		},
		"429": func(w http.ResponseWriter, e string) {
			w.Header().Set("Retry-After", "3600")
			w.WriteHeader(http.StatusTooManyRequests)
			io.WriteString(w, `{"success":false,"error":`+e+`}`)
		},
		"503, retried": func(w http.ResponseWriter, e string) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"error","error":`+e+`}`)
		},
		"200 success false": func(w http.ResponseWriter, e string) {
			io.WriteString(w, `{"success":false,"error":`+e+`}`)
		},
		"bare message": func(w http.ResponseWriter, e string) {
			w.WriteHeader(http.StatusConflict)
			io.WriteString(w, `{"message":"`+strings.Repeat("m", n)+`"}`)
		},
	}
	for ename, e := range errs {
		for aname, answer := range answers {
			name := aname + ", " + ename
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w, e) }))
			client := newTestClient(t, srv.URL+"/v1", lambda.WithMaxRetries(1),
				lambda.WithLogger(slog.New(slog.NewJSONHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			var err error
			allocated := allocatedBy(func() { _, err = client.Instances.Get(context.Background(), "inst_1") })
			srv.Close()
			var lerr *lambda.Error
			require.True(t, errors.As(err, &lerr), "%s: %v", name, err)
			assert.Less(t, len(err.Error()), 4<<10, "%s: the error's text", name)
			assert.Less(t, allocated, uint64(12*n), "%s: %d MiB allocated for a %d MiB answer", name, allocated>>20, n>>20)
		}
	}
}
