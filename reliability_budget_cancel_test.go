package lambda_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestBudgetCountsSurviveCancelsAtEveryPhase: 64 goroutines share a client
// and cancel their calls at random moments against a server that answers in
// every manner (at once, after a stall before the headers, with a body that
// stalls, 429 with and without a wait, 503, a window used up for a moment),
// so that calls end in every phase: waiting for the window, in flight,
// reading the body, sleeping before a retry. Afterwards no request may be
// left counted in flight: with the server saying one request is left after
// each answer, five calls in a row must each be sent. A request counted in
// flight for ever would take that one, and the client would refuse its own
// calls until the window's reset, an hour away.
func TestBudgetCountsSurviveCancelsAtEveryPhase(t *testing.T) {
	t.Parallel()
	var calm atomic.Bool // phase 2: every answer is a success saying 1 left
	var served atomic.Int32
	client, _ := scriptedAPI(t, "/instances/inst_1", func(n int32, w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		h := w.Header()
		h.Set("X-RateLimit-Limit", "1000")
		h.Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).Unix()))
		if calm.Load() {
			h.Set("X-RateLimit-Remaining", "1")
			writeData(w, http.StatusOK, instanceJSON)
			return
		}
		h.Set("X-RateLimit-Remaining", "500")
		switch n % 7 {
		case 0: // at once
			writeData(w, http.StatusOK, instanceJSON)
		case 1: // a stall before the headers, until the caller gives up
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case 2: // a body that stalls
			h.Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			io.WriteString(w, `{"success":true,"data":{"id":"inst_`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		case 3:
			h.Set("Retry-After", "0.02")
			writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "slow down")
		case 4:
			writeError(w, http.StatusTooManyRequests, "rate_limit_exceeded", "slow down")
		case 5:
			writeError(w, http.StatusServiceUnavailable, "service_unavailable", "later")
		case 6: // the window used up for a moment: callers wait for its reset
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Second).Unix()))
			writeData(w, http.StatusOK, instanceJSON)
		}
	}, lambda.WithMaxRetries(5), lambda.WithRetryBackoff(5*time.Millisecond, 20*time.Millisecond))

	var wg sync.WaitGroup
	for g := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				ctx, cancel := context.WithTimeout(context.Background(), time.Duration(rand.N(60))*time.Millisecond)
				_, err := client.Instances.Get(ctx, "inst_1")
				cancel()
				if err != nil {
					var lerr *lambda.Error
					if !assert.Truef(t, errors.As(err, &lerr) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, lambda.ErrUnavailable),
						"goroutine %d call %d: untyped error %v", g, i, err) {
						return
					}
				}
			}
		}()
	}
	wg.Wait()

	calm.Store(true)
	// The first calm call may wait out a window used up for a moment.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err := client.Instances.Get(ctx, "inst_1")
	require.NoError(t, err)
	for i := range 5 {
		before := served.Load()
		_, err := client.Instances.Get(ctx, "inst_1")
		require.NoError(t, err, "call %d after the storm: a request is still counted in flight", i+1)
		assert.Equal(t, before+1, served.Load(), "call %d sent once", i+1)
	}
}

// panicOnce is a caller's transport (WithHTTPClient) that panics on the
// request after arm is set, once, and otherwise sends on a real one.
type panicOnce struct {
	base http.RoundTripper
	arm  atomic.Bool
}

func (p *panicOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if p.arm.CompareAndSwap(true, false) {
		panic("caller's transport broke")
	}
	return p.base.RoundTrip(req)
}

// TestBudgetCountsSurviveAPanickingTransport: a panic in the caller's own
// transport reaches the caller unchanged, and the request it was sending
// is no longer counted in flight. It stayed counted for ever, taken off
// every figure after: once the API said one request was left, every later
// call was refused unsent until the window's reset, an hour away. (The
// request itself stays spent until the next figure, as one whose answer
// was lost: it may have reached the API.)
func TestBudgetCountsSurviveAPanickingTransport(t *testing.T) {
	t.Parallel()
	mux, url := newTestServer(t)
	var served atomic.Int32
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		left := "1"
		if served.Add(1) == 1 {
			left = "2" // one for the call that panics (it may have been counted), one for the next
		}
		w.Header().Set("X-RateLimit-Limit", "1000")
		w.Header().Set("X-RateLimit-Remaining", left)
		w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).Unix()))
		writeData(w, http.StatusOK, instanceJSON)
	})
	base := &http.Transport{}
	t.Cleanup(base.CloseIdleConnections)
	tr := &panicOnce{base: base}
	client := newTestClient(t, url+"/v1", lambda.WithHTTPClient(&http.Client{Transport: tr}))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	tr.arm.Store(true)
	v := func() (v any) {
		defer func() { v = recover() }()
		_, _ = client.Instances.Get(context.Background(), "inst_1")
		return nil
	}()
	assert.Equal(t, "caller's transport broke", v, "the panic reaches the caller unchanged")
	for i := range 3 {
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err, "call %d after the panic", i+1)
	}
	assert.EqualValues(t, 4, served.Load())
}
