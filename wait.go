package lambda

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/lambda/lambda-go/internal/retry"
)

// WaitOption tunes a WaitUntilReady call.
type WaitOption func(*waitConfig)

type waitConfig struct {
	minDelay time.Duration
	maxDelay time.Duration
	progress func(status string)
}

// Default delays between polls of WaitUntilReady.
const (
	DefaultWaitMinDelay = time.Second
	DefaultWaitMaxDelay = 15 * time.Second
)

// WithWaitDelay sets the delays between polls: the first poll comes min
// after the first, then delays grow exponentially with jitter up to max.
// Values that are not positive, or a max below min, leave the defaults.
func WithWaitDelay(min, max time.Duration) WaitOption {
	return func(c *waitConfig) {
		if min > 0 && max >= min {
			c.minDelay, c.maxDelay = min, max
		}
	}
}

// WithWaitProgress calls fn with the status seen at every poll.
func WithWaitProgress(fn func(status string)) WaitOption {
	return func(c *waitConfig) { c.progress = fn }
}

// ErrWaitTimeout is matched by the error of a wait whose context ended
// first; the same error also matches the context's own error.
var ErrWaitTimeout = errors.New("lambda: timed out waiting")

// ErrWaitFailed is matched by the error of a wait that saw the resource
// reach a state from which it will not become ready on its own.
var ErrWaitFailed = errors.New("lambda: resource cannot become ready")

// waiter polls one resource until it is ready.
type waiter[T any] struct {
	what   string // "instance inst_123", for errors
	get    func(context.Context) (*T, error)
	status func(*T) string // the resource's status
	ready  func(status string) bool
	failed func(status string) bool
}

// wait polls w until ready, failed, a client error, or ctx ends. It always
// returns the last state seen, with the error when there is one.
func (w waiter[T]) wait(ctx context.Context, opts []WaitOption) (*T, error) {
	cfg := waitConfig{minDelay: DefaultWaitMinDelay, maxDelay: DefaultWaitMaxDelay}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	var last *T
	status := ""
	failures := 0
	for attempt := 1; ; attempt++ {
		v, err := w.get(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return last, w.timeout(ctx, status)
		case err != nil && (isClientError(err) || failures+1 >= maxWaitFailures):
			// A 4xx (the resource is gone, say) will not cure itself; nor
			// will a server that failed every poll, retries included.
			return last, fmt.Errorf("lambda: waiting for %s: %w", w.what, err)
		case err != nil:
			failures++
			if !w.pause(ctx, cfg, attempt) {
				return last, w.timeout(ctx, status)
			}
			continue
		}
		failures = 0
		last, status = v, w.status(v)
		if cfg.progress != nil {
			cfg.progress(status)
		}
		switch {
		case w.ready(status):
			return last, nil
		case w.failed(status):
			return last, fmt.Errorf("%w: %s is %s", ErrWaitFailed, w.what, status)
		}
		if !w.pause(ctx, cfg, attempt) {
			return last, w.timeout(ctx, status)
		}
	}
}

// maxWaitFailures is how many polls in a row may fail (each after the
// client's own retries) before a wait gives up.
const maxWaitFailures = 3

// pause sleeps before the next poll; false when the context ends first or
// its deadline leaves no room for another poll.
func (w waiter[T]) pause(ctx context.Context, cfg waitConfig, attempt int) bool {
	delay, ok := pollDelay(ctx, cfg, attempt)
	return ok && retry.Sleep(ctx, delay) == nil
}

// pollDelay is min for the first wait, then a random delay between min and
// min·2^(attempt-1), capped at max, squeezed so that the last poll still
// lands before the context's deadline. ok is false when no poll would.
func pollDelay(ctx context.Context, cfg waitConfig, attempt int) (time.Duration, bool) {
	d := cfg.minDelay
	if attempt > 1 {
		hi := retry.Doubling(cfg.minDelay, cfg.maxDelay, attempt-1)
		d = cfg.minDelay + rand.N(hi-cfg.minDelay+1)
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return d, true
	}
	remaining := time.Until(deadline)
	// Leave room for the poll itself: a tenth of what is left, at most 1 s.
	margin := min(remaining/10, time.Second)
	if d > remaining-margin {
		d = remaining - margin
	}
	return d, d > 0
}

func (w waiter[T]) timeout(ctx context.Context, status string) error {
	cause := ctx.Err()
	if cause == nil {
		cause = context.DeadlineExceeded // the deadline is too close for another poll
	}
	if status == "" {
		return fmt.Errorf("%w for %s: %w", ErrWaitTimeout, w.what, cause)
	}
	return fmt.Errorf("%w for %s (last status %s): %w", ErrWaitTimeout, w.what, status, cause)
}

// isClientError reports a 4xx other than 429: retrying cannot help.
func isClientError(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests
}
