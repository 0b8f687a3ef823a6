package lambda_test

// The fault-injection suite, part 2: creates. For each fault, what the
// caller gets, how many POSTs the simulator saw, and how many instances
// exist afterwards (listed through the API): a create is never duplicated,
// whether the fault hit before the simulator handled the request or after
// (the state changed, the answer was lost or mangled).

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

const instancesPath = "/v1/instances"

// instanceIDs lists every instance through a client of its own, so that
// faults aimed at the client under test cannot touch the count.
func instanceIDs(t *testing.T, srv *lambdatest.Server) []string {
	t.Helper()
	var ids []string
	for inst, err := range simClient(t, srv).Instances.All(context.Background(), nil) {
		require.NoError(t, err)
		ids = append(ids, inst.ID)
	}
	return ids
}

// posts counts the creates the simulator received, and checks that every
// attempt of the call carried the same Idempotency-Key.
func posts(t *testing.T, srv *lambdatest.Server) int {
	t.Helper()
	sent := platformRequests(srv, http.MethodPost, instancesPath)
	keys := map[string]bool{}
	for _, r := range sent {
		keys[r.Header.Get("Idempotency-Key")] = true
	}
	assert.LessOrEqual(t, len(keys), 1, "the attempts of one create carried different Idempotency-Keys")
	return len(sent)
}

// answerBreaker may replace the simulator's answer to a request, after the
// simulator has handled it; it reports whether it did.
type answerBreaker func(n int32, w http.ResponseWriter, status int, header http.Header, body []byte) bool

// chaosProxy forwards every request to the simulator and lets brk mangle
// the answers to POST /v1/instances: the faults the simulator cannot make
// itself (a cut in the middle of a real answer, an empty 200).
func chaosProxy(t *testing.T, srv *lambdatest.Server, brk answerBreaker) string {
	t.Helper()
	tr := &http.Transport{}
	var n atomic.Int32
	px := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		out, err := http.NewRequestWithContext(r.Context(), r.Method, srv.URL+r.URL.RequestURI(), bytes.NewReader(body))
		require.NoError(t, err)
		out.Header = r.Header.Clone()
		resp, err := tr.RoundTrip(out)
		if err != nil {
			panic(http.ErrAbortHandler) // the simulator dropped us: drop the client
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if r.Method == http.MethodPost && r.URL.Path == instancesPath && brk(n.Add(1), w, resp.StatusCode, resp.Header, b) {
			return
		}
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		w.Write(b)
	}))
	t.Cleanup(tr.CloseIdleConnections)
	t.Cleanup(px.Close)
	return px.URL
}

// cutAnswer sends the headers and half of the real answer, then closes the
// connection.
func cutAnswer(w http.ResponseWriter, status int, header http.Header, body []byte) {
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	w.Write(body[:len(body)/2])
	w.(http.Flusher).Flush()
	if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
		conn.Close()
	}
}

var (
	createOK    = `{"success":true,"data":{"id":"inst_`
	html502     = "<html><body><h1>502 Bad Gateway</h1>nginx</body></html>"
	successFail = `{"success":false,"error":{"code":"server_error","message":"try again"}}`
	no429Hint   = `{"success":false,"error":{"code":"rate_limit_exceeded","message":"slow down"}}`
)

