package lambdatest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// manualClock is a clock the test moves itself.
type manualClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *manualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *manualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// pinned is a clock that always reads t.
func pinned(t time.Time) lambdatest.Option {
	return lambdatest.WithClock(func() time.Time { return t })
}

func TestWithClockStampsEveryInstant(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		now          time.Time
		period       [2]string // the billing period
		invoices     []string  // newest first
		seedCreated  string
		rateLimitEnd int64 // X-RateLimit-Reset of the first request
	}{
		{"2031, years ahead", time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC),
			[2]string{"2031-05-01", "2031-05-31"}, []string{"2031-04-30", "2031-03-31", "2031-02-28"},
			"2024-03-14T09:26:53Z", time.Date(2031, time.May, 17, 9, 30, 0, 0, time.UTC).Unix()},
		{"2019, years behind, the initial data's date with it", time.Date(2019, time.January, 10, 23, 59, 59, 500_000_000, time.UTC),
			[2]string{"2019-01-01", "2019-01-31"}, []string{"2018-12-31", "2018-11-30", "2018-10-31"},
			"2018-03-14T09:26:53Z", time.Date(2019, time.January, 11, 1, 0, 0, 0, time.UTC).Unix()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newServer(t, pinned(tt.now))
			stamp := tt.now.Format(time.RFC3339Nano)
			assert.Equal(t, tt.now, srv.Now())

			r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody)
			d := r.data(t)
			assert.Equal(t, stamp, d["created_at"])
			assert.Equal(t, stamp, d["updated_at"])
			assert.Equal(t, stamp, r.json["metadata"].(map[string]any)["timestamp"])
			assert.Equal(t, tt.now.Format(http.TimeFormat), r.header.Get("Date"))
			assert.Equal(t, strconv.FormatInt(tt.rateLimitEnd, 10), r.header.Get("X-RateLimit-Reset"),
				"the hour's window ends an hour after the clock (rounded up to a second)")

			// The life cycle moves on real timers although the clock stands still.
			running := waitStatus(t, srv, "/v1/instances/"+d["id"].(string), "running")
			assert.Equal(t, stamp, running["updated_at"])

			m := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+d["id"].(string)+"/metrics", "").data(t)
			assert.Equal(t, tt.now.Add(-time.Hour).Format(time.RFC3339Nano), m["start"], "the default window is the hour before the clock")
			assert.Equal(t, stamp, m["end"])
			samples := m["samples"].([]any)
			require.NotEmpty(t, samples)
			for _, s := range samples {
				at, err := time.Parse(time.RFC3339, s.(map[string]any)["timestamp"].(string))
				require.NoError(t, err)
				assert.False(t, at.Before(tt.now.Add(-time.Hour)) || at.After(tt.now), "sample at %v", at)
			}

			u := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/usage", "").data(t)
			assert.Equal(t, tt.period[0], u["period_start"])
			assert.Equal(t, tt.period[1], u["period_end"])
			e := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/estimate", "").data(t)
			assert.Equal(t, tt.period[0], e["period_start"])
			assert.Equal(t, tt.period[1], e["period_end"])
			var dates []string
			for _, inv := range mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/invoices", "").items(t) {
				dates = append(dates, inv.(map[string]any)["date"].(string))
			}
			assert.Equal(t, tt.invoices, dates)

			acct := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "").data(t)
			assert.Equal(t, tt.seedCreated, acct["created_at"], "nothing was made after the clock's now")

			for _, req := range srv.Requests() {
				assert.Equal(t, tt.now, req.Time, "%s %s", req.Method, req.Path)
			}
		})
	}
}

func TestWithClockStampsWebhookEvents(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC)
	bodies := make(chan []byte, 4)
	receiver := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- b
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(receiver.Close)
	srv := newServer(t, pinned(now))
	t.Cleanup(srv.Close) // first: no delivery outlives the receiver

	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
		`{"url":"`+receiver.URL+`/hooks","events":["instance.created"],"secret":"whsec_clock"}`)
	createInstance(t, srv)
	select {
	case b := <-bodies:
		var ev struct {
			Timestamp string `json:"timestamp"`
		}
		require.NoError(t, json.Unmarshal(b, &ev))
		assert.Equal(t, now.Format(time.RFC3339Nano), ev.Timestamp)
	case <-time.After(10 * time.Second):
		t.Fatalf("no event delivered; deliveries: %+v", srv.Deliveries())
	}
	require.Eventually(t, func() bool { return len(srv.Deliveries()) > 0 }, 10*time.Second, 5*time.Millisecond)
	assert.Equal(t, now, srv.Deliveries()[0].Time)
}

func TestWithClockMovesRateLimitWindows(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC)}
	srv := newServer(t, lambdatest.WithClock(clock.Now), lambdatest.WithRateLimit(2, time.Minute))
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	clock.Advance(59 * time.Second)
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	r := mustCall(t, srv, http.StatusTooManyRequests, http.MethodGet, "/v1/account", "")
	assert.Equal(t, "1", r.header.Get("Retry-After"), "one second of the clock is left in the window")
	assert.Equal(t, strconv.FormatInt(clock.Now().Add(time.Second).Unix(), 10), r.header.Get("X-RateLimit-Reset"))
	assert.Equal(t, clock.Now().Format(http.TimeFormat), r.header.Get("Date"), "a 429 is dated by the clock too")
	r = mustCall(t, srv, http.StatusUnauthorized, http.MethodGet, "/v1/account", "", "Authorization", "Bearer wrong")
	assert.Equal(t, clock.Now().Format(http.TimeFormat), r.header.Get("Date"), "so is a 401")

	clock.Advance(time.Second)
	r = mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	assert.Equal(t, "1", r.header.Get("X-RateLimit-Remaining"), "a new window, started by the clock")
	assert.Equal(t, strconv.FormatInt(clock.Now().Add(time.Minute).Unix(), 10), r.header.Get("X-RateLimit-Reset"))
}

