package lambda_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// answerSpec is one scripted answer: its status and Retry-After ("" for none).
type answerSpec struct {
	status     int
	retryAfter string
}

// TestErrorDescribesTheLastAnswer is the guard of the error a caller sees
// once a call stops: whatever the answers before it said, the *Error
// describes the last answer alone: its status and sentinel, its request ID,
// the wait it asked for (none when it asked for none), and ResponseInfo
// counts every attempt. A Retry-After of an earlier 429 or 503 stayed on
// the call and was reported on a later 404, 400 or 500 that asked for no
// wait ("404 not_found … (retry after 50ms)"); a PATCH's 503 lost the wait
// it asked for, since the policy never read the Retry-After of an answer it
// would not retry.
func TestErrorDescribesTheLastAnswer(t *testing.T) {
	t.Parallel()
	ra := func(s string) answerSpec { return answerSpec{http.StatusTooManyRequests, s} }
	unavailable := func(s string) answerSpec { return answerSpec{http.StatusServiceUnavailable, s} }
	plain := func(status int) answerSpec { return answerSpec{status, ""} }
	tests := []struct {
		name      string
		method    string // GET (Instances.Get) or PATCH (Instances.Update)
		answers   []answerSpec
		sentinel  error
		wantAfter time.Duration // the error's RetryAfter
	}{
		{"429 with a wait, then 404", "GET", []answerSpec{ra("0.05"), plain(404)}, lambda.ErrNotFound, 0},
		{"429 with a wait, then 400", "GET", []answerSpec{ra("0.05"), plain(400)}, lambda.ErrInvalidRequest, 0},
		{"429 with a wait, then 409, PATCH", "PATCH", []answerSpec{ra("0.05"), plain(409)}, lambda.ErrConflict, 0},
		{"503 with a wait, then 500s", "GET", []answerSpec{unavailable("0.05"), plain(500), plain(500), plain(500)}, lambda.ErrServer, 0},
		{"429 with a wait, then 503s without", "GET", []answerSpec{ra("0.05"), plain(503), plain(503), plain(503)}, lambda.ErrUnavailable, 0},
		{"503s, the last with a wait", "GET", []answerSpec{plain(503), plain(503), plain(503), unavailable("2")}, lambda.ErrUnavailable, 2 * time.Second},
		{"503s, the last with a date", "GET", []answerSpec{plain(503), plain(503), plain(503), unavailable("%DATE+1h%")}, lambda.ErrUnavailable, time.Hour},
		{"500s, the last with a wait", "GET", []answerSpec{plain(500), plain(500), plain(500), {500, "7"}}, lambda.ErrServer, 7 * time.Second},
		{"503 with a wait past the longest", "GET", []answerSpec{unavailable("3600")}, lambda.ErrUnavailable, time.Hour},
		{"429 with a wait past the longest", "GET", []answerSpec{ra("3600")}, lambda.ErrRateLimited, time.Hour},
		{"PATCH answered 503 with a wait", "PATCH", []answerSpec{unavailable("30")}, lambda.ErrUnavailable, 30 * time.Second},
		{"PATCH answered 429, then 503 with a wait", "PATCH", []answerSpec{ra("0.05"), unavailable("20")}, lambda.ErrUnavailable, 20 * time.Second},
		{"PATCH answered 502 with garbage", "PATCH", []answerSpec{{502, "soon"}}, lambda.ErrServer, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
				a := tt.answers[min(int(n), len(tt.answers))-1]
				if a.retryAfter == "%DATE+1h%" {
					now := time.Now().UTC()
					w.Header().Set("Date", now.Format(http.TimeFormat))
					a.retryAfter = now.Add(time.Hour).Format(http.TimeFormat)
				}
				if a.retryAfter != "" {
					w.Header().Set("Retry-After", a.retryAfter)
				}
				w.Header().Set("X-Request-Id", fmt.Sprintf("req_%d", n))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(a.status)
				io.WriteString(w, `{"success":false,"error":{"code":"","message":"scripted"}}`)
			}, lambda.WithMaxRetryWait(10*time.Second))
			var info lambda.ResponseInfo
			var err error
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if tt.method == "PATCH" {
				name := "web"
				_, err = client.Instances.Update(ctx, "inst_1", &lambda.UpdateInstanceRequest{Name: &name}, lambda.WithResponseInfo(&info))
			} else {
				_, err = client.Instances.Get(ctx, "inst_1", lambda.WithResponseInfo(&info))
			}
			require.ErrorIs(t, err, tt.sentinel)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			n := int(served.Load())
			assert.Equal(t, len(tt.answers), n, "requests")
			last := tt.answers[n-1]
			assert.Equal(t, last.status, lerr.HTTPStatus, "the last answer's status")
			assert.Equal(t, fmt.Sprintf("req_%d", n), lerr.RequestID, "the last answer's request ID")
			assert.Equal(t, n, info.Attempts, "ResponseInfo counts every attempt")
			assert.Equal(t, last.status, info.StatusCode)
			assert.InDelta(t, tt.wantAfter.Seconds(), lerr.RetryAfter.Seconds(), 2, "RetryAfter: %v (dates have 1 s resolution)", lerr.RetryAfter)
			if tt.wantAfter == 0 {
				assert.Zero(t, lerr.RetryAfter, "no wait: the last answer asked for none")
				assert.NotContains(t, err.Error(), "retry after")
			}
		})
	}
}

