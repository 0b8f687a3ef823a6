// Functions deploys a serverless function, waits until it is active, then
// lists the active functions by runtime, and those that carry a tag.
//
// With LAMBDA_API_KEY set it uses the real API (the function it deploys
// stays: the API has no route to delete one); without it, it runs against
// the in-process simulator, seeded with a few functions.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/functions
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "functions:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}

	fn, err := client.Functions.Create(ctx, &lambda.CreateFunctionRequest{
		Name:    "resize-images",
		Runtime: "Node.js 20",
		Handler: "index.handler",
		Tags:    []string{"images", "prod"},
	})
	if err != nil {
		return fmt.Errorf("deploy: %w", err)
	}
	fmt.Printf("deployed %s (%s): %s\n", fn.Name, fn.ID, fn.Status)
	fn, err = client.Functions.WaitUntilReady(ctx, fn.ID, lambda.WithWaitDelay(200*time.Millisecond, 5*time.Second))
	if err != nil {
		return err
	}
	fmt.Printf("%s is %s\n\n", fn.Name, fn.Status)

	// Every active function, grouped by runtime: the API filters, All pages.
	byRuntime := map[string][]string{}
	for f, err := range client.Functions.All(ctx, &lambda.ListFunctionsOptions{Status: lambda.FunctionStatusActive}) {
		if err != nil {
			return fmt.Errorf("list functions: %w", err)
		}
		byRuntime[f.Runtime] = append(byRuntime[f.Runtime], f.Name)
	}
	fmt.Println("active functions by runtime:")
	for _, rt := range slices.Sorted(maps.Keys(byRuntime)) {
		names := byRuntime[rt]
		slices.Sort(names)
		fmt.Printf("  %-12s %s\n", rt, strings.Join(names, ", "))
	}

	// The active functions of one runtime that carry a tag.
	opts := &lambda.ListFunctionsOptions{Status: lambda.FunctionStatusActive, Runtime: "Node.js 20", Tag: "prod",
		Sort: "name", Order: lambda.SortAscending}
	fmt.Println("\nactive Node.js 20 functions tagged prod:")
	for f, err := range client.Functions.All(ctx, opts) {
		if err != nil {
			return fmt.Errorf("list functions: %w", err)
		}
		fmt.Printf("  %-20s %-16s tags %s\n", f.Name, f.ID, strings.Join(f.Tags, ","))
	}
	return nil
}
