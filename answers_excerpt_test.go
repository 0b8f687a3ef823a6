package lambda_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestSuccessThatIsNotJSONShowsAnExcerpt: a 2xx whose body is not JSON (a
// captive portal's or a proxy's page, a cut answer) is ErrInvalidResponse
// with the same short, bounded, redacted excerpt of the body an error
// status gets, so that the caller can see what answered instead of the API.
// An answer that is JSON but not the resource keeps no excerpt.
func TestSuccessThatIsNotJSONShowsAnExcerpt(t *testing.T) {
	t.Parallel()
	portal := "<html><head><title>Hotel WiFi login</title></head><body>" + strings.Repeat("<p>accept the terms</p>\n", 5000) + "</body></html>"
	tests := []struct {
		name   string
		status int
		body   string
		want   string // in Error.Body; "" for no excerpt
	}{
		{"HTML page 200", 200, portal, "Hotel WiFi login"},
		{"plain text 200", 200, "OK", "OK"},
		{"cut JSON 201", 201, `{"success":true,"data":{"id":"inst_1","na`, `{"success":true,"data":{"id":"inst_1","na`},
		{"page quoting the key", 200, "<p>bad token " + testKey + "</p>", "bad token REDACTED"},
		{"JSON of the wrong type", 200, `{"success":true,"data":{"id":42}}`, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			_, err := client.Instances.Get(context.Background(), "inst_1")
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, tt.status, lerr.HTTPStatus)
			if tt.want == "" {
				assert.Empty(t, lerr.Body)
			} else {
				assert.Contains(t, lerr.Body, tt.want)
				assert.Contains(t, err.Error(), strconv.Quote(lerr.Body), "the message shows it too")
			}
			assert.LessOrEqual(t, len(lerr.Body), 210, "bounded")
			assert.Less(t, len(err.Error()), 700, "bounded")
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

// TestFailureInASuccessStatusKeepsItsMessage: a 2xx answer that says it
// failed with its message and code beside the status, as the status
// envelope's family writes errors ({"status": "error", "message": …}),
// keeps them: the message is the error's Message and a known code its
// sentinel. The error said only "200 unknown_error".
func TestFailureInASuccessStatusKeepsItsMessage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		code, msg  string
		sentinel   error
	}{
		{"status error, message", `{"status":"error","message":"quota exceeded"}`, "unknown_error", "quota exceeded", nil},
		{"status error, message and code", `{"status":"error","message":"quota exceeded","code":"forbidden"}`, "forbidden", "quota exceeded", lambda.ErrForbidden},
		{"status error, code only", `{"status":"error","code":"not_found"}`, "not_found", "", lambda.ErrNotFound},
		{"status error, numeric code", `{"status":"error","message":"gone","code":404}`, "unknown_error", "gone", nil},
		{"success false, message", `{"success":false,"message":"quota exceeded"}`, "unknown_error", "quota exceeded", nil},
		{"error object wins", `{"status":"error","message":"outer","error":{"code":"conflict","message":"inner"}}`, "conflict", "inner", lambda.ErrConflict},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/workloads", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tt.body)
			})
			_, err := client.Workloads.List(context.Background(), nil)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, 200, lerr.HTTPStatus)
			assert.Equal(t, tt.code, lerr.Code)
			assert.Equal(t, tt.msg, lerr.Message)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
		})
	}
}
