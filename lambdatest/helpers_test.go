package lambdatest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// newServer starts a simulator for one test: strict request checks, fast
// transitions, every response checked against the contract, closed at the
// end of the test. Tests of what the platform forgives start their server
// with newPlatform.
func newServer(t *testing.T, opts ...lambdatest.Option) *lambdatest.Server {
	t.Helper()
	return newPlatform(t, append([]lambdatest.Option{lambdatest.WithStrictRequests()}, opts...)...)
}

// newPlatform is newServer without WithStrictRequests: the simulator as
// users get it by default.
func newPlatform(t *testing.T, opts ...lambdatest.Option) *lambdatest.Server {
	t.Helper()
	base := []lambdatest.Option{
		lambdatest.WithTransitionDelay(20 * time.Millisecond),
		lambdatest.WithMetricsInterval(10 * time.Millisecond),
	}
	return lambdatest.NewTestServer(t, append(base, opts...)...)
}

// resp is one answer, decoded.
type resp struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any // nil when the body is not a JSON object
}

// data returns the "data" object of a canonical or status-shaped answer.
func (r resp) data(t *testing.T) map[string]any {
	t.Helper()
	d, ok := r.json["data"].(map[string]any)
	require.True(t, ok, "no data object in %s", r.raw)
	return d
}

// items returns the "data" array of a canonical list.
func (r resp) items(t *testing.T) []any {
	t.Helper()
	d, ok := r.json["data"].([]any)
	require.True(t, ok, "no data array in %s", r.raw)
	return d
}

func (r resp) errCode() string {
	e, _ := r.json["error"].(map[string]any)
	code, _ := e["code"].(string)
	return code
}

func (r resp) errField() string {
	e, _ := r.json["error"].(map[string]any)
	d, _ := e["details"].(map[string]any)
	f, _ := d["field"].(string)
	return f
}

var idemCounter atomic.Int64

// call sends one request with the default key (and, for POST, a fresh
// Idempotency-Key) and decodes the answer. header pairs override or add
// headers; an empty value deletes the header.
func call(t *testing.T, srv *lambdatest.Server, method, path, body string, header ...string) resp {
	t.Helper()
	r, err := send(srv, method, path, body, header...)
	require.NoError(t, err)
	return r
}

// send is call without a test to fail: poll's requests run off the test
// goroutine, where require must not stop the test.
func send(srv *lambdatest.Server, method, path, body string, header ...string) (resp, error) {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, srv.URL+path, rd)
	if err != nil {
		return resp{}, err
	}
	req.Header.Set("Authorization", "Bearer "+lambdatest.DefaultAPIKey)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		req.Header.Set("Idempotency-Key", fmt.Sprintf("test-%d", idemCounter.Add(1)))
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] == "" {
			req.Header.Del(header[i])
		} else {
			req.Header.Set(header[i], header[i+1])
		}
	}
	res, err := srv.Client().Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return resp{}, err
	}
	r := resp{status: res.StatusCode, header: res.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.json)
	return r, nil
}

// mustCall is call that requires the given status.
func mustCall(t *testing.T, srv *lambdatest.Server, want int, method, path, body string, header ...string) resp {
	t.Helper()
	r := call(t, srv, method, path, body, header...)
	require.Equal(t, want, r.status, "%s %s answered %s", method, path, r.raw)
	return r
}

// poll sends GET path every 5 ms, for at most 5 s, until done finds
// nothing wrong with the answer, and returns that answer. done reports
// through c: it runs off the test goroutine (in require.EventuallyWithT),
// where require must not stop the test.
func poll(t *testing.T, srv *lambdatest.Server, path string, done func(c *assert.CollectT, r resp)) resp {
	t.Helper()
	var last resp
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		r, err := send(srv, http.MethodGet, path, "")
		if !assert.NoError(c, err) {
			return
		}
		done(c, r)
		last = r
	}, 5*time.Second, 5*time.Millisecond, "GET %s", path)
	return last
}

// waitStatus polls a GET until the "status" of its data is want, and
// returns the data.
func waitStatus(t *testing.T, srv *lambdatest.Server, path, want string) map[string]any {
	t.Helper()
	data := func(r resp) map[string]any {
		if d, ok := r.json["data"].(map[string]any); ok {
			return d
		}
		return r.json
	}
	r := poll(t, srv, path, func(c *assert.CollectT, r resp) {
		if assert.Equal(c, http.StatusOK, r.status, "answered %s", r.raw) {
			assert.Equal(c, want, data(r)["status"], "last: %s", r.raw)
		}
	})
	return data(r)
}

// waitStatusIn polls a list until the item with id has status want.
func waitStatusIn(t *testing.T, srv *lambdatest.Server, path, id, want string) {
	t.Helper()
	poll(t, srv, path, func(c *assert.CollectT, r resp) {
		items, _ := r.json["data"].([]any)
		assert.Equal(c, want, itemStatus(items, id), "%s in %s", id, r.raw)
	})
}

// itemStatus is the status of the item with id among items, "" when it is
// not there.
func itemStatus(items []any, id string) any {
	for _, it := range items {
		if m, _ := it.(map[string]any); m["id"] == id {
			return m["status"]
		}
	}
	return ""
}

const instanceBody = `{"name":"web","instance_type":"compute-2x","region":"us-west-1","image":"ubuntu-22.04","ssh_keys":["key_abc123"],"tags":{"env":"test"}}`

// createInstance creates an instance and returns its ID.
func createInstance(t *testing.T, srv *lambdatest.Server) string {
	t.Helper()
	r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody)
	return r.data(t)["id"].(string)
}

// escapeQuery escapes the values of a raw query "a=b&c={...}".
func escapeQuery(q string) string {
	if q == "" {
		return ""
	}
	vals := url.Values{}
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		vals.Add(k, v)
	}
	return vals.Encode()
}

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
func jsonMarshal(v any) ([]byte, error)   { return json.Marshal(v) }
