package lambda_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

// serveDelivery sends one signed delivery of body straight to h and returns the status.
func serveDelivery(h http.Handler, body []byte) int {
	req := httptest.NewRequest(http.MethodPost, "/hooks", bytes.NewReader(body))
	req.Header.Set(lambda.SignatureHeader, hmacSign(body, testSecret))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Code
}

// The platform delivers again after a 500, however late: an event this
// receiver failed is processed when it comes back, and once processed, a
// further delivery of it is acknowledged without processing it again.
func TestWebhookHandlerProcessesRedeliveryOfAFailedEvent(t *testing.T) {
	t.Parallel()
	for _, delay := range []time.Duration{time.Second, 6 * time.Minute, time.Hour, 71 * time.Hour} {
		t.Run(delay.String(), func(t *testing.T) {
			t.Parallel()
			clock := &movingClock{now: testNow} // redeliveries come minutes or hours later
			var calls atomic.Int32
			h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
				if calls.Add(1) == 1 {
					return errors.New("database is down")
				}
				return nil
			}, lambda.WithWebhookClock(clock.Now))

			require.Equal(t, http.StatusInternalServerError, serveDelivery(h, validBody), "the first attempt fails")
			clock.Advance(delay)
			require.Equal(t, http.StatusNoContent, serveDelivery(h, validBody), "the redelivery must be processed")
			require.Equal(t, int32(2), calls.Load())

			clock.Advance(time.Minute)
			assert.Equal(t, http.StatusOK, serveDelivery(h, validBody), "a replay of a processed event is acknowledged")
			assert.Equal(t, int32(2), calls.Load(), "a processed event must not be processed twice")
		})
	}
}

func TestWebhookHandlerNeverProcessesAnEventTwice(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
		calls.Add(1)
		return nil
	}, lambda.WithWebhookClock(fixedClock))
	require.Equal(t, http.StatusNoContent, serveDelivery(h, validBody))
	for range 3 {
		assert.Equal(t, http.StatusOK, serveDelivery(h, validBody))
	}
	other := eventBody("evt_other", "instance.stopped", testNow.Format(time.RFC3339), `{}`)
	assert.Equal(t, http.StatusNoContent, serveDelivery(h, other), "another event is processed")
	assert.Equal(t, int32(2), calls.Load())
}

// Two deliveries of one event at the same time: one is processed, the other
// is told to come back (409), and comes back to find it done.
func TestWebhookHandlerConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
		calls.Add(1)
		close(entered)
		<-release
		return nil
	}, lambda.WithWebhookClock(fixedClock))

	first := make(chan int, 1)
	go func() { first <- serveDelivery(h, validBody) }()
	<-entered
	assert.Equal(t, http.StatusConflict, serveDelivery(h, validBody), "a delivery of an event being processed")
	close(release)
	assert.Equal(t, http.StatusNoContent, <-first)
	assert.Equal(t, http.StatusOK, serveDelivery(h, validBody))
	assert.Equal(t, int32(1), calls.Load())
}

func TestWebhookHandlerRecoversPanics(t *testing.T) {
	t.Parallel()
	var logBuf syncBuffer
	var calls atomic.Int32
	h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
		if calls.Add(1) == 1 {
			panic("nil map in the user's code")
		}
		return nil
	}, lambda.WithWebhookClock(fixedClock), lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&logBuf, nil))))

	var status int
	require.NotPanics(t, func() { status = serveDelivery(h, validBody) }, "ServeHTTP called directly must not let the panic out")
	assert.Equal(t, http.StatusInternalServerError, status)
	logged := logBuf.String()
	assert.Contains(t, logged, "panicked")
	assert.Contains(t, logged, "evt_abc123", "the log names the event")
	assert.Contains(t, logged, "nil map in the user's code")
	assert.Contains(t, logged, "webhook_delivery_test.go", "the log carries the stack")

	assert.Equal(t, http.StatusNoContent, serveDelivery(h, validBody), "the redelivery after a panic is processed")
	assert.Equal(t, int32(2), calls.Load())
}

// Over real HTTP, the sender gets a 500 for a panic, not a dropped connection.
func TestWebhookHandlerPanicAnswers500OverHTTP(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
		panic(fmt.Errorf("boom"))
	}, lambda.WithWebhookClock(fixedClock), lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&syncBuffer{}, nil)))))
	defer srv.Close()
	req, err := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(validBody))
	require.NoError(t, err)
	req.Header.Set(lambda.SignatureHeader, hmacSign(validBody, testSecret))
	resp, err := srv.Client().Do(req)
	require.NoError(t, err, "the connection must not just drop")
	resp.Body.Close()
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
}

// http.ErrAbortHandler is the caller's own request to abort the answer: it
// is passed on to net/http after the claim is released.
func TestWebhookHandlerPassesOnErrAbortHandler(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
		if calls.Add(1) == 1 {
			panic(http.ErrAbortHandler)
		}
		return nil
	}, lambda.WithWebhookClock(fixedClock), lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&syncBuffer{}, nil))))
	assert.PanicsWithValue(t, http.ErrAbortHandler, func() { serveDelivery(h, validBody) })
	assert.Equal(t, http.StatusNoContent, serveDelivery(h, validBody), "the claim was released")
}

