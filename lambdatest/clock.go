package lambdatest

import (
	"errors"
	"fmt"
	"os"
	"sync"
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
// refused: WithClock panics, since a test that meant to pin the clock and
// silently ran on the real one would pass or fail by the calendar. Without
// WithClock the server has its own clock, time.Now shifted by
// ClockOffsetEnv, which SetClock and AdvanceClock move.
func WithClock(now func() time.Time) Option {
	if now == nil {
		panic("lambdatest: WithClock(nil): give a clock, such as func() time.Time { return fixed }")
	}
	return func(c *config) { c.now = now }
}

// movableClock is a server's own clock: a base clock plus an offset that
// SetClock and AdvanceClock change, so that time goes on ticking from
// wherever it was put.
type movableClock struct {
	base   func() time.Time
	mu     sync.Mutex
	offset time.Duration
}

func (c *movableClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base().Add(c.offset)
}

// errClockNotOwned is returned by SetClock and AdvanceClock on a server
// whose clock WithClock gave.
var errClockNotOwned = errors.New("lambdatest: the clock was given with WithClock, so the program that gave it moves it")

// SetClock sets the server's clock to t; it goes on ticking from there. It
// fails on a server made WithClock, whose clock is the caller's to move.
// Life-cycle delays run on real timers whatever the clock says.
func (s *Server) SetClock(t time.Time) error {
	if s.clock == nil {
		return errClockNotOwned
	}
	s.clock.mu.Lock()
	defer s.clock.mu.Unlock()
	s.clock.offset = t.Sub(s.clock.base())
	return nil
}

// AdvanceClock moves the server's clock by d (back, if d is negative),
// with the same rules as SetClock: a test sees a day pass at once.
func (s *Server) AdvanceClock(d time.Duration) error {
	if s.clock == nil {
		return errClockNotOwned
	}
	s.clock.mu.Lock()
	defer s.clock.mu.Unlock()
	s.clock.offset += d
	return nil
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

// defaultClock is time.Now shifted by ClockOffsetEnv, with the shift, or
// the error of a malformed value.
func defaultClock() (func() time.Time, time.Duration, error) {
	d, err := clockOffset()
	if err != nil || d == 0 {
		return time.Now, 0, err
	}
	return func() time.Time { return time.Now().Add(d) }, d, nil
}
