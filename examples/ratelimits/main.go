// Ratelimits shows what to do about 429 Too Many Requests: mostly nothing.
// The client reads the X-RateLimit-* figures of every response, holds calls
// back until the window resets once the budget is spent, and sleeps through a
// 429's Retry-After. When a wait is longer than you allow (WithMaxRetryWait),
// the call fails at once with an error that says how long to wait.
//
// With LAMBDA_API_KEY set it reads the real figures (read-only calls);
// without it, it uses the in-process simulator, which allows 5 requests/s.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/ratelimits
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "ratelimits:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Each client reads LAMBDA_API_KEY (and LAMBDA_BASE_URL).
	client, err := lambda.NewClient()
	if err != nil {
		return err
	}
	list := func(c *lambda.Client, info *lambda.ResponseInfo) error {
		_, err := c.Instances.List(ctx, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 1}},
			lambda.WithResponseInfo(info))
		return err
	}

	// 1. Every response reports the budget; once it is spent, the client
	// waits for the window to reset instead of sending calls that would fail.
	start := time.Now()
	for i := 1; i <= 8; i++ {
		var info lambda.ResponseInfo
		if err := list(client, &info); err != nil {
			return err
		}
		fmt.Printf("call %d: %d of %d left, %d attempt(s), at %4dms\n", i, info.RateLimit.Remaining,
			info.RateLimit.Limit, info.Attempts, time.Since(start).Milliseconds())
	}
	rl, _ := client.RateLimit() // the latest figures, for a dashboard or a scheduler
	fmt.Printf("client.RateLimit(): %d of %d left, window resets at %s\n", rl.Remaining, rl.Limit, rl.Reset.Format(time.TimeOnly))
	if rl.Remaining > 10 {
		fmt.Println("plenty of budget left: nothing will be refused, so the rest is for the simulator")
		return nil
	}
	for rl.Remaining > 0 { // spend the rest of this window
		if err := list(client, &lambda.ResponseInfo{}); err != nil {
			return err
		}
		rl, _ = client.RateLimit()
	}

	// 2. Another client with the same key cannot know the budget is spent: it
	// gets a real 429, sleeps through its Retry-After and tries again.
	other, err := lambda.NewClient()
	if err != nil {
		return err
	}
	var info lambda.ResponseInfo
	t0 := time.Now()
	if err := list(other, &info); err != nil {
		return err
	}
	fmt.Printf("second client: succeeded after %d attempts and %v\n", info.Attempts, time.Since(t0).Round(100*time.Millisecond))

	// 3. A client that will not sleep that long gets the error instead, with
	// RetryAfter: give up, queue the work, or wait yourself (waking on cancel).
	impatient, err := lambda.NewClient(lambda.WithMaxRetryWait(100 * time.Millisecond))
	if err != nil {
		return err
	}
	var lerr *lambda.Error
	for i := 0; i < 10; i++ {
		if err = list(impatient, &info); err != nil {
			break
		}
	}
	if !errors.Is(err, lambda.ErrRateLimited) || !errors.As(err, &lerr) {
		return fmt.Errorf("expected a rate-limit error, got %v", err)
	}
	fmt.Printf("impatient client: %v\n  waiting %v myself\n", err, lerr.RetryAfter.Round(10*time.Millisecond))
	select {
	case <-time.After(lerr.RetryAfter):
	case <-ctx.Done():
		return ctx.Err()
	}
	if err := list(impatient, &info); err != nil {
		return err
	}
	fmt.Printf("impatient client: after waiting, HTTP %d\n", info.StatusCode)
	return nil
}