// failingStore is a WebhookEventStore that cannot be reached.
type failingStore struct{}

func (failingStore) Begin(context.Context, string) error { return errors.New("store unreachable") }
func (failingStore) Finish(context.Context, string, bool) error {
	return errors.New("store unreachable")
}

func TestWebhookHandlerStoreFailure(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error {
		calls.Add(1)
		return nil
	}, lambda.WithWebhookClock(fixedClock), lambda.WithWebhookEventStore(failingStore{}),
		lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&syncBuffer{}, nil))))
	assert.Equal(t, http.StatusInternalServerError, serveDelivery(h, validBody), "unknown whether processed: redeliver later")
	assert.Zero(t, calls.Load())
}

// Once the signature is verified, a refusal's log line names the event.
func TestWebhookHandlerRefusalLogNamesTheEvent(t *testing.T) {
	t.Parallel()
	var logBuf syncBuffer
	h := lambda.WebhookHandler(testSecret, func(context.Context, *lambda.Event) error { return nil },
		lambda.WithWebhookClock(fixedClock), lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(&logBuf, nil))))
	future := stampedBody(testNow.Add(time.Hour))
	require.Equal(t, http.StatusBadRequest, serveDelivery(h, future))
	assert.Contains(t, logBuf.String(), "event_id=evt_abc123")
	assert.Contains(t, logBuf.String(), "1h0m0s in the future")
}

func TestWebhookAgeMessages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		ts   time.Time
		want string
	}{
		{"just past the tolerance", testNow.Add(-5*time.Minute - 300*time.Millisecond), "is 5m0.3s old, more than 5m0s"},
		{"just ahead of it", testNow.Add(5*time.Minute + 20*time.Millisecond), "is 5m0.02s in the future, more than 5m0s"},
		{"centuries ahead", time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), "is more than 292 years in the future"},
		{"centuries old", time.Date(1, 1, 2, 0, 0, 0, 0, time.UTC), "is more than 292 years old"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := stampedBody(tc.ts)
			_, err := lambda.ConstructEvent(body, hmacSign(body, testSecret), testSecret, lambda.WithWebhookClock(fixedClock))
			require.ErrorIs(t, err, lambda.ErrWebhookTooOld)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), "-2562047h", "no saturated duration")
		})
	}
}

// A handler that can never work says so through slog.Default() when it was
// given no logger. Not parallel: it swaps the process's default logger.
func TestWebhookHandlerMisconfiguredLogsToDefault(t *testing.T) {
	var logBuf syncBuffer
	old := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logBuf, nil)))
	defer slog.SetDefault(old)

	h := lambda.WebhookHandler("", func(context.Context, *lambda.Event) error { return nil })
	assert.Contains(t, logBuf.String(), "misconfigured", "logged when made")
	assert.Contains(t, logBuf.String(), "no webhook secret")
	before := strings.Count(logBuf.String(), "\n")
	assert.Equal(t, http.StatusInternalServerError, serveDelivery(h, validBody))
	assert.Greater(t, strings.Count(logBuf.String(), "\n"), before, "logged on each delivery too")
}

func TestWebhookMemoryStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, err := lambda.NewWebhookMemoryStore(0)
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)

	s, err := lambda.NewWebhookMemoryStore(2)
	require.NoError(t, err)
	require.NoError(t, s.Begin(ctx, "a"))
	assert.ErrorIs(t, s.Begin(ctx, "a"), lambda.ErrWebhookInProgress)
	require.NoError(t, s.Finish(ctx, "a", false))
	require.NoError(t, s.Begin(ctx, "a"), "a failed event can be claimed again")
	require.NoError(t, s.Finish(ctx, "a", true))
	assert.ErrorIs(t, s.Begin(ctx, "a"), lambda.ErrWebhookDuplicate)

	for _, id := range []string{"b", "c"} {
		require.NoError(t, s.Begin(ctx, id))
		require.NoError(t, s.Finish(ctx, id, true))
	}
	require.NoError(t, s.Begin(ctx, "a"), "the oldest of more than 2 processed events is forgotten")
	assert.ErrorIs(t, s.Begin(ctx, "b"), lambda.ErrWebhookDuplicate)
	assert.ErrorIs(t, s.Begin(ctx, "c"), lambda.ErrWebhookDuplicate)
}

func TestWebhookEventStoreOptionRefusesNil(t *testing.T) {
	t.Parallel()
	_, err := lambda.ConstructEvent(validBody, hmacSign(validBody, testSecret), testSecret, lambda.WithWebhookEventStore(nil))
	require.Error(t, err)
	_, err = lambda.ConstructEvent(validBody, hmacSign(validBody, testSecret), testSecret, lambda.WithWebhookRedeliveryWindow(0))
	require.Error(t, err)
}
