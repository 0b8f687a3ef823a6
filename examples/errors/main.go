// Errors shows how to tell the API's errors apart: errors.Is with the
// sentinels (lambda.ErrNotFound, …) for the kind, errors.As with
// *lambda.Error for the details: the refused field, how long to wait, and the
// request ID that Lambda's support asks for.
//
// With LAMBDA_API_KEY set it uses the real API (read-only calls and one
// refused create); without it, it runs against the in-process simulator.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/errors
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
		fmt.Fprintln(os.Stderr, "errors:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	// Sleep at most 5 s on a 429; a longer wait comes back as an error.
	client, err := lambda.NewClient(lambda.WithMaxRetryWait(5 * time.Second)) // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}

	// 1. Not found: errors.Is for the kind, errors.As for the request ID.
	_, err = client.Instances.Get(ctx, "inst_doesnotexist")
	var lerr *lambda.Error
	if !errors.Is(err, lambda.ErrNotFound) || !errors.As(err, &lerr) {
		return fmt.Errorf("expected not found, got %v", err)
	}
	fmt.Printf("not found:       HTTP %d, code %s, request %s\n", lerr.HTTPStatus, lerr.Code, lerr.RequestID)

	// 2. Invalid request: Details names the refused field and what is allowed.
	_, err = client.Instances.Create(ctx, &lambda.CreateInstanceRequest{
		Name: "web", InstanceType: "compute-3x", Region: "us-west-1", Image: "ubuntu-22.04",
	})
	if !errors.Is(err, lambda.ErrInvalidRequest) || !errors.As(err, &lerr) || lerr.Details == nil {
		return fmt.Errorf("expected an invalid request with details, got %v", err)
	}
	fmt.Printf("invalid request: field %s = %v, allowed %v\n", lerr.Details.Field, lerr.Details.Value, lerr.Details.AllowedValues)

	// 3. Some mistakes never leave your machine: HTTPStatus is 0.
	_, err = client.Instances.Get(ctx, "")
	if errors.As(err, &lerr) {
		fmt.Printf("refused locally: HTTP %d, %v\n", lerr.HTTPStatus, err)
	}

	// 4. A wrong key: ErrUnauthorized, whatever the message says.
	bad, err := lambda.NewClient(lambda.WithAPIKey("λ_sk_wrong"), lambda.WithBaseURL(client.BaseURL()))
	if err != nil {
		return err
	}
	_, err = bad.Instances.List(ctx, nil)
	if !errors.Is(err, lambda.ErrUnauthorized) {
		return fmt.Errorf("expected unauthorized, got %v", err)
	}
	fmt.Println("unauthorized:   ", err)

	// 5. Rate limited: RetryAfter says how long to wait before trying again.
	for i := 1; i <= 20; i++ {
		_, err = client.Instances.List(ctx, &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 1}})
		if errors.Is(err, lambda.ErrRateLimited) && errors.As(err, &lerr) {
			fmt.Printf("rate limited:    after %d calls; retry after %v (HTTP %d: 0 means the client did not send it)\n",
				i, lerr.RetryAfter.Round(time.Second), lerr.HTTPStatus)
			return nil
		}
		if err != nil {
			return fmt.Errorf("call %d: %w", i, err)
		}
	}
	fmt.Println("rate limited:    not within 20 calls")
	return nil
}
