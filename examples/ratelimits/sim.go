package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator, which
// allows 5 requests a second so that the budget runs out quickly.

import (
	"time"

	"github.com/lambda/lambda-go/examples/internal/simulator"
	"github.com/lambda/lambda-go/lambdatest"
)

func init() { simulator.Start("5 requests a second", lambdatest.WithRateLimit(5, time.Second)) }
