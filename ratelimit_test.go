package lambda_test

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go"
)

// exhaustedAPI answers with Remaining: 0 until a reset resetIn after the
// first request, as a server whose window is used up does.
func exhaustedAPI(t *testing.T, resetIn time.Duration, opts ...lambda.Option) (*lambda.Client, *atomic.Int32) {
	t.Helper()
	var reset atomic.Int64
	return scriptedAPI(t, "/instances/inst_1", func(_ int32, w http.ResponseWriter, _ *http.Request) {
		reset.CompareAndSwap(0, time.Now().Add(resetIn).Unix())
		w.Header().Set("X-RateLimit-Limit", "50")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(reset.Load(), 10))
		writeData(w, 200, instanceJSON)
	}, opts...)
}

func TestNoRequestsLeftWaitsForTheReset(t *testing.T) {
	t.Parallel()
	client, served := exhaustedAPI(t, 2*time.Second)
	ctx := context.Background()
	_, err := client.Instances.Get(ctx, "inst_1")
	require.NoError(t, err)
	rl, _ := client.RateLimit()
	start := time.Now()
	_, err = client.Instances.Get(ctx, "inst_1")
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Until(rl.Reset)-50*time.Millisecond, "sent before the reset")
	assert.EqualValues(t, 2, served.Load())
}

func TestNoRequestsLeftFailsFastPastTheLongestWait(t *testing.T) {
	t.Parallel()
	client, served := exhaustedAPI(t, time.Hour)
	ctx := context.Background()
	_, err := client.Instances.Get(ctx, "inst_1")
	require.NoError(t, err)
	start := time.Now()
	_, err = client.Instances.Get(ctx, "inst_1")
	assert.Less(t, time.Since(start), time.Second)
	require.ErrorIs(t, err, lambda.ErrRateLimited)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.InDelta(t, time.Hour.Seconds(), lerr.RetryAfter.Seconds(), 5)
	assert.EqualValues(t, 1, served.Load(), "a request that can only get a 429 is not sent")
}

// TestRefusedRequestsCloseTheirBody: a request the client holds back and
// refuses (the budget spent, the limiter with nothing to give) is not sent,
// and its body is closed all the same, as net/http's contract for a
// RoundTripper asks: the http.Client under a middleware counts on it.
func TestRefusedRequestsCloseTheirBody(t *testing.T) {
	t.Parallel()
	tests := map[string]func(*testing.T, lambda.Middleware) (*lambda.Client, *atomic.Int32){
		"the budget spent": func(t *testing.T, mw lambda.Middleware) (*lambda.Client, *atomic.Int32) {
			return exhaustedAPI(t, time.Hour, lambda.WithMiddleware(mw))
		},
		"a limiter that allows nothing": func(t *testing.T, mw lambda.Middleware) (*lambda.Client, *atomic.Int32) {
			return scriptedAPI(t, "/instances/inst_1", func(_ int32, w http.ResponseWriter, _ *http.Request) {
				writeData(w, 200, instanceJSON)
			}, lambda.WithMiddleware(mw), lambda.WithRateLimiter(rate.NewLimiter(rate.Every(time.Hour), 1)))
		},
	}
	for name, api := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var body *closeCounter
			client, served := api(t, func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
				body = &closeCounter{Reader: strings.NewReader("{}")}
				req.Body, req.ContentLength = body, 2
				return next(req)
			})
			_, err := client.Instances.Get(context.Background(), "inst_1")
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second) // far shorter than the hour to wait
			defer cancel()
			_, err = client.Instances.Get(ctx, "inst_1")
			require.ErrorIs(t, err, lambda.ErrRateLimited)
			assert.EqualValues(t, 1, served.Load(), "refused, not sent")
			assert.Positive(t, body.closed.Load(), "the refused request's body was not closed")
		})
	}
}

// closeCounter is a request body that counts its closes.
type closeCounter struct {
	io.Reader
	closed atomic.Int32
}

func (c *closeCounter) Close() error { c.closed.Add(1); return nil }

func TestNoRequestsLeftFailsFastPastTheDeadline(t *testing.T) {
	t.Parallel()
	client, served := exhaustedAPI(t, 3*time.Second)
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	_, err = client.Instances.Get(ctx, "inst_1")
	require.ErrorIs(t, err, lambda.ErrRateLimited)
	assert.EqualValues(t, 1, served.Load())
}

func TestClientSideRateLimiter(t *testing.T) {
	t.Parallel()
	limiter := rate.NewLimiter(rate.Every(100*time.Millisecond), 1)
	client, mux, _ := setup(t, lambda.WithRateLimiter(limiter))
	var served atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		writeData(w, 200, instanceJSON)
	})
	start := time.Now()
	for range 3 {
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err)
	}
	assert.GreaterOrEqual(t, time.Since(start), 190*time.Millisecond)

	// A wait that cannot fit in the deadline fails at once, unsent, unretried.
	slow := rate.NewLimiter(rate.Every(time.Hour), 1)
	client2, mux2, _ := setup(t, lambda.WithRateLimiter(slow))
	mux2.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		writeData(w, 200, instanceJSON)
	})
	_, err := client2.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	before := served.Load()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	start = time.Now()
	_, err = client2.Instances.Get(ctx, "inst_1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "rate limiter")
	assert.Less(t, time.Since(start), time.Second)
	assert.Equal(t, before, served.Load())

	_, err = lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithRateLimiter(nil))
	require.Error(t, err)
}
