package lambda_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// TestDebugWriterShowsNoSecret: a dump of real traffic with the simulator,
// under each kind of credential, holds the requests and answers but none of
// the secrets in them: the API key or OAuth token (in Authorization or
// X-API-Key), a webhook subscription's signing secret (in the request
// body), a new API key's secret (in the answer).
func TestDebugWriterShowsNoSecret(t *testing.T) {
	t.Parallel()
	const (
		apiKey        = "λ_sk_debug_0123456789abcdef"
		oauthToken    = "oauth-access-token-0123456789"
		webhookSecret = "whsec_debug_signing_secret_42"
	)
	tests := []struct {
		name string
		opts []lambda.Option
	}{
		{"API key as bearer", []lambda.Option{lambda.WithAPIKey(apiKey)}},
		{"API key in X-API-Key", []lambda.Option{lambda.WithAPIKey(apiKey), lambda.WithAPIKeyHeader()}},
		{"OAuth token", []lambda.Option{lambda.WithTokenSource(oauth2.StaticTokenSource(
			&oauth2.Token{AccessToken: oauthToken, TokenType: "Bearer", RefreshToken: "refresh-0123456789"}))}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := lambdatest.NewTestServer(t, lambdatest.WithAPIKeys(apiKey, oauthToken))
			var dump syncBuffer
			client := newTestClientWith(t, tc.opts[0], srv.BaseURL(), slices.Concat(tc.opts[1:],
				[]lambda.Option{lambda.WithHTTPClient(srv.Client()), lambda.WithDebugWriter(&dump)})...)
			ctx := testCtx(t)

			_, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{URL: "https://example.com/hooks",
				Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret(webhookSecret)})
			require.NoError(t, err)
			key, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "ci"})
			require.NoError(t, err)
			require.NotEmpty(t, key.Key.Reveal())
			_, err = client.Instances.Get(ctx, "inst_missing")
			require.ErrorIs(t, err, lambda.ErrNotFound)

			out := dump.String()
			for _, secret := range []string{apiKey, oauthToken, webhookSecret, key.Key.Reveal(), "refresh-0123456789"} {
				assert.NotContains(t, out, secret)
			}
			for _, want := range []string{"POST " + srv.BaseURL() + "/webhooks", `"secret":"[REDACTED]"`,
				"POST " + srv.BaseURL() + "/account/api-keys", `"key":"[REDACTED]"`, "Idempotency-Key: ",
				"GET " + srv.BaseURL() + "/instances/inst_missing", "404 Not Found", `"code":"not_found"`} {
				assert.Contains(t, out, want)
			}
			assert.Regexp(t, `(Authorization|X-Api-Key): \[REDACTED\]`, out)
		})
	}
}

// TestDebugWriterRedactsWhatTheServerQuotesBack: a server (or a proxy) that
// echoes the credential, in a header or a body, does not get it into the
// dump either.
func TestDebugWriterRedactsWhatTheServerQuotesBack(t *testing.T) {
	t.Parallel()
	var dump syncBuffer
	client, mux, _ := setup(t, lambda.WithDebugWriter(&dump))
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		w.Header().Set("Set-Cookie", "session=abc")
		writeError(w, 400, "invalid_request", "bad header: "+r.Header.Get("Authorization"))
	})
	_, err := client.Instances.Get(testCtx(t), "inst_1")
	require.Error(t, err)
	out := dump.String()
	assert.NotContains(t, out, testKey)
	assert.NotContains(t, out, "session=abc")
	assert.Contains(t, out, "bad header: Bearer REDACTED")
}

// TestDebugWriterDumpsEveryAttemptAndLosesNothing: each attempt is dumped;
// a body over the dump's limit is cut in the dump only, and the caller
// still decodes all of it.
func TestDebugWriterDumpsEveryAttemptAndLosesNothing(t *testing.T) {
	t.Parallel()
	var dump syncBuffer
	client, mux, _ := setup(t, lambda.WithDebugWriter(&dump))
	var n atomic.Int32
	items := make([]string, 400) // about 110 KB: over the 64 KiB shown
	for i := range items {
		items[i] = strings.Replace(instanceJSON, "inst_abc123", fmt.Sprintf("inst_%d", i), 1)
	}
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			writeError(w, 503, "service_unavailable", "try again")
			return
		}
		writeData(w, 200, "["+strings.Join(items, ",")+"]")
	})
	page, err := client.Instances.List(testCtx(t), nil)
	require.NoError(t, err)
	assert.Len(t, page.Items, 400)
	assert.Equal(t, "inst_399", page.Items[399].ID)

	out := dump.String()
	assert.Equal(t, 2, strings.Count(out, "--- lambda: request ---"), "one dump per attempt")
	assert.Contains(t, out, "503 Service Unavailable")
	assert.Contains(t, out, "(cut: the rest is not shown)")
	assert.NotContains(t, out, "inst_399", "the dump is cut at 64 KiB")
}

func TestWithDebugWriterRefusesNil(t *testing.T) {
	t.Parallel()
	_, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithDebugWriter(nil))
	require.ErrorContains(t, err, "WithDebugWriter")
}
