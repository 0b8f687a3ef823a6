package lambda_test

import (
	"context"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// testKey has the non-ASCII bytes real keys have.
const testKey = "λ_sk_1234567890abcdef"

// newTestClient is a client for baseURL (an API root with its version,
// e.g. srv.URL+"/v1") with the options every test client shares: the test
// key and fast backoff. opts come after them, so a test that needs another
// key, backoff or HTTP client passes it and it wins.
func newTestClient(t *testing.T, baseURL string, opts ...lambda.Option) *lambda.Client {
	t.Helper()
	return newTestClientWith(t, lambda.WithAPIKey(testKey), baseURL, opts...)
}

// newTestClientWith is newTestClient with cred for its credential: a token
// source or OAuth 2.0, which a client cannot hold alongside the test key.
func newTestClientWith(t *testing.T, cred lambda.Option, baseURL string, opts ...lambda.Option) *lambda.Client {
	t.Helper()
	base := []lambda.Option{cred, lambda.WithBaseURL(baseURL), fastBackoff}
	client, err := lambda.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return client
}

// setup starts a loopback API server and a newTestClient for it. Handlers
// are registered on mux under paths relative to /v1; url is the server's
// root, without the version.
func setup(t *testing.T, opts ...lambda.Option) (client *lambda.Client, mux *http.ServeMux, url string) {
	t.Helper()
	mux, url = newTestServer(t)
	return newTestClient(t, url+"/v1", opts...), mux, url
}

// newTestServer starts a loopback API server whose handlers are registered
// on mux under paths relative to /v1, and returns its root URL.
func newTestServer(t *testing.T) (mux *http.ServeMux, url string) {
	t.Helper()
	mux = http.NewServeMux()
	api := http.NewServeMux()
	api.Handle("/v1/", http.StripPrefix("/v1", mux))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return mux, srv.URL
}

// faultHandler answers attempt n (from 1) of a call.
type faultHandler func(n int32, w http.ResponseWriter, r *http.Request)

// scriptedAPI serves h on path (relative to /v1, as on setup's mux; "/"
// for every path) of a loopback server, counts the requests that reach it,
// and returns a newTestClient for it with opts.
func scriptedAPI(t *testing.T, path string, h faultHandler, opts ...lambda.Option) (*lambda.Client, *atomic.Int32) {
	t.Helper()
	url, served := scriptedServer(t, path, h)
	return newTestClient(t, url+"/v1", opts...), served
}

// scriptedServer is scriptedAPI's server, for a test that builds its own
// client: it returns the server's root URL.
func scriptedServer(t *testing.T, path string, h faultHandler) (url string, served *atomic.Int32) {
	t.Helper()
	mux, url := newTestServer(t)
	served = new(atomic.Int32)
	mux.HandleFunc(path, func(w http.ResponseWriter, r *http.Request) {
		h(served.Add(1), w, r)
	})
	return url, served
}

// testMethod checks the request's method.
func testMethod(t *testing.T, r *http.Request, want string) {
	t.Helper()
	assert.Equal(t, want, r.Method, "method")
}

// testJSONBody checks the request's body against a JSON document.
func testJSONBody(t *testing.T, r *http.Request, want string) {
	t.Helper()
	got, err := io.ReadAll(r.Body)
	require.NoError(t, err)
	assert.JSONEq(t, want, string(got), "request body")
}

// writeData answers with the canonical success envelope around data.
func writeData(w http.ResponseWriter, status int, data string) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Request-Id", "req_hdr")
	w.WriteHeader(status)
	io.WriteString(w, `{"success":true,"data":`+data+`,"metadata":{"request_id":"req_test","timestamp":"2026-01-24T10:30:00Z"}}`)
}

// writeError answers with the canonical error envelope.
func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	body, _ := json.Marshal(map[string]any{
		"success":  false,
		"error":    map[string]any{"code": code, "message": message},
		"metadata": map[string]any{"request_id": "req_err"},
	})
	w.Write(body)
}

// recorder keeps what a handler saw, safely across the server's goroutines.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
}

type recorded struct {
	Method string
	Header http.Header
	Body   string
}

func (r *recorder) add(req *http.Request) recorded {
	b, _ := io.ReadAll(req.Body)
	rec := recorded{Method: req.Method, Header: req.Header.Clone(), Body: string(b)}
	r.mu.Lock()
	r.reqs = append(r.reqs, rec)
	r.mu.Unlock()
	return rec
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

const instanceJSON = `{"id":"inst_abc123","name":"web","instance_type":"compute-4x","region":"us-west-1",
	"image":"ubuntu-22.04","status":"running","ssh_keys":["key_abc123"],"public_ip":"203.0.113.42",
	"created_at":"2026-01-24T10:30:00Z","updated_at":"2026-01-24T10:31:00Z"}`

// cancelLater cancels the returned context after d and reports when the
// cancel really happened, so that "returns within N of the cancel" is
// measured from the cancel, not from a timer a loaded machine ran late.
func cancelLater(t *testing.T, d time.Duration) (ctx context.Context, cancelledAt func() time.Time) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	var at atomic.Int64
	timer := time.AfterFunc(d, func() {
		at.Store(time.Now().UnixNano())
		cancel()
	})
	t.Cleanup(func() { timer.Stop(); cancel() })
	return ctx, func() time.Time { return time.Unix(0, at.Load()) }
}

