package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator, which
// delivers to the receiver on loopback (main.go's default webhook URL).

import "github.com/lambda/lambda-go/examples/internal/simulator"

func init() { simulator.Start("") }
