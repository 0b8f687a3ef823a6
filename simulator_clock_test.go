package lambda_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// movingClock is a clock the test moves itself, for lambdatest.WithClock.
type movingClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *movingClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *movingClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// assertInstant checks that got is the instant want, whatever its location.
func assertInstant(t *testing.T, want, got time.Time, what string) {
	t.Helper()
	assert.True(t, want.Equal(got), "%s: got %v, want %v", what, got, want)
}

// TestSimulatorClockReadsBackThroughTheSDK pins the simulator's clock years
// away from today and reads every instant it shows back through the SDK.
func TestSimulatorClockReadsBackThroughTheSDK(t *testing.T) {
	t.Parallel()
	tests := []struct {
		now      time.Time
		period   [2]lambda.Date
		invoices []lambda.Date // newest first
	}{
		{time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC),
			[2]lambda.Date{{Year: 2031, Month: 5, Day: 1}, {Year: 2031, Month: 5, Day: 31}},
			[]lambda.Date{{Year: 2031, Month: 4, Day: 30}, {Year: 2031, Month: 3, Day: 31}, {Year: 2031, Month: 2, Day: 28}}},
		{time.Date(2019, time.January, 10, 23, 59, 59, 0, time.UTC),
			[2]lambda.Date{{Year: 2019, Month: 1, Day: 1}, {Year: 2019, Month: 1, Day: 31}},
			[]lambda.Date{{Year: 2018, Month: 12, Day: 31}, {Year: 2018, Month: 11, Day: 30}, {Year: 2018, Month: 10, Day: 31}}},
	}
	for _, tt := range tests {
		t.Run(tt.now.Format(time.RFC3339), func(t *testing.T) {
			t.Parallel()
			now := tt.now
			client, srv := newSim(t, lambdatest.WithClock(func() time.Time { return now }))
			ctx := testCtx(t)
			events := make(chan *lambda.Event, 4)
			receiver := httptest.NewServer(lambda.WebhookHandler(platformHookSecret, func(ctx context.Context, ev *lambda.Event) error {
				events <- ev
				return nil
			}, lambda.WithWebhookClock(srv.Now)))
			t.Cleanup(receiver.Close)
			t.Cleanup(srv.Close) // first: no delivery outlives the receiver
			_, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{URL: receiver.URL + "/hooks",
				Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret(platformHookSecret)})
			require.NoError(t, err)

			var info lambda.ResponseInfo
			inst, err := client.Instances.Create(ctx, createReq, lambda.WithResponseInfo(&info))
			require.NoError(t, err)
			assertInstant(t, now, inst.CreatedAt, "created_at")
			assertInstant(t, now, inst.UpdatedAt, "updated_at")
			date, err := http.ParseTime(info.Header.Get("Date"))
			require.NoError(t, err)
			assertInstant(t, now, date, "Date header")
			assertInstant(t, now, info.ServerTime, "metadata.timestamp")
			rl, ok := client.RateLimit()
			require.True(t, ok)
			assertInstant(t, now.Add(lambdatest.DefaultRateWindow), rl.Reset, "X-RateLimit-Reset")
			assertInstant(t, rl.Reset, info.RateLimit.Reset, "ResponseInfo.RateLimit.Reset")

			select {
			case ev := <-events:
				assertInstant(t, now, ev.Timestamp, "the webhook event's timestamp")
			case <-ctx.Done():
				t.Fatalf("no event delivered; deliveries: %+v", srv.Deliveries())
			}

			// The life cycle moves on real timers under the stopped clock.
			inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
			require.NoError(t, err)
			assertInstant(t, now, inst.UpdatedAt, "updated_at once running")

			m, err := client.Instances.Metrics(ctx, inst.ID, nil)
			require.NoError(t, err)
			assertInstant(t, now.Add(-time.Hour), m.Start, "the default metrics window's start")
			assertInstant(t, now, m.End, "the default metrics window's end")
			require.NotEmpty(t, m.Samples)
			for _, s := range m.Samples {
				assert.False(t, s.Timestamp.Before(m.Start) || s.Timestamp.After(m.End), "sample at %v", s.Timestamp)
			}
			for s, err := range client.Instances.StreamMetrics(ctx, inst.ID, nil) {
				require.NoError(t, err)
				assertInstant(t, now, s.Timestamp, "a streamed sample")
				break
			}

			u, err := client.Billing.Usage(ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.period, [2]lambda.Date{u.PeriodStart, u.PeriodEnd}, "the usage period")
			est, err := client.Billing.Estimate(ctx)
			require.NoError(t, err)
			assert.Equal(t, tt.period, [2]lambda.Date{est.PeriodStart, est.PeriodEnd}, "the estimate's period")
			var dates []lambda.Date
			for inv, err := range client.Billing.AllInvoices(ctx, nil) {
				require.NoError(t, err)
				dates = append(dates, inv.Date)
			}
			assert.Equal(t, tt.invoices, dates)

			acct, err := client.Account.Get(ctx)
			require.NoError(t, err)
			assert.True(t, acct.CreatedAt.Before(now), "the initial account was made before the clock's now: %v", acct.CreatedAt)
		})
	}
}

// TestSimulatorClockExpiresIdempotencyKeys: a key is remembered for 24 hours
// of the simulator's clock, which the test moves instead of waiting.
func TestSimulatorClockExpiresIdempotencyKeys(t *testing.T) {
	t.Parallel()
	clock := &movingClock{now: time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC)}
	client, _ := newSim(t, lambdatest.WithClock(clock.Now))
	ctx := testCtx(t)
	key := lambda.WithIdempotencyKey("clock-test-key")

	first, err := client.Instances.Create(ctx, createReq, key)
	require.NoError(t, err)
	clock.Advance(23 * time.Hour)
	var info lambda.ResponseInfo
	again, err := client.Instances.Create(ctx, createReq, key, lambda.WithResponseInfo(&info))
	require.NoError(t, err)
	assert.Equal(t, first.ID, again.ID, "within 24 hours the key replays the first answer")
	assert.Equal(t, "true", info.Header.Get("Idempotent-Replayed"))
	assertInstant(t, first.CreatedAt, info.ServerTime, "a replay repeats the first answer, its timestamp included")
	assertInstant(t, clock.Now(), mustParseDate(t, info.Header.Get("Date")), "a replay's Date is the clock's now")

	clock.Advance(time.Hour)
	later, err := client.Instances.Create(ctx, createReq, key)
	require.NoError(t, err)
	assert.NotEqual(t, first.ID, later.ID, "after 24 hours the key is forgotten and the create runs")
	assertInstant(t, clock.Now(), later.CreatedAt, "created_at")
}

func mustParseDate(t *testing.T, v string) time.Time {
	t.Helper()
	d, err := http.ParseTime(v)
	require.NoError(t, err)
	return d
}
