// Pagination walks every instance with All, which fetches pages as the loop
// needs them, filters and sorts on the server, and shows a single page with
// List for when you want the page numbers yourself.
//
// With LAMBDA_API_KEY set it reads your real instances (read-only); without
// it, it seeds 45 instances on the in-process simulator.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/pagination
package main

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"time"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "pagination:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	client, err := lambda.NewClient() // reads LAMBDA_API_KEY (and LAMBDA_BASE_URL)
	if err != nil {
		return err
	}

	// 1. Every instance, page after page: the loop never sees a page.
	perRegion := map[string]int{}
	total := 0
	for inst, err := range client.Instances.All(ctx, nil) {
		if err != nil {
			return fmt.Errorf("list instances: %w", err)
		}
		perRegion[inst.Region]++
		total++
	}
	fmt.Printf("%d instances in all\n", total)
	for _, r := range slices.Sorted(maps.Keys(perRegion)) {
		fmt.Printf("  %-10s %d\n", r, perRegion[r])
	}

	// 2. Filtered and sorted by the API; breaking out of the loop stops paging.
	opts := &lambda.ListInstancesOptions{
		Status: lambda.InstanceStatusRunning,
		Region: "eu-west-1",
		Sort:   "name",
		Order:  lambda.SortDescending,
	}
	fmt.Println("the first 5 running instances in eu-west-1, by name, descending:")
	shown := 0
	for inst, err := range client.Instances.All(ctx, opts) {
		if err != nil {
			return fmt.Errorf("list eu-west-1: %w", err)
		}
		fmt.Printf("  %-10s %-12s %s\n", inst.Name, inst.InstanceType, inst.Status)
		if shown++; shown == 5 {
			break
		}
	}

	// 3. One page, when you want the page numbers (a UI with "next", say).
	page, err := client.Instances.List(ctx, &lambda.ListInstancesOptions{
		ListOptions: lambda.ListOptions{Page: 2, Limit: 10},
		Sort:        "created_at",
		Order:       lambda.SortAscending,
	})
	if err != nil {
		return fmt.Errorf("list page 2: %w", err)
	}
	pg := page.Pagination
	fmt.Printf("page %d of %d (%d per page, %d items in all, next: %v, previous: %v): %d items\n",
		pg.Page, pg.TotalPages, pg.Limit, pg.TotalItems, pg.HasNext, pg.HasPrev, len(page.Items))
	for _, inst := range page.Items {
		fmt.Printf("  %s  %s\n", inst.CreatedAt.Format(time.RFC3339), inst.Name)
	}
	return nil
}
