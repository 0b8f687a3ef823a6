package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator, which
// allows only 10 requests a minute so that the rate limit shows.

import (
	"time"

	"github.com/lambda/lambda-go/examples/internal/simulator"
	"github.com/lambda/lambda-go/lambdatest"
)

func init() { simulator.Start("10 requests a minute", lambdatest.WithRateLimit(10, time.Minute)) }
