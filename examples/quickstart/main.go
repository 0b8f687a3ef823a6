// Quickstart creates an instance, waits until it is running and prints how to
// reach it over SSH: the "Create and Start Instance" recipe of the API docs.
//
// With LAMBDA_API_KEY set it uses the real API (and creates a real, billed
// instance); without it, it runs against the in-process simulator.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/quickstart
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/lambda/lambda-go"
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

	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}

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
