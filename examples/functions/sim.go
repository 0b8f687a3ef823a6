package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator, with
// some functions already deployed.

import (
	"fmt"
	"os"
	"strings"

	"github.com/lambda/lambda-go/examples/internal/simulator"
)

func init() {
	srv := simulator.Start("with a few functions deployed")
	if srv == nil {
		return
	}
	for _, f := range []struct{ name, runtime, status, tags string }{
		{"send-welcome-email", "Node.js 20", "active", "email,prod"},
		{"thumbnail-preview", "Node.js 20", "active", "images,staging"},
		{"nightly-report", "python3.12", "active", "reports,prod"},
		{"legacy-export", "python3.8", "deprecated", "prod"},
	} {
		if _, err := srv.SeedFunction(f.name, f.runtime, f.status, strings.Split(f.tags, ",")...); err != nil {
			fmt.Fprintln(os.Stderr, "functions: seeding the simulator:", err)
			os.Exit(1)
		}
	}
}