// newSim starts the simulator, with every request checked strictly
// (lambdatest.WithStrictRequests: the SDK must send what the contract says,
// not merely what the platform forgives), every response checked against
// the contract, and short life cycles, and a simClient for it.
func newSim(t *testing.T, opts ...lambdatest.Option) (*lambda.Client, *lambdatest.Server) {
	t.Helper()
	base := []lambdatest.Option{
		lambdatest.WithStrictRequests(),
		documentedShapes(),
		lambdatest.WithTransitionDelay(20 * time.Millisecond),
		lambdatest.WithMetricsInterval(10 * time.Millisecond),
	}
	srv := lambdatest.NewTestServer(t, append(base, opts...)...)
	return simClient(t, srv), srv
}

// simClient is a newTestClient for the simulator, with its key
// (lambdatest.DefaultAPIKey) and, under lambdatest.WithTLS, trusting its
// certificate; opts come last.
func simClient(t *testing.T, srv *lambdatest.Server, opts ...lambda.Option) *lambda.Client {
	t.Helper()
	return newTestClientWith(t, lambda.WithAPIKey(lambdatest.DefaultAPIKey), srv.BaseURL(),
		append([]lambda.Option{lambda.WithHTTPClient(srv.Client())}, opts...)...)
}

// platformRequests returns the requests the simulator received for method
// and path (as net/http unescapes it, e.g. "/v1/functions"), in order; an
// empty method or path matches any.
func platformRequests(srv *lambdatest.Server, method, path string) []lambdatest.Request {
	var out []lambdatest.Request
	for _, r := range srv.Requests() {
		if (method == "" || r.Method == method) && (path == "" || r.Path == path) {
			out = append(out, r)
		}
	}
	return out
}

// fastBackoff makes retries wait milliseconds, so that retry tests are fast.
var fastBackoff = lambda.WithRetryBackoff(time.Millisecond, 5*time.Millisecond)

// fastWait makes waits poll every few milliseconds, on the simulator (with
// its short life cycles) and on test servers alike.
var fastWait = lambda.WithWaitDelay(5*time.Millisecond, 20*time.Millisecond)

// fastStream makes a metrics stream reconnect within milliseconds, so that
// reconnect tests are fast. A test may pass it but not change it: it is
// shared.
var fastStream = &lambda.StreamMetricsOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// fastReconnects is fastStream giving up after n reconnects.
func fastReconnects(n int) *lambda.StreamMetricsOptions {
	o := *fastStream
	o.MaxReconnects = n
	return &o
}

// onlyStreamError ranges over a metrics stream that must yield exactly one
// thing, an error and no sample, and returns that error.
func onlyStreamError(t *testing.T, stream iter.Seq2[lambda.MetricSample, error]) error {
	t.Helper()
	var errs []error
	for s, err := range stream {
		require.Zero(t, s, "no sample")
		errs = append(errs, err)
	}
	require.Len(t, errs, 1, "the stream yields one error and ends")
	require.Error(t, errs[0])
	return errs[0]
}

// testCtx is a test's context: bounded, so a hang fails the test instead
// of blocking the run.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// documentedShapesEnv, set to 1, runs every simulator of the package's tests
// with lambdatest.WithSeedShapes: TestServicesUnderDocumentedShapes re-runs
// the service tests that way, so that the SDK is checked against both shapes.
const documentedShapesEnv = "LAMBDATEST_SEED_SHAPES"

// documentedShapes is lambdatest.WithSeedShapes when documentedShapesEnv
// asks for it.
func documentedShapes() lambdatest.Option {
	if os.Getenv(documentedShapesEnv) == "1" {
		return lambdatest.WithSeedShapes()
	}
	return nil
}

// underDocumentedShapes reports whether this run's simulators answer in the
// shapes the original API documentation shows; the few tests that read a
// canonical-only figure (a pagination object) check it.
func underDocumentedShapes() bool { return os.Getenv(documentedShapesEnv) == "1" }

// allocatedBy is how many bytes the process allocated while f ran, after a
// collection. Only a test that is not parallel can read it as f's own.
func allocatedBy(f func()) uint64 {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