// TestCreateFaults: every fault the simulator can inject, on POST
// /v1/instances.
func TestCreateFaults(t *testing.T) {
	t.Parallel()
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	tests := []struct {
		name      string
		fault     lambdatest.Fault
		want      error // nil: success
		attempts  int
		instances int
	}{
		{"connection dropped before handling", lambdatest.Fault{Drop: true}, nil, 2, 1},
		{"connection dropped after handling (answer lost)", lambdatest.Fault{Drop: true, AfterHandling: true}, nil, 2, 1},
		{"connection dropped after handling, every time", lambdatest.Fault{Drop: true, AfterHandling: true, Times: -1}, io.EOF, 4, 1},
		{"truncated JSON after handling", lambdatest.Fault{Status: 201, Body: createOK, AfterHandling: true}, lambda.ErrInvalidResponse, 1, 1},
		{"500 burst before handling", lambdatest.Fault{Status: 500, Times: 2}, nil, 3, 1},
		{"502 burst before handling", lambdatest.Fault{Status: 502, Times: 3}, nil, 4, 1},
		{"503 burst before handling", lambdatest.Fault{Status: 503, Times: 2}, nil, 3, 1},
		{"504 burst before handling", lambdatest.Fault{Status: 504, Times: 2}, nil, 3, 1},
		{"500 burst after handling", lambdatest.Fault{Status: 500, Times: 2, AfterHandling: true}, nil, 3, 1},
		{"502 burst after handling", lambdatest.Fault{Status: 502, Times: 2, AfterHandling: true}, nil, 3, 1},
		{"503 burst after handling", lambdatest.Fault{Status: 503, Times: 3, AfterHandling: true}, nil, 4, 1},
		{"504 burst after handling", lambdatest.Fault{Status: 504, Times: 2, AfterHandling: true}, nil, 3, 1},
		{"503 longer than the retries, before handling", lambdatest.Fault{Status: 503, Times: -1}, lambda.ErrUnavailable, 4, 0},
		{"500 longer than the retries, after handling", lambdatest.Fault{Status: 500, Times: -1, AfterHandling: true}, lambda.ErrServer, 4, 1},
		{"429 storm with Retry-After: 0", lambdatest.Fault{Status: 429, Times: 2, Body: no429Hint, Header: hdr("Retry-After", "0")}, nil, 3, 1},
		{"429 with a Retry-After date", lambdatest.Fault{Status: 429, Body: no429Hint, Header: hdr("Retry-After", "%DATE+1s%")}, nil, 2, 1},
		// The simulator's answers always carry X-RateLimit-Reset (an hour
		// away by default): without Retry-After that is the wait, longer
		// than WithMaxRetryWait, so the call reports it at once.
		{"429 without Retry-After: the window's reset is the wait", lambdatest.Fault{Status: 429, Body: no429Hint}, lambda.ErrRateLimited, 1, 0},
		{"429 with Retry-After as garbage: the window's reset is the wait", lambdatest.Fault{Status: 429, Body: no429Hint, Header: hdr("Retry-After", "soon")}, lambda.ErrRateLimited, 1, 0},
		{"HTML 502 page before handling", lambdatest.Fault{Status: 502, Body: html502}, nil, 2, 1},
		{"HTML 502 page after handling", lambdatest.Fault{Status: 502, Body: html502, AfterHandling: true}, nil, 2, 1},
		{"200 with success: false after handling", lambdatest.Fault{Status: 200, Body: successFail, AfterHandling: true}, lambda.ErrServer, 1, 1},
		{"307 to the same path: followed with the same body and key", lambdatest.Fault{Status: 307, Body: " ", Header: hdr("Location", instancesPath)}, nil, 2, 1},
		{"redirect loop", lambdatest.Fault{Status: 308, Body: " ", Times: -1, Header: hdr("Location", instancesPath)}, lambda.ErrTooManyRedirects, 10, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			f := tt.fault
			f.Method, f.Path = http.MethodPost, instancesPath
			if f.Header.Get("Retry-After") == "%DATE+1s%" {
				f.Header.Set("Retry-After", srv.Now().Add(2*time.Second).UTC().Format(http.TimeFormat))
			}
			srv.InjectFault(f)
			inst, err := client.Instances.Create(context.Background(), createReq)
			assert.Equal(t, tt.attempts, posts(t, srv), "POSTs the simulator saw")
			ids := instanceIDs(t, srv)
			assert.Len(t, ids, tt.instances, "instances afterwards")
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, []string{inst.ID}, ids)
				return
			}
			assert.Nil(t, inst)
			require.ErrorIs(t, err, tt.want)
			assertTyped(t, err)
		})
	}
}