func TestWithClockExpiresIdempotencyKeys(t *testing.T) {
	t.Parallel()
	clock := &manualClock{now: time.Date(2019, time.January, 10, 12, 0, 0, 0, time.UTC)}
	srv := newServer(t, lambdatest.WithClock(clock.Now))
	post := func() resp {
		return mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody, "Idempotency-Key", "clock-key")
	}
	first := post()
	clock.Advance(24*time.Hour - time.Second)
	replay := post()
	assert.Equal(t, "true", replay.header.Get("Idempotent-Replayed"), "the key is remembered for 24 hours of the clock")
	assert.Equal(t, first.raw, replay.raw)

	clock.Advance(time.Second)
	again := post()
	assert.Empty(t, again.header.Get("Idempotent-Replayed"), "past 24 hours the key runs anew")
	assert.NotEqual(t, first.data(t)["id"], again.data(t)["id"])
	assert.Equal(t, clock.Now().Format(time.RFC3339Nano), again.data(t)["created_at"])
}

func TestWithClockRefusesNil(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, "lambdatest: WithClock(nil): give a clock, such as func() time.Time { return fixed }",
		func() { lambdatest.WithClock(nil) })
}

// A server's own clock moves with SetClock and AdvanceClock, and goes on
// ticking; one given with WithClock is the caller's to move.
func TestSetAndAdvanceClock(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	at := time.Date(2041, time.February, 3, 4, 5, 6, 0, time.UTC)
	require.NoError(t, srv.SetClock(at))
	assert.WithinDuration(t, at, srv.Now(), time.Minute)
	assert.False(t, srv.Now().Before(at), "it ticks on from where it was put")
	require.NoError(t, srv.AdvanceClock(24*time.Hour))
	assert.WithinDuration(t, at.Add(24*time.Hour), srv.Now(), time.Minute)
	r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "")
	date, err := http.ParseTime(r.header.Get("Date"))
	require.NoError(t, err)
	assert.WithinDuration(t, at.Add(24*time.Hour), date, time.Minute, "every instant follows")

	pinnedSrv := newServer(t, pinned(at))
	assert.Error(t, pinnedSrv.SetClock(at.Add(time.Hour)))
	assert.Error(t, pinnedSrv.AdvanceClock(time.Hour))
	assert.Equal(t, at, pinnedSrv.Now())
}

// Not parallel: they set the environment.
func TestClockOffsetEnvShiftsTheDefaultClock(t *testing.T) {
	t.Setenv(lambdatest.ClockOffsetEnv, "-8760h")
	srv := newServer(t)
	yearAgo := time.Now().Add(-8760 * time.Hour)
	assert.WithinDuration(t, yearAgo, srv.Now(), time.Minute)
	r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody)
	created, err := time.Parse(time.RFC3339, r.data(t)["created_at"].(string))
	require.NoError(t, err)
	assert.WithinDuration(t, yearAgo, created, time.Minute)
	date, err := http.ParseTime(r.header.Get("Date"))
	require.NoError(t, err)
	assert.WithinDuration(t, yearAgo, date, time.Minute)

	now := time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC)
	assert.Equal(t, now, newServer(t, pinned(now)).Now(), "a clock the test sets is not shifted")

	tb := &recordingTB{TB: t}
	lambdatest.NewTestServer(tb)
	assert.Contains(t, tb.logs, "LAMBDATEST_CLOCK_OFFSET=-8760h", "a failing test says why its dates are a year off")
	tb = &recordingTB{TB: t}
	lambdatest.NewTestServer(tb, pinned(now))
	assert.Empty(t, tb.logs)
}

// recordingTB records Fatal, instead of ending the test, and Logf.
type recordingTB struct {
	testing.TB
	fatal, logs string
}

func (r *recordingTB) Fatal(args ...any) { r.fatal = fmt.Sprint(args...) }

func (r *recordingTB) Logf(format string, args ...any) { r.logs += fmt.Sprintf(format, args...) + "\n" }

func TestClockOffsetEnvMalformedIsRefused(t *testing.T) {
	t.Setenv(lambdatest.ClockOffsetEnv, "a year")
	assert.PanicsWithValue(t, `lambdatest: LAMBDATEST_CLOCK_OFFSET="a year" is not a duration such as "8760h": time: invalid duration "a year"`,
		func() { lambdatest.NewServer().Close() })
	tb := &recordingTB{TB: t}
	assert.Nil(t, lambdatest.NewTestServer(tb))
	assert.Contains(t, tb.fatal, lambdatest.ClockOffsetEnv, "the test fails, naming the variable")

	srv := lambdatest.NewServer(pinned(time.Unix(0, 0)))
	defer srv.Close()
	assert.Equal(t, time.Unix(0, 0), srv.Now(), "a server with its own clock does not read the variable")
}
