package lambda_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// The one rule of every option (doc.go, "Options"): a bad value is an
// error matching ErrInvalidRequest, returned before anything is sent;
// never silently kept as the default nor corrected.

func TestBadWaitOptionsAreRefusedBeforeTheFirstPoll(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]lambda.WaitOption{
		"zero min":          lambda.WithWaitDelay(0, time.Second),
		"negative min":      lambda.WithWaitDelay(-time.Second, time.Second),
		"max below min":     lambda.WithWaitDelay(2*time.Second, time.Second),
		"zero max":          lambda.WithWaitDelay(time.Second, 0),
		"negative max":      lambda.WithWaitDelay(time.Second, -time.Second),
		"both not positive": lambda.WithWaitDelay(0, 0),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var polls atomic.Int32
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				polls.Add(1)
				writeData(w, http.StatusOK, `{"id":"inst_1","status":"running"}`)
			})
			_, err := client.Instances.WaitUntilReady(testCtx(t), "inst_1", opt)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest)
			_, err = lambda.WaitFor(testCtx(t), func(context.Context) (*lambda.Instance, error) {
				polls.Add(1)
				return &lambda.Instance{}, nil
			}, lambda.WaitCondition[lambda.Instance]{Done: func(*lambda.Instance) bool { return true }}, opt)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest)
			assert.Zero(t, polls.Load(), "a wait with a bad option polled")
		})
	}
}

func TestGoodWaitDelayIsKept(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		writeData(w, http.StatusOK, `{"id":"inst_1","status":"running"}`)
	})
	_, err := client.Instances.WaitUntilReady(testCtx(t), "inst_1", lambda.WithWaitDelay(time.Millisecond, time.Millisecond))
	require.NoError(t, err)
}

func TestBadStreamMetricsOptionsAreRefusedBeforeConnecting(t *testing.T) {
	t.Parallel()
	for name, opts := range map[string]*lambda.StreamMetricsOptions{
		"negative idle timeout": {IdleTimeout: -time.Second},
		"negative min backoff":  {MinBackoff: -time.Second},
		"negative max backoff":  {MaxBackoff: -time.Second},
		"max backoff below min": {MinBackoff: 2 * time.Second, MaxBackoff: time.Second},
		"negative read limit":   {ReadLimit: -1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			var dials atomic.Int32
			mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { dials.Add(1) })
			n := 0
			for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", opts) {
				n++
				require.ErrorIs(t, err, lambda.ErrInvalidRequest)
			}
			assert.Equal(t, 1, n, "one error, then the end")
			assert.Zero(t, dials.Load(), "a stream with bad options connected")
		})
	}
}

func TestBadWebhookOptionsAreRefused(t *testing.T) {
	t.Parallel()
	for name, opt := range map[string]lambda.WebhookOption{
		"zero tolerance":      lambda.WithWebhookTolerance(0),
		"negative window":     lambda.WithWebhookRedeliveryWindow(-time.Second),
		"nil store":           lambda.WithWebhookEventStore(nil),
		"nil clock":           lambda.WithWebhookClock(nil),
		"negative body limit": lambda.WithWebhookMaxBodyBytes(-1),
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := lambda.ConstructEvent([]byte(`{}`), "t=1,v1=00", "whsec_test", opt)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest)
		})
	}
}