// TestCreateFaultsInTheAnswer: faults made by a proxy in front of the
// simulator, on the real answer to a create that was carried out.
func TestCreateFaultsInTheAnswer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		brk      answerBreaker
		want     error
		attempts int
	}{
		{"connection reset in the middle of the real answer", func(n int32, w http.ResponseWriter, st int, h http.Header, b []byte) bool {
			if n > 1 {
				return false
			}
			cutAnswer(w, st, h, b)
			return true
		}, nil, 2},
		{"connection reset in the middle of every answer", func(n int32, w http.ResponseWriter, st int, h http.Header, b []byte) bool {
			cutAnswer(w, st, h, b)
			return true
		}, io.ErrUnexpectedEOF, 4},
		{"empty 200 instead of the answer", func(n int32, w http.ResponseWriter, st int, h http.Header, b []byte) bool {
			w.WriteHeader(200)
			return true
		}, lambda.ErrInvalidResponse, 1},
		{"empty 201 instead of the answer", func(n int32, w http.ResponseWriter, st int, h http.Header, b []byte) bool {
			w.WriteHeader(201)
			return true
		}, lambda.ErrInvalidResponse, 1},
		{"a 100 MB answer", func(n int32, w http.ResponseWriter, st int, h http.Header, b []byte) bool {
			w.WriteHeader(201)
			chunk := bytes.Repeat([]byte(" "), 1<<20)
			for range 100 {
				if _, err := w.Write(chunk); err != nil {
					break
				}
			}
			return true
		}, lambda.ErrInvalidResponse, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, srv := newSim(t)
			client := newTestClientWith(t, lambda.WithAPIKey(lambdatest.DefaultAPIKey), chaosProxy(t, srv, tt.brk)+"/v1")
			inst, err := client.Instances.Create(context.Background(), createReq)
			assert.Equal(t, tt.attempts, posts(t, srv), "POSTs the simulator saw")
			ids := instanceIDs(t, srv)
			require.Len(t, ids, 1, "exactly one instance exists afterwards")
			if tt.want == nil {
				require.NoError(t, err)
				assert.Equal(t, ids[0], inst.ID)
				return
			}
			assert.Nil(t, inst)
			require.ErrorIs(t, err, tt.want)
			assertTyped(t, err)
		})
	}
}

// TestCreateThatNeverAnswers: the call ends within 100 ms of its deadline.
// When the simulator had already made the instance, the caller's own retry
// with the same WithIdempotencyKey gets that instance, not a second one.
func TestCreateThatNeverAnswers(t *testing.T) {
	t.Parallel()
	for _, after := range []bool{false, true} {
		name := map[bool]string{false: "before handling", true: "after handling"}[after]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			srv.InjectFault(lambdatest.Fault{Method: http.MethodPost, Path: instancesPath, Delay: time.Hour, AfterHandling: after})
			// A second: long enough for the request to arrive on a loaded machine.
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			ended := endedAt(ctx)
			key := lambda.WithIdempotencyKey("create-web-" + strings.ReplaceAll(name, " ", "-"))
			_, err := client.Instances.Create(ctx, createReq, key)
			assert.Less(t, time.Since(ended()), time.Second, "the call outlived its deadline")
			require.ErrorIs(t, err, context.DeadlineExceeded)
			assert.Equal(t, 1, posts(t, srv))

			inst, err := client.Instances.Create(context.Background(), createReq, key)
			require.NoError(t, err)
			assert.Equal(t, []string{inst.ID}, instanceIDs(t, srv))
			assert.Equal(t, 2, posts(t, srv))
		})
	}
}

// TestUpdateIsNeverRepeated: a PATCH is not idempotent (a partial update
// applied twice can differ from once), so no fault that may have applied
// it makes the client send it again, even where a create would be retried.
// (A 429 applied nothing: TestPATCHRetriedAfter429.)
func TestUpdateIsNeverRepeated(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		fault   lambdatest.Fault
		want    error
		applied bool // whether the simulator carried out the update
	}{
		{"503 before handling", lambdatest.Fault{Status: 503}, lambda.ErrUnavailable, false},
		{"500 after handling", lambdatest.Fault{Status: 500, AfterHandling: true}, lambda.ErrServer, true},
		{"connection dropped after handling", lambdatest.Fault{Drop: true, AfterHandling: true}, io.EOF, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			inst, err := client.Instances.Create(context.Background(), createReq)
			require.NoError(t, err)
			f := tt.fault
			f.Method, f.Path = http.MethodPatch, instancesPath+"/"+inst.ID
			srv.InjectFault(f)
			_, err = client.Instances.Update(context.Background(), inst.ID, &lambda.UpdateInstanceRequest{Name: lambda.Ptr("renamed")})
			require.ErrorIs(t, err, tt.want)
			assertTyped(t, err)
			assert.Len(t, platformRequests(srv, http.MethodPatch, ""), 1, "a PATCH was sent again")
			got, err := client.Instances.Get(context.Background(), inst.ID)
			require.NoError(t, err)
			assert.Equal(t, tt.applied, got.Name == "renamed")
		})
	}
}
