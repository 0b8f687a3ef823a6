// OAuth authenticates with OAuth 2.0 tokens that the client renews itself:
// lambda.WithOAuth2 takes your oauth2.Config and a token pair, renews the
// access token with the refresh token before it expires (and once after a
// 401, whatever its expiry said), and WithTokenNotify hands you each new
// token to persist, since refresh tokens rotate: the old one is spent.
//
// It reads the client and the refresh token from the environment:
// LAMBDA_OAUTH_CLIENT_ID, LAMBDA_OAUTH_CLIENT_SECRET, LAMBDA_OAUTH_TOKEN_URL
// and LAMBDA_OAUTH_REFRESH_TOKEN; LAMBDA_OAUTH_TOKEN_FILE, when set, is where
// each new token is saved (as JSON, mode 0600). Without LAMBDA_API_KEY it
// runs on the in-process simulator, which plays the authorization server.
//
// This file is the whole recipe: the simulator fallback lives in sim.go,
// which a copy of main.go leaves behind.
//
//	go run ./examples/oauth
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "oauth:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	conf := &oauth2.Config{
		ClientID:     os.Getenv("LAMBDA_OAUTH_CLIENT_ID"),
		ClientSecret: os.Getenv("LAMBDA_OAUTH_CLIENT_SECRET"),
		Endpoint:     oauth2.Endpoint{TokenURL: os.Getenv("LAMBDA_OAUTH_TOKEN_URL")},
	}
	// The refresh token alone is enough: the first call renews the access token.
	tok := &oauth2.Token{RefreshToken: os.Getenv("LAMBDA_OAUTH_REFRESH_TOKEN")}
	if conf.ClientID == "" || tok.RefreshToken == "" {
		return errors.New("set LAMBDA_OAUTH_CLIENT_ID, LAMBDA_OAUTH_CLIENT_SECRET, LAMBDA_OAUTH_TOKEN_URL and LAMBDA_OAUTH_REFRESH_TOKEN")
	}

	renewals := 0
	client, err := lambda.NewClient(
		lambda.WithOAuth2(conf, tok), // the base URL comes from LAMBDA_BASE_URL, or the default
		lambda.WithTokenNotify(func(t *oauth2.Token) {
			renewals++ // calls are one at a time, so no lock is needed
			fmt.Printf("new access token, good until %s\n", t.Expiry.Local().Format(time.DateTime))
			if err := save(os.Getenv("LAMBDA_OAUTH_TOKEN_FILE"), t); err != nil {
				fmt.Fprintln(os.Stderr, "oauth: saving the token:", err)
			}
		}),
	)
	if err != nil {
		return err
	}

	account, err := client.Account.Get(ctx)
	if errors.Is(err, lambda.ErrUnauthorized) {
		return fmt.Errorf("the refresh token was refused (revoked or already used?): %w", err)
	}
	if err != nil {
		return err
	}
	fmt.Printf("signed in as %s (%s)\n", account.Name, account.Email)

	page, err := client.Instances.List(ctx, nil)
	if errors.Is(err, lambda.ErrForbidden) {
		var lerr *lambda.Error
		if errors.As(err, &lerr) && lerr.Permission != "" {
			return fmt.Errorf("this token lacks the %q permission", lerr.Permission)
		}
	}
	if err != nil {
		return err
	}
	fmt.Printf("%d instances; %d token renewal(s)\n", page.Pagination.TotalItems, renewals)
	return nil
}

// save writes tok as JSON to path, readable by its owner only; "" saves
// nothing. Keep the file as secret as the client secret.
func save(path string, tok *oauth2.Token) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(tok)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}
