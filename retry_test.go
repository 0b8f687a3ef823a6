package lambda_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

var createReq = &lambda.CreateInstanceRequest{Name: "web", InstanceType: lambda.InstanceTypeCompute4x,
	Region: "us-west-1", Image: "ubuntu-22.04", SSHKeys: []string{"key_abc123"}}

func TestPOSTRetriedWithOneIdempotencyKeyAndIdenticalBodies(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var rec recorder
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		if len(rec.all()) <= 2 {
			writeError(w, 503, "service_unavailable", "try later")
			return
		}
		writeData(w, 201, instanceJSON)
	})
	inst, err := client.Instances.Create(context.Background(), createReq)
	require.NoError(t, err)
	assert.Equal(t, "inst_abc123", inst.ID)

	reqs := rec.all()
	require.Len(t, reqs, 3)
	key := reqs[0].Header.Get("Idempotency-Key")
	assert.Regexp(t, regexp.MustCompile(`^[0-9a-f]{32}$`), key)
	for _, r := range reqs {
		assert.Equal(t, "POST", r.Method)
		assert.Equal(t, key, r.Header.Get("Idempotency-Key"))
		assert.Equal(t, reqs[0].Body, r.Body)
	}
	assert.JSONEq(t, `{"name":"web","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04","ssh_keys":["key_abc123"]}`, reqs[0].Body)
}

func TestIdempotencyKeys(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var rec recorder
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeData(w, 201, instanceJSON)
	})
	ctx := context.Background()
	_, err := client.Instances.Create(ctx, createReq)
	require.NoError(t, err)
	_, err = client.Instances.Create(ctx, createReq)
	require.NoError(t, err)
	_, err = client.Instances.Create(ctx, createReq, lambda.WithIdempotencyKey("my-key-1"))
	require.NoError(t, err)
	_, err = client.Instances.Create(ctx, createReq, lambda.WithIdempotencyKey(""))
	require.ErrorContains(t, err, "WithIdempotencyKey")

	reqs := rec.all()
	require.Len(t, reqs, 3, "a refused option sends nothing")
	assert.NotEqual(t, reqs[0].Header.Get("Idempotency-Key"), reqs[1].Header.Get("Idempotency-Key"), "each call has its own key")
	assert.Equal(t, "my-key-1", reqs[2].Header.Get("Idempotency-Key"))
}

func TestGETHasNoIdempotencyKey(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var rec recorder
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1", lambda.WithHeader("X-Trace", "t-1"))
	require.NoError(t, err)
	r := rec.all()[0]
	assert.Empty(t, r.Header.Get("Idempotency-Key"))
	assert.Equal(t, "t-1", r.Header.Get("X-Trace"))
	assert.Equal(t, "application/json", r.Header.Get("Accept"))
}

func TestPATCHIsSentOnce(t *testing.T) {
	t.Parallel()
	for _, status := range []int{500, 502, 503, 504} {
		client, mux, _ := setup(t)
		var n atomic.Int32
		mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
			n.Add(1)
			writeError(w, status, "server_error", "boom")
		})
		_, err := client.Instances.Update(context.Background(), "inst_1", &lambda.UpdateInstanceRequest{Name: lambda.Ptr("x")})
		require.Error(t, err)
		assert.EqualValues(t, 1, n.Load(), "PATCH after %d", status)
	}
}

// TestPATCHRetriedAfter429: a 429 says the request was not processed, so a
// PATCH is as safe to send again as any other call (the API overview's
// backoff recipe retries every 429).
func TestPATCHRetriedAfter429(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= 2 {
			w.Header().Set("Retry-After", "0")
			writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "slow down")
			return
		}
		writeData(w, http.StatusOK, instanceJSON)
	})
	var info lambda.ResponseInfo
	inst, err := client.Instances.Update(context.Background(), "inst_1", &lambda.UpdateInstanceRequest{Name: lambda.Ptr("x")},
		lambda.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, "inst_abc123", inst.ID)
	assert.EqualValues(t, 3, n.Load(), "PATCHes sent")
	assert.Equal(t, 3, info.Attempts)
}

func TestRetriesStopAtMaxRetries(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithMaxRetries(2))
	var n atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		writeError(w, 503, "service_unavailable", "down")
	})
	var info lambda.ResponseInfo
	_, err := client.Instances.Get(context.Background(), "inst_1", lambda.WithResponseInfo(&info))
	require.ErrorIs(t, err, lambda.ErrUnavailable)
	assert.EqualValues(t, 3, n.Load())
	assert.Equal(t, 3, info.Attempts)
	assert.Equal(t, 503, info.StatusCode)
}

func TestRetryAfterOneSecondIsWaited(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var times []time.Time
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		times = append(times, time.Now())
		if len(times) == 1 {
			w.Header().Set("Retry-After", "1")
			writeError(w, 429, "rate_limit_exceeded", "slow down")
			return
		}
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	require.Len(t, times, 2)
	assert.GreaterOrEqual(t, times[1].Sub(times[0]), time.Second)
}

