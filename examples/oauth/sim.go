package main

// This file is not part of the recipe: copy main.go alone. Without
// LAMBDA_API_KEY, it points the example at the in-process simulator,
// registers an OAuth client with its authorization server, and exports the
// client and a refresh token it issued in the LAMBDA_OAUTH_* variables.

import (
	"os"

	"github.com/lambda/lambda-go/examples/internal/simulator"
	"github.com/lambda/lambda-go/lambdatest"
)

func init() {
	const id, secret = "cli_example", "cs_example_secret"
	srv := simulator.Start("as the OAuth authorization server too", lambdatest.WithOAuthClient(id, secret))
	if srv == nil {
		return
	}
	srv.SeedInstances(2)
	for k, v := range map[string]string{
		"LAMBDA_OAUTH_CLIENT_ID":     id,
		"LAMBDA_OAUTH_CLIENT_SECRET": secret,
		"LAMBDA_OAUTH_TOKEN_URL":     srv.TokenURL(),
		"LAMBDA_OAUTH_REFRESH_TOKEN": srv.IssueToken(id).RefreshToken,
	} {
		_ = os.Setenv(k, v) // fails only on a malformed name
	}
}
