package lambda_test

// Never lie: what a call returns when the server's answer is not what it
// should be. Every case here was a silent zero value, a wrong verdict, a
// bare error or a panic before; RELIABILITY.md ("Answers the client does
// not trust") lists them with these tests.

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

// TestSuccessWithoutAResource: a call that expects a resource and gets a
// success with none is ErrInvalidResponse, with the HTTP status and the
// request ID, never a zero value and a nil error.
func TestSuccessWithoutAResource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		body   string
		reqID  string
	}{
		{"data null", 200, `{"success":true,"data":null,"metadata":{"request_id":"req_1"}}`, "req_1"},
		{"data missing", 200, `{"success":true,"metadata":{"request_id":"req_1"}}`, "req_1"},
		{"status shape, data null", 200, `{"status":"success","data":null}`, "req_hdr"},
		{"status shape, no data", 200, `{"status":"success"}`, "req_hdr"},
		{"bare null", 200, `null`, "req_hdr"},
		{"success beside an error object", 200, `{"success":true,"data":` + instanceJSON + `,"error":{"code":"server_error","message":"half done"},"metadata":{"request_id":"req_1"}}`, "req_1"},
		{"204", 204, ``, "req_hdr"},
		{"201 with data null", 201, `{"success":true,"data":null}`, "req_hdr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, _ := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("X-Request-Id", "req_hdr")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			}))
			inst, err := client.Instances.Get(context.Background(), "inst_1")
			assert.Nil(t, inst)
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, tt.status, lerr.HTTPStatus)
			assert.Equal(t, tt.reqID, lerr.RequestID)
		})
	}
}

// TestBareResourceWithItsOwnStatus: the routes of the resources and
// functions documentation answer a bare resource; one whose own status is
// "error" or "success" is that resource, not an API error or an empty
// success.
func TestBareResourceWithItsOwnStatus(t *testing.T) {
	t.Parallel()
	for _, st := range []string{"error", "success"} {
		client, mux, _ := setup(t)
		mux.HandleFunc("/resources/RES_1", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"id":"RES_1","type":"compute","region":"us-east","status":"`+st+`","created_at":"2025-01-01T00:00:00Z"}`)
		})
		mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"id":"inst_1","name":"web","status":"`+st+`","error":"disk failed"}`)
		})
		res, err := client.Resources.Get(context.Background(), "RES_1", nil)
		require.NoError(t, err, st)
		assert.Equal(t, lambda.ResourceStatus(st), res.Status)
		inst, err := client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err, st)
		assert.Equal(t, lambda.InstanceStatus(st), inst.Status)
		assert.Equal(t, "inst_1", inst.ID)
	}
}

// TestDeleteWhoseAnswerWasLost: the first DELETE took effect but its answer
// was lost (a 503 from a proxy, a cut connection); the retry finds nothing
// and answers 404. The caller is told the truth: deleted.
func TestDeleteWhoseAnswerWasLost(t *testing.T) {
	t.Parallel()
	lost := map[string]faultHandler{
		"503":            status(503),
		"cut connection": func(_ int32, w http.ResponseWriter, _ *http.Request) { cutMidResponse(w) },
	}
	for name, fail := range lost {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					fail(n, w, r)
					return
				}
				writeError(w, http.StatusNotFound, "not_found", "instance not found")
			})
			var info lambda.ResponseInfo
			err := client.Instances.Delete(context.Background(), "inst_1", lambda.WithResponseInfo(&info))
			require.NoError(t, err)
			assert.EqualValues(t, 2, served.Load())
			assert.Equal(t, 2, info.Attempts, "ResponseInfo shows the retry")
		})
	}

	// A 404 on the first attempt, or after a 429 (not processed), is the
	// caller's: the resource was not there.
	for name, h := range map[string]faultHandler{
		"404 at once": status(404),
		"429 then 404": func(n int32, w http.ResponseWriter, r *http.Request) {
			if n == 1 {
				status(429, "Retry-After", "0")(n, w, r)
				return
			}
			status(404)(n, w, r)
		},
	} {
		client, _ := scriptedAPI(t, "/instances/inst_1", h)
		err := client.Instances.Delete(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrNotFound, name)
	}
}