func TestRateLimitWaitSources(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header map[string]string
		body   string
		want   time.Duration
	}{
		{"Retry-After seconds", map[string]string{"Retry-After": "3600"}, ``, time.Hour},
		{"Retry-After HTTP date", map[string]string{"Retry-After": "%DATE%"}, ``, 2 * time.Hour},
		{"error.retry_after", nil, `,"retry_after":3600`, time.Hour},
		{"garbage Retry-After falls back to the body", map[string]string{"Retry-After": "whenever"}, `,"retry_after":7200`, 2 * time.Hour},
		{"X-RateLimit-Reset", map[string]string{"X-RateLimit-Reset": "%RESET%"}, ``, time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var n atomic.Int32
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				for k, v := range tt.header {
					v = strings.ReplaceAll(v, "%DATE%", time.Now().Add(2*time.Hour).UTC().Format(http.TimeFormat))
					w.Header().Set(k, strings.ReplaceAll(v, "%RESET%", strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)))
				}
				w.WriteHeader(429)
				io.WriteString(w, `{"success":false,"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded"`+tt.body+`}}`)
			})
			start := time.Now()
			_, err := client.Instances.Get(context.Background(), "inst_1")
			assert.Less(t, time.Since(start), 2*time.Second, "a wait past WithMaxRetryWait is not slept")
			require.ErrorIs(t, err, lambda.ErrRateLimited)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.InDelta(t, tt.want.Seconds(), lerr.RetryAfter.Seconds(), 5, "HTTP dates have 1 s resolution")
			assert.EqualValues(t, 1, n.Load())
		})
	}
}

func TestRateLimitWaitPastDeadlineReturnsAtOnce(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "5")
		writeError(w, 429, "rate_limit_exceeded", "slow down")
	})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	start := time.Now()
	_, err := client.Instances.Get(ctx, "inst_1")
	assert.Less(t, time.Since(start), time.Second)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, 5*time.Second, lerr.RetryAfter)
}

func TestCancelDuringRetrySleepReturnsQuickly(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithRetryBackoff(time.Minute, time.Minute))
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, 503, "service_unavailable", "down")
	})
	ctx, cancelledAt := cancelLater(t, 100*time.Millisecond)
	_, err := client.Instances.Get(ctx, "inst_1")
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(cancelledAt()), time.Second, "a cancel must end the minute-long retry sleep at once")
}

func TestRedirectToAnotherHostCarriesNoCredentials(t *testing.T) {
	t.Parallel()
	for _, opts := range [][]lambda.Option{nil, {lambda.WithAPIKeyHeader()}} {
		var leaked atomic.Value
		leaked.Store("unset")
		other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			leaked.Store(r.Header.Get("Authorization") + r.Header.Get("X-API-Key"))
			writeData(w, 200, instanceJSON)
		}))
		t.Cleanup(other.Close)
		client, mux, _ := setup(t, opts...)
		mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
			// 127.0.0.1 and localhost are different hosts to net/http.
			http.Redirect(w, r, strings.Replace(other.URL, "127.0.0.1", "localhost", 1)+"/v1/instances/inst_1", http.StatusTemporaryRedirect)
		})
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.ErrorIs(t, err, lambda.ErrRedirectRefused, "a redirect to another host is not followed")
		assert.Equal(t, "unset", leaked.Load(), "the other host was reached")
	}
}

func TestRedirectLoopIsAnErrorNotRetried(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var n atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		http.Redirect(w, r, "/v1/instances/inst_1", http.StatusFound)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrTooManyRedirects)
	assert.EqualValues(t, 10, n.Load(), "net/http sends 10 requests before giving up")
}

func TestConnectionRefusedIsRetriedThenReported(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	client := newTestClient(t, "http://"+addr+"/v1")
	var info lambda.ResponseInfo
	_, err = client.Instances.Get(context.Background(), "inst_1", lambda.WithResponseInfo(&info))
	require.Error(t, err)
	var lerr *lambda.Error
	assert.False(t, errors.As(err, &lerr), "a transport failure is not an API error")
	assert.NotContains(t, err.Error(), "1234567890abcdef")
}

func TestRateLimitFiguresAreKept(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "10000")
		w.Header().Set("X-RateLimit-Remaining", "9543")
		w.Header().Set("X-RateLimit-Reset", "1706097600")
		writeData(w, 200, instanceJSON)
	})
	_, ok := client.RateLimit()
	assert.False(t, ok)
	var info lambda.ResponseInfo
	_, err := client.Instances.Get(context.Background(), "inst_1", lambda.WithResponseInfo(&info))
	require.NoError(t, err)
	rl, ok := client.RateLimit()
	require.True(t, ok)
	want := lambda.RateLimit{Limit: 10000, Remaining: 9543, Reset: time.Unix(1706097600, 0)}
	assert.Equal(t, want, rl)
	assert.Equal(t, want, info.RateLimit)
	assert.Equal(t, "req_test", info.RequestID)
	assert.Equal(t, 200, info.StatusCode)
	assert.Equal(t, 1, info.Attempts)
}