// TestRetryThatTheBudgetWouldRefuseIsNotSlept: a 429 (or a 503) that asks
// for a short wait while its own figures say the window is used up until a
// reset beyond WithMaxRetryWait (or the deadline) cannot be retried: the
// retry would be held back by the window's budget. The call ends at once
// with the answer's error, its status and request ID, carrying the wait
// until the reset. It used to sleep the short wait first, for nothing, and
// then return a "not sent" refusal with no status and no request ID.
func TestRetryThatTheBudgetWouldRefuseIsNotSlept(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		reset    time.Duration // from now, by the answer's Date
		deadline time.Duration // 0: none
		sentinel error
	}{
		{"429, reset in an hour", http.StatusTooManyRequests, time.Hour, 0, lambda.ErrRateLimited},
		{"503, reset in an hour", http.StatusServiceUnavailable, time.Hour, 0, lambda.ErrUnavailable},
		{"429, reset in 20 s, deadline in 10 s", http.StatusTooManyRequests, 20 * time.Second, 10 * time.Second, lambda.ErrRateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
				now := time.Now().UTC()
				w.Header().Set("Date", now.Format(http.TimeFormat))
				w.Header().Set("Retry-After", "1")
				w.Header().Set("X-RateLimit-Limit", "1000")
				w.Header().Set("X-RateLimit-Remaining", "0")
				w.Header().Set("X-RateLimit-Reset", fmt.Sprint(now.Add(tt.reset).Unix()))
				w.Header().Set("X-Request-Id", fmt.Sprintf("req_%d", n))
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				io.WriteString(w, `{"success":false,"error":{"code":"","message":"used up"}}`)
			}, lambda.WithMaxRetryWait(30*time.Second))
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			start := time.Now()
			_, err := client.Instances.Get(ctx, "inst_1")
			elapsed := time.Since(start)
			require.ErrorIs(t, err, tt.sentinel)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.EqualValues(t, 1, served.Load())
			assert.Equal(t, tt.status, lerr.HTTPStatus, "the answer's status")
			assert.Equal(t, "req_1", lerr.RequestID)
			assert.InDelta(t, tt.reset.Seconds(), lerr.RetryAfter.Seconds(), 2, "the wait until the reset: %v", lerr.RetryAfter)
			assert.Less(t, elapsed, 900*time.Millisecond, "the 1 s Retry-After was not slept for nothing")
		})
	}
}

// TestDeleteAfterAFailedDialIsNotAssumedDone: a DELETE answered 404 after an
// earlier attempt that may have deleted the resource (a 503, a cut
// connection) is the delete's own effect and reported done. An attempt
// whose connection was never made (connection refused) cannot have deleted
// anything: a 404 after it is the caller's, the resource was not there. It
// used to be reported done, so deleting a mistyped ID during a network blip
// returned nil. Each case is a real refused connection on loopback: the
// client's dialer tries a closed port for the attempts the case refuses.
func TestDeleteAfterAFailedDialIsNotAssumedDone(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		refused []int // the attempts (from 1) whose dial is refused
		first   int   // the status of the first attempt that connects
		wantErr error // nil: deleted
		served  int32 // requests the server saw
	}{
		{"refused, then 404", []int{1}, 404, lambda.ErrNotFound, 1},
		{"refused twice, then 404", []int{1, 2}, 404, lambda.ErrNotFound, 1},
		{"refused, then 204", []int{1}, 204, nil, 1},
		{"503, refused, then 404", []int{2}, 503, nil, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			mux, url := newTestServer(t)
			var served atomic.Int32
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				if served.Add(1) == 1 && tt.first != 404 {
					w.WriteHeader(tt.first)
					return
				}
				writeError(w, http.StatusNotFound, "not_found", "instance not found")
			})
			closed, err := net.Listen("tcp", "127.0.0.1:0")
			require.NoError(t, err)
			closedAddr := closed.Addr().String()
			closed.Close() // nothing listens there now: a dial is refused
			var dials atomic.Int32
			var d net.Dialer
			tr := &http.Transport{DisableKeepAlives: true, DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
				if slices.Contains(tt.refused, int(dials.Add(1))) {
					addr = closedAddr
				}
				return d.DialContext(ctx, network, addr)
			}}
			t.Cleanup(tr.CloseIdleConnections)
			client := newTestClient(t, url+"/v1", lambda.WithHTTPClient(&http.Client{Transport: tr}))
			err = client.Instances.Delete(context.Background(), "inst_1")
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.served, served.Load())
		})
	}
}

// TestResponseInfoCountsAttemptsThatGotNoAnswer: when the last attempt of
// a call got no answer, ResponseInfo still says how many attempts were
// made, and describes no response. It read 0 attempts even after three
// 503s, as if nothing had been sent.
func TestResponseInfoCountsAttemptsThatGotNoAnswer(t *testing.T) {
	t.Parallel()
	hangUp := func(w http.ResponseWriter) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	for _, tc := range []struct {
		name     string
		answered int // how many attempts get a 503 before the rest get no answer
	}{
		{"no answer at all", 0},
		{"503s, then no answer", 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, _ := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
				if int(n) <= tc.answered {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				hangUp(w)
			}, fastBackoff)
			info := lambda.ResponseInfo{StatusCode: -1}
			_, err := client.Instances.Get(testCtx(t), "inst_1", lambda.WithResponseInfo(&info))
			require.ErrorIs(t, err, lambda.ErrUnavailable)
			// net/http may resend a GET once itself on a reused connection
			// closed unanswered; that is within the attempt, not counted.
			assert.Equal(t, 4, info.Attempts, "the first attempt and three retries")
			assert.Zero(t, info.StatusCode, "no response to describe")
			assert.Empty(t, info.Header)
		})
	}
}