// TestNotFoundAfterARetryIsTheDeletesAlone: only a DELETE may read a 404
// after a retry as its own effect. A GET, or a POST action, that meets a
// 404 on its second attempt reports ErrNotFound: the resource is not there,
// and no earlier attempt of theirs could have made it go.
func TestNotFoundAfterARetryIsTheDeletesAlone(t *testing.T) {
	t.Parallel()
	calls := map[string]func(context.Context, *lambda.Client) error{
		"GET": func(ctx context.Context, c *lambda.Client) error {
			_, err := c.Instances.Get(ctx, "inst_1")
			return err
		},
		"POST action": func(ctx context.Context, c *lambda.Client) error {
			_, err := c.Instances.Start(ctx, "inst_1")
			return err
		},
		"POST create": func(ctx context.Context, c *lambda.Client) error {
			_, err := c.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "a", InstanceType: "gpu_1x_a10", Region: "us-east-1"})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/", func(n int32, w http.ResponseWriter, r *http.Request) {
				if n == 1 {
					status(503)(n, w, r)
					return
				}
				writeError(w, http.StatusNotFound, "not_found", "instance not found")
			})
			err := call(context.Background(), client)
			require.ErrorIs(t, err, lambda.ErrNotFound)
			assert.EqualValues(t, 2, served.Load(), "retried once after the 503")
		})
	}
}

// TestNoAnswerIsErrUnavailable: a call that never got an answer from the
// API, after all its retries, matches ErrUnavailable and still unwraps to
// the network error.
func TestNoAnswerIsErrUnavailable(t *testing.T) {
	t.Parallel()
	t.Run("connection refused", func(t *testing.T) {
		t.Parallel()
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := ln.Addr().String()
		ln.Close()
		client := newTestClient(t, "http://"+addr+"/v1")
		_, err = client.Instances.Get(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrUnavailable)
		require.ErrorIs(t, err, syscall.ECONNREFUSED)
		var uerr *url.Error
		require.ErrorAs(t, err, &uerr)
	})
	t.Run("connection reset mid-response", func(t *testing.T) {
		t.Parallel()
		client, served := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, _ *http.Request) { cutMidResponse(w) }))
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrUnavailable)
		require.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.EqualValues(t, 4, served.Load())
	})
	t.Run("TLS failure", func(t *testing.T) {
		t.Parallel()
		srv := newTLSServer(t)
		client := newTestClient(t, srv+"/v1")
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrUnavailable)
		var uerr *url.Error
		require.ErrorAs(t, err, &uerr)
	})
	t.Run("timeout of the http.Client", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		client, _ := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}), lambda.WithHTTPClient(&http.Client{Timeout: 50 * time.Millisecond}), lambda.WithMaxRetries(1))
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrUnavailable)
		var nerr net.Error
		require.ErrorAs(t, err, &nerr)
		assert.True(t, nerr.Timeout())
	})
	t.Run("the caller's deadline is the caller's", func(t *testing.T) {
		t.Parallel()
		release := make(chan struct{})
		t.Cleanup(func() { close(release) })
		client, _ := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}))
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := client.Instances.Get(ctx, "inst_1")
		require.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// TestBadGzipBodyIsTyped: a body labelled gzip that is not gzip is the
// server's fault: ErrInvalidResponse at once, not a bare "gzip: invalid
// header" after four attempts.
func TestBadGzipBodyIsTyped(t *testing.T) {
	t.Parallel()
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	io.WriteString(zw, `{"success":true,"data":`+instanceJSON+`}`)
	zw.Close()
	corrupt := append([]byte(nil), gz.Bytes()...)
	corrupt[len(corrupt)-5] ^= 0xff // the checksum

	for name, body := range map[string][]byte{"not gzip": []byte(`{"success":true,"data":{}}`), "bad checksum": corrupt} {
		client, served := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Encoding", "gzip")
			w.Header().Set("X-Request-Id", "req_gz")
			w.Write(body)
		}))
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrInvalidResponse, name)
		var lerr *lambda.Error
		require.ErrorAs(t, err, &lerr)
		assert.Equal(t, 200, lerr.HTTPStatus, name)
		assert.Equal(t, "req_gz", lerr.RequestID, name)
		assert.EqualValues(t, 1, served.Load(), name)
	}

	// A well-formed gzip body is read as usual.
	client, _ := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(gz.Bytes())
	}))
	inst, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	assert.Equal(t, "inst_abc123", inst.ID)
}

