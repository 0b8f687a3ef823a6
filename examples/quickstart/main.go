// Quickstart creates an instance, waits until it is running and prints how to
// reach it over SSH: the "Create and Start Instance" recipe of the API docs.
//
// With LAMBDA_API_KEY set it uses the real API (and creates a real, billed
// instance); without it, it runs against the in-process simulator.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run() error {
	// Bound the whole program: a wait that cannot finish fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()

	client, closeSim, err := newClient()
	if err != nil {
		return err
	}
	defer closeSim()

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{
		Name:         "my-api-instance",
		InstanceType: lambda.InstanceTypeCompute4x,
		Region:       "us-west-1",
		Image:        "ubuntu-22.04",
		SSHKeys:      []string{"key_abc123"},
	})
	if err != nil {
		return fmt.Errorf("create instance: %w", err)
	}
	fmt.Printf("Instance created: %s (%s)\n", inst.ID, inst.Status)

	id := inst.ID
	inst, err = client.Instances.WaitUntilReady(ctx, id,
		lambda.WithWaitDelay(250*time.Millisecond, 5*time.Second),
		lambda.WithWaitProgress(func(status string) { fmt.Println("  status:", status) }))
	if err != nil {
		return fmt.Errorf("wait for %s: %w", id, err)
	}
	fmt.Printf("Instance %s is %s\n", inst.ID, inst.Status)
	fmt.Printf("SSH: ssh lambda@%s\n", inst.PublicIP)
	return nil
}

// newClient talks to the real API when LAMBDA_API_KEY is set, and otherwise
// to a simulator started in this process; the returned func stops it.
func newClient() (*lambda.Client, func(), error) {
	if os.Getenv("LAMBDA_API_KEY") != "" {
		client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
		return client, func() {}, err
	}
	srv := lambdatest.NewServer()
	fmt.Println("LAMBDA_API_KEY is not set: running against the in-process simulator (lambdatest).")
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return client, srv.Close, nil
}
