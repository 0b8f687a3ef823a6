package lambda

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"time"

	"github.com/lambda/lambda-go/internal/retry"
)

// WaitOption tunes a wait: WaitFor, and every service's WaitUntilReady,
// WaitUntilStopped and WaitUntilDeleted. An option given a bad value makes
// the wait return an error matching ErrInvalidRequest before its first
// poll.
type WaitOption func(*waitConfig) error

type waitConfig struct {
	minDelay time.Duration
	maxDelay time.Duration
	progress func(status string)
}

// Default delays between polls of a wait.
const (
	DefaultWaitMinDelay = time.Second
	DefaultWaitMaxDelay = 15 * time.Second
)

// WithWaitDelay sets the delays between polls: the first poll comes min
// after the first, then delays grow exponentially with jitter up to max.
// A value that is not positive, or a max below min, is refused with an
// error matching ErrInvalidRequest.
func WithWaitDelay(min, max time.Duration) WaitOption {
	return func(c *waitConfig) error {
		if min <= 0 || max < min {
			return invalidField("WithWaitDelay", fmt.Sprintf(
				"WithWaitDelay(%v, %v): both delays must be positive, and max at least min", min, max))
		}
		c.minDelay, c.maxDelay = min, max
		return nil
	}
}

// WithWaitProgress calls fn with the status seen at every poll, and with
// StatusDeleted when a wait for a deletion sees the resource gone. fn runs
// on the waiting goroutine: when many waits share one fn, it must be safe
// for concurrent use.
func WithWaitProgress(fn func(status string)) WaitOption {
	return func(c *waitConfig) error {
		c.progress = fn
		return nil
	}
}

// StatusDeleted is the status WithWaitProgress reports when a wait for a
// deletion sees the resource answer "not found".
const StatusDeleted = "deleted"

// ErrWaitTimeout is matched by the error of a wait whose context ended
// first; the same error also matches the context's own error.
var ErrWaitTimeout = errors.New("lambda: timed out waiting")

// ErrWaitFailed is matched by the error of a wait that saw the resource
// reach a state from which it will not reach the one waited for on its own
// (an instance in error while waiting for it to run, say).
var ErrWaitFailed = errors.New("lambda: resource cannot reach the state waited for")

// WaitCondition says when WaitFor stops polling a T.
type WaitCondition[T any] struct {
	// Name names what is waited on, in errors: "instance inst_123".
	// Empty means "resource".
	Name string
	// Done reports the state waited for: the wait returns it. Required,
	// unless Gone is set.
	Done func(*T) bool
	// Failed reports a state from which Done will not come on its own: the
	// wait stops at once with an error matching ErrWaitFailed. Optional.
	Failed func(*T) bool
	// Status is the state's status, passed to WithWaitProgress and quoted
	// in errors. Optional.
	Status func(*T) string
	// Gone makes an answer matching ErrNotFound end the wait successfully,
	// with a nil state: the condition of a wait for a deletion. Without
	// it, "not found" fails the wait at once, as every 4xx does.
	Gone bool
}

// WaitFor polls get until cond holds, with the rules of every
// WaitUntilReady: the first poll at once, then jittered exponential
// backoff between WithWaitDelay's bounds, squeezed so that the last poll
// lands before ctx's deadline; WithWaitProgress sees every status. It
// fails fast, returning the last state seen with the error: at once on a
// 4xx answer (a resource that is gone will not come back), on a state
// cond.Failed reports (ErrWaitFailed), and after three polls in a row that
// failed even after the client's own retries. Otherwise it waits until
// ctx ends (ErrWaitTimeout), so give ctx a deadline.
//
// get is any getter: a service's Get in a closure, or a lookup of your
// own. A nil get, or a nil cond.Done without cond.Gone, is refused with
// ErrInvalidRequest.
func WaitFor[T any](ctx context.Context, get func(context.Context) (*T, error), cond WaitCondition[T], opts ...WaitOption) (*T, error) {
	if get == nil || (cond.Done == nil && !cond.Gone) {
		return nil, invalidField("cond", "WaitFor needs a getter and a Done condition (or Gone)")
	}
	return cond.wait(ctx, get, opts)
}