// TestAllowedValuesOfAnyType: details the client cannot read as strings
// never cost the error its code and message.
func TestAllowedValuesOfAnyType(t *testing.T) {
	t.Parallel()
	client, _ := scriptedAPI(t, "/instances/inst_1", always(raw(400, `{"success":false,"error":{"code":"invalid_request","message":"size must be one of",
		"details":{"field":"size_gb","value":7,"allowed_values":[10,20,"40",null]}},"metadata":{"request_id":"req_av"}}`)))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, "invalid_request", lerr.Code)
	assert.Equal(t, "size must be one of", lerr.Message)
	assert.Equal(t, "req_av", lerr.RequestID)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "size_gb", lerr.Details.Field)
	assert.Equal(t, []string{"10", "20", "40", ""}, lerr.Details.AllowedValues)
}

// TestEstimateMissingFieldHasStatusAndRequestID: the contract check of a
// billing answer reports the response it found wanting.
func TestEstimateMissingFieldHasStatusAndRequestID(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/billing/estimate", func(w http.ResponseWriter, r *http.Request) {
		writeData(w, 200, `{"current_cost":"$10.00","period_start":"2026-01-01","period_end":"2026-01-31"}`)
	})
	_, err := client.Billing.Estimate(context.Background())
	require.ErrorIs(t, err, lambda.ErrInvalidResponse)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, 200, lerr.HTTPStatus)
	assert.Equal(t, "req_test", lerr.RequestID)
	assert.Contains(t, lerr.Message, "estimated_cost")
}

// TestMaxRetryWaitBoundsOnlyWhatTheAPIAsks: WithMaxRetryWait below the
// client's own backoff drops no retry (it once dropped about a quarter of
// third retries at the README's settings); a Retry-After above it ends the
// call at once.
func TestMaxRetryWaitBoundsOnlyWhatTheAPIAsks(t *testing.T) {
	t.Parallel()
	opts := []lambda.Option{lambda.WithMaxRetryWait(time.Millisecond), lambda.WithRetryBackoff(2*time.Millisecond, 8*time.Millisecond)}
	for i := range 5 { // the jitter once made it a lottery: draw several times
		client, served := scriptedAPI(t, "/instances/inst_1", failFirst(3, status(503)), opts...)
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err, "draw %d", i)
		assert.EqualValues(t, 4, served.Load())
	}
	client, served := scriptedAPI(t, "/instances/inst_1", always(status(503, "Retry-After", "1")), opts...)
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrUnavailable)
	assert.EqualValues(t, 1, served.Load())
}

// nilRequestTransport answers like a recorder or a cache can: a response
// whose Request is nil.
type nilRequestTransport struct{ calls atomic.Int32 }

func (t *nilRequestTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		req.Body.Close()
	}
	t.calls.Add(1)
	return &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(bytes.NewReader([]byte(`{"success":false,"error":{"code":"authentication_failed","message":"expired"}}`)))}, nil
}

// TestOAuth401WithoutRequestDoesNotPanic: the retry policy once read
// Response.Request on a 401 to refresh the OAuth token.
func TestOAuth401WithoutRequestDoesNotPanic(t *testing.T) {
	t.Parallel()
	tr := &nilRequestTransport{}
	client := newTestClientWith(t, lambda.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok", TokenType: "Bearer"})),
		"http://127.0.0.1:1/v1", lambda.WithHTTPClient(&http.Client{Transport: tr}))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	assert.LessOrEqual(t, tr.calls.Load(), int32(2), "at most one retry after a refresh")
}

// newTLSServer starts a TLS server whose certificate no client trusts, and
// returns its URL.
func newTLSServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes are expected
	t.Cleanup(srv.Close)
	return srv.URL
}
