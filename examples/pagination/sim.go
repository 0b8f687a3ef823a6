package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator, seeded
// with 45 instances (seed-1 … seed-45, spread over three regions).

import "github.com/lambda/lambda-go/examples/internal/simulator"

func init() {
	if srv := simulator.Start("with 45 seeded instances"); srv != nil {
		srv.SeedInstances(45)
	}
}