// wait polls get until cond holds, a failure, or ctx ends. It always
// returns the last state seen, with the error when there is one.
func (cond WaitCondition[T]) wait(ctx context.Context, get func(context.Context) (*T, error), opts []WaitOption) (*T, error) {
	if ctx == nil {
		return nil, invalidField("ctx", "the context is nil; pass context.Background() or a context of your own")
	}
	cfg := waitConfig{minDelay: DefaultWaitMinDelay, maxDelay: DefaultWaitMaxDelay}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	what := cond.Name
	if what == "" {
		what = "resource"
	}
	var last *T
	status := ""
	failures := 0
	for attempt := 1; ; attempt++ {
		v, err := get(ctx)
		switch {
		case err != nil && ctx.Err() != nil:
			return last, waitTimeout(ctx, what, status)
		case err != nil && cond.Gone && errors.Is(err, ErrNotFound):
			if cfg.progress != nil {
				cfg.progress(StatusDeleted)
			}
			return nil, nil
		case err != nil && (isClientError(err) || failures+1 >= maxWaitFailures):
			// A 4xx (the resource is gone, say) will not cure itself; nor
			// will a server that failed every poll, retries included.
			return last, fmt.Errorf("lambda: waiting for %s: %w", what, err)
		case err != nil:
			failures++
			if !pause(ctx, cfg, attempt) {
				return last, waitTimeout(ctx, what, status)
			}
			continue
		case v == nil: // a getter of the caller's that answered nothing
			return last, fmt.Errorf("lambda: waiting for %s: the getter returned no state and no error", what)
		}
		failures = 0
		last = v
		if cond.Status != nil {
			status = cond.Status(v)
		}
		if cfg.progress != nil {
			cfg.progress(status)
		}
		switch {
		case cond.Done != nil && cond.Done(v):
			return last, nil
		case cond.Failed != nil && cond.Failed(v):
			if status == "" {
				return last, fmt.Errorf("%w: %s", ErrWaitFailed, what)
			}
			return last, fmt.Errorf("%w: %s is %s", ErrWaitFailed, what, status)
		}
		if !pause(ctx, cfg, attempt) {
			return last, waitTimeout(ctx, what, status)
		}
	}
}

// statusWait is the condition of a service's wait on a resource whose
// status is a string type S: done in one of done, failed in one of failed.
func statusWait[T any, S ~string](name string, status func(*T) S, done, failed []S) WaitCondition[T] {
	return WaitCondition[T]{
		Name:   name,
		Status: func(v *T) string { return string(status(v)) },
		Done:   func(v *T) bool { return slices.Contains(done, status(v)) },
		Failed: func(v *T) bool { return slices.Contains(failed, status(v)) },
	}
}

// deletedWait is the condition of WaitUntilDeleted: the resource answers
// "not found". A resource still found is waited on whatever its status,
// because a delete may go through several (terminated, say) before the
// resource disappears.
func deletedWait[T any, S ~string](name string, status func(*T) S) WaitCondition[T] {
	return WaitCondition[T]{Name: name, Status: func(v *T) string { return string(status(v)) }, Gone: true}
}

// maxWaitFailures is how many polls in a row may fail (each after the
// client's own retries) before a wait gives up.
const maxWaitFailures = 3

// pause sleeps before the next poll; false when the context ends first or
// its deadline leaves no room for another poll.
func pause(ctx context.Context, cfg waitConfig, attempt int) bool {
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

func waitTimeout(ctx context.Context, what, status string) error {
	cause := ctx.Err()
	if cause == nil {
		cause = context.DeadlineExceeded // the deadline is too close for another poll
	}
	if status == "" {
		return fmt.Errorf("%w for %s: %w", ErrWaitTimeout, what, cause)
	}
	return fmt.Errorf("%w for %s (last status %s): %w", ErrWaitTimeout, what, status, cause)
}

// isClientError reports a 4xx other than 429: retrying cannot help.
func isClientError(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	// A call the client refused before sending (HTTPStatus 0) is refused
	// the same way on every poll.
	return (e.HTTPStatus == 0 && e.Code == CodeInvalidRequest) ||
		(e.HTTPStatus >= 400 && e.HTTPStatus < 500 && e.HTTPStatus != http.StatusTooManyRequests)
}
