package lambda_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
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

// setup starts a loopback API server and a client for it, with fast
// backoff so that retry tests take milliseconds. Handlers are registered
// on mux under paths relative to /v1.
func setup(t *testing.T, opts ...lambda.Option) (*lambda.Client, *http.ServeMux, string) {
	t.Helper()
	mux := http.NewServeMux()
	api := http.NewServeMux()
	api.Handle("/v1/", http.StripPrefix("/v1", mux))
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	base := []lambda.Option{
		lambda.WithAPIKey(testKey),
		lambda.WithBaseURL(srv.URL + "/v1"),
		fastBackoff,
	}
	client, err := lambda.NewClient(append(base, opts...)...)
	require.NoError(t, err)
	return client, mux, srv.URL
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
// the contract, and short life cycles, and a client for it. Under
// lambdatest.WithTLS the client trusts the server's certificate.
func newSim(t *testing.T, opts ...lambdatest.Option) (*lambda.Client, *lambdatest.Server) {
	t.Helper()
	base := []lambdatest.Option{
		lambdatest.WithStrictRequests(),
		seedShapes(),
		lambdatest.WithTransitionDelay(20 * time.Millisecond),
		lambdatest.WithMetricsInterval(10 * time.Millisecond),
	}
	srv := lambdatest.NewTestServer(t, append(base, opts...)...)
	client, err := lambda.NewClient(
		lambda.WithAPIKey(lambdatest.DefaultAPIKey),
		lambda.WithBaseURL(srv.BaseURL()),
		lambda.WithHTTPClient(srv.Client()),
		fastBackoff,
	)
	require.NoError(t, err)
	return client, srv
}

// fastBackoff makes retries wait milliseconds, so that retry tests are fast.
var fastBackoff = lambda.WithRetryBackoff(time.Millisecond, 5*time.Millisecond)

// fastWait makes waits poll every few milliseconds, on the simulator (with
// its short life cycles) and on test servers alike.
var fastWait = lambda.WithWaitDelay(5*time.Millisecond, 20*time.Millisecond)

// testCtx is a test's context: bounded, so a hang fails the test instead
// of blocking the run.
func testCtx(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// seedShapesEnv, set to 1, runs every simulator of the package's tests with
// lambdatest.WithSeedShapes: TestServicesUnderSeedShapes re-runs the service
// tests that way, so that the SDK is checked against both shapes.
const seedShapesEnv = "LAMBDATEST_SEED_SHAPES"

// seedShapes is lambdatest.WithSeedShapes when seedShapesEnv asks for it.
func seedShapes() lambdatest.Option {
	if os.Getenv(seedShapesEnv) == "1" {
		return lambdatest.WithSeedShapes()
	}
	return nil
}

// underSeedShapes reports whether this run's simulators answer in the
// seeds' shapes; the few tests that read a canonical-only figure (a
// pagination object) check it.
func underSeedShapes() bool { return os.Getenv(seedShapesEnv) == "1" }
