package lambda_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// stubTransport is a caller's own RoundTripper, as tests in the wild write
// them: it answers from memory and counts the requests it got.
type stubTransport struct {
	answer func() (*http.Response, error)
	calls  atomic.Int32
}

func (s *stubTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.calls.Add(1)
	if req.Body != nil {
		req.Body.Close()
	}
	return s.answer()
}

// TestCallerTransportThatBreaksItsContract: a transport given with
// WithHTTPClient may answer as stubs in tests often do, with a nil body for
// an empty one, or break net/http's contract outright. Whatever it does,
// under every setting of the attempt's bound (armed, skipped for a sooner
// deadline, off), the call ends with a value or an error, never a panic:
// a nil body counts as empty, as net/http's Client counts it; no response
// and no error, or a length without a body, is the transport's fault and
// is not retried; a response beside an error is closed, and the error kept.
func TestCallerTransportThatBreaksItsContract(t *testing.T) {
	t.Parallel()
	failed := errors.New("stub failed")
	tests := []struct {
		name      string
		answer    func() (*http.Response, error)
		want      error  // matched with errors.Is; nil: see wantText
		wantText  string // in the error
		wantCalls int32
	}{
		{"no response and no error", func() (*http.Response, error) { return nil, nil },
			nil, "returned neither a response nor an error", 1},
		{"a length without a body", func() (*http.Response, error) {
			return &http.Response{StatusCode: 200, ContentLength: 5}, nil
		}, nil, "content length 5 but no body", 1},
		{"a 200 without a body", func() (*http.Response, error) {
			return &http.Response{StatusCode: 200}, nil
		}, lambda.ErrInvalidResponse, "no body", 1},
		{"a 204 without a body", func() (*http.Response, error) {
			return &http.Response{StatusCode: 204}, nil
		}, lambda.ErrInvalidResponse, "no data", 1},
		{"a 503 without a body", func() (*http.Response, error) {
			return &http.Response{StatusCode: 503}, nil
		}, lambda.ErrUnavailable, "503", 3},
		{"a response beside an error", func() (*http.Response, error) {
			return &http.Response{StatusCode: 200, Body: io.NopCloser(strings.NewReader("{}"))}, failed
		}, failed, "stub failed", 3},
		{"a response without a body beside an error", func() (*http.Response, error) {
			return &http.Response{StatusCode: 200}, failed
		}, failed, "stub failed", 3},
	}
	bounds := []struct {
		name string
		opt  lambda.Option
		ctx  func(t *testing.T) context.Context
	}{
		{"bound armed", lambda.WithAttemptTimeout(time.Minute), func(*testing.T) context.Context { return context.Background() }},
		{"bound under a sooner deadline", lambda.WithAttemptTimeout(time.Hour), testCtx},
		{"bound off", lambda.WithAttemptTimeout(0), func(*testing.T) context.Context { return context.Background() }},
	}
	for _, tc := range tests {
		for _, b := range bounds {
			t.Run(tc.name+"/"+b.name, func(t *testing.T) {
				t.Parallel()
				stub := &stubTransport{answer: tc.answer}
				client := newTestClient(t, "http://127.0.0.1:1/v1",
					lambda.WithHTTPClient(&http.Client{Transport: stub}), lambda.WithMaxRetries(2), b.opt)
				var inst *lambda.Instance
				var err error
				require.NotPanics(t, func() { inst, err = client.Instances.Get(b.ctx(t), "inst_1") })
				require.Error(t, err)
				assert.Nil(t, inst)
				if tc.want != nil {
					assert.ErrorIs(t, err, tc.want)
				}
				assert.ErrorContains(t, err, tc.wantText)
				assert.Equal(t, tc.wantCalls, stub.calls.Load(), "requests the transport got")
			})
		}
	}
}
