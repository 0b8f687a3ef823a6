package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator, which
// samples every 200 ms, and names a running instance of it in
// LAMBDA_INSTANCE_ID.

import (
	"os"
	"time"

	"github.com/lambda/lambda-go/examples/internal/simulator"
	"github.com/lambda/lambda-go/lambdatest"
)

func init() {
	if srv := simulator.Start("", lambdatest.WithMetricsInterval(200*time.Millisecond)); srv != nil {
		_ = os.Setenv("LAMBDA_INSTANCE_ID", srv.SeedInstances(1)[0])
	}
}
