package lambdatest

import (
	"fmt"
	"os"
	"time"
)

// ClockOffsetEnv names the environment variable that shifts the default
// clock of every Server by a duration in the syntax of time.ParseDuration
// ("8760h" is a year ahead, "-8760h" a year behind). It exists to catch
// tests that only pass on the day they were written: run the suite once
// more with it set, and a test that mixes a fixed date, or this machine's
// time.Now, with the simulator's "now" fails. A Server given WithClock
// ignores it: a test that sets its own clock means that clock.
const ClockOffsetEnv = "LAMBDATEST_CLOCK_OFFSET"

// WithClock sets the clock the server reads whenever it shows an instant
// (see "Time" in the package documentation), for a test that needs a fixed
// date, or time to pass without waiting: it may return the same time on
// every call, or a time the test moves itself. now is called from many
// goroutines at once, so it must be safe for concurrent use. A nil now is
// ignored, like the other options' invalid values: the server keeps its
// default clock, time.Now shifted by ClockOffsetEnv.
func WithClock(now func() time.Time) Option {
	return func(c *config) {
		if now != nil {
			c.now = now
		}
	}
}

// Now returns the time on the server's clock: the "now" of every instant
// it shows (created_at, the Date header, rate-limit resets, …). A test that
// compares such an instant with "now" should compare it with this, not
// with time.Now, which runs apart under WithClock or ClockOffsetEnv.
func (s *Server) Now() time.Time { return s.cfg.now() }

// clockOffset reads ClockOffsetEnv: zero when it is unset or empty.
func clockOffset() (time.Duration, error) {
	v := os.Getenv(ClockOffsetEnv)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("lambdatest: %s=%q is not a duration such as \"8760h\": %w", ClockOffsetEnv, v, err)
	}
	return d, nil
}

// defaultClock is time.Now shifted by ClockOffsetEnv, or the error of a
// malformed value.
func defaultClock() (func() time.Time, error) {
	d, err := clockOffset()
	if err != nil || d == 0 {
		return time.Now, err
	}
	return func() time.Time { return time.Now().Add(d) }, nil
}
