package lambda_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// assertRefused checks the one shape of every argument the client refuses
// before sending: an *Error matching ErrInvalidRequest, with no HTTP status.
func assertRefused(t *testing.T, name string, err error) {
	t.Helper()
	require.Error(t, err, name)
	assert.ErrorIs(t, err, lambda.ErrInvalidRequest, name)
	var lerr *lambda.Error
	if assert.ErrorAs(t, err, &lerr, name) {
		assert.Zero(t, lerr.HTTPStatus, "%s: refused by the client, not the API", name)
		assert.Equal(t, lambda.CodeInvalidRequest, lerr.Code, name)
	}
	assert.NotContains(t, err.Error(), testKey, name)
}

// TestArgumentErrorsMatchErrInvalidRequest: a bad request option, a nil
// request where one is needed and an empty ID are refused the same way,
// and nothing is sent.
func TestArgumentErrorsMatchErrInvalidRequest(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	drop := func(_ any, err error) error { return err }
	get := func(o lambda.RequestOption) error { return drop(client.Instances.Get(ctx, "inst_1", o)) }
	calls := map[string]func() error{
		"WithHeader empty name":           func() error { return get(lambda.WithHeader("", "v")) },
		"WithHeader credential":           func() error { return get(lambda.WithHeader("Authorization", "Bearer x")) },
		"WithHeader X-API-Key":            func() error { return get(lambda.WithHeader("x-api-key", "x")) },
		"WithHeader line break":           func() error { return get(lambda.WithHeader("X-Trace", "a\r\nEvil: 1")) },
		"WithIdempotencyKey empty":        func() error { return get(lambda.WithIdempotencyKey("")) },
		"WithIdempotencyKey blank":        func() error { return get(lambda.WithIdempotencyKey("  ")) },
		"WithIdempotencyKey line break":   func() error { return get(lambda.WithIdempotencyKey("a\nb")) },
		"WithResponseInfo nil":            func() error { return get(lambda.WithResponseInfo(nil)) },
		"WithExpand nothing":              func() error { return get(lambda.WithExpand()) },
		"WithExpand empty name":           func() error { return get(lambda.WithExpand("")) },
		"WithExpand comma":                func() error { return get(lambda.WithExpand("function,metrics")) },
		"WithExpand on Instances.Get":     func() error { return get(lambda.WithExpand("function")) },
		"Instances.Create nil":            func() error { return drop(client.Instances.Create(ctx, nil)) },
		"Instances.Update nil":            func() error { return drop(client.Instances.Update(ctx, "inst_1", nil)) },
		"Instances.Resize nil":            func() error { return drop(client.Instances.Resize(ctx, "inst_1", nil)) },
		"Instances.Get empty ID":          func() error { return drop(client.Instances.Get(ctx, "")) },
		"Volumes.Create nil":              func() error { return drop(client.Volumes.Create(ctx, nil)) },
		"Volumes.Attach nil":              func() error { return drop(client.Volumes.Attach(ctx, "vol_1", nil)) },
		"Volumes.Resize nil":              func() error { return drop(client.Volumes.Resize(ctx, "vol_1", nil)) },
		"Snapshots.Create nil":            func() error { return drop(client.Snapshots.Create(ctx, nil)) },
		"Firewall.CreateRule nil":         func() error { return drop(client.Firewall.CreateRule(ctx, nil)) },
		"VPNs.Create nil":                 func() error { return drop(client.VPNs.Create(ctx, nil)) },
		"Functions.Create nil":            func() error { return drop(client.Functions.Create(ctx, nil)) },
		"Account.Update nil":              func() error { return drop(client.Account.Update(ctx, nil)) },
		"APIKeys.Create nil":              func() error { return drop(client.APIKeys.Create(ctx, nil)) },
		"Webhooks.Create nil":             func() error { return drop(client.Webhooks.Create(ctx, nil)) },
		"Resources.Create nil":            func() error { return drop(client.Resources.Create(ctx, nil)) },
		"Resources.Update nil":            func() error { return drop(client.Resources.Update(ctx, "res_1", nil)) },
		"Deployments.Create nil":          func() error { return drop(client.Deployments.Create(ctx, nil)) },
		"Resources.List unencodable":      func() error { return drop(client.Resources.List(ctx, &lambda.ListResourcesOptions{Filter: func() {}})) },
		"Instances.WaitUntilDeleted ID":   func() error { return client.Instances.WaitUntilDeleted(ctx, "") },
		"Instances.WaitUntilStopped ID":   func() error { return drop(client.Instances.WaitUntilStopped(ctx, " ")) },
		"Volumes.WaitUntilDeleted ID":     func() error { return client.Volumes.WaitUntilDeleted(ctx, "") },
		"Snapshots.WaitUntilDeleted ID":   func() error { return client.Snapshots.WaitUntilDeleted(ctx, "") },
		"Resources.WaitUntilDeleted ID":   func() error { return client.Resources.WaitUntilDeleted(ctx, "") },
		"Instances.All with a bad option": func() error { return firstErr(client.Instances.All(ctx, nil, lambda.WithHeader("", "v"))) },
	}
	for name, call := range calls {
		assertRefused(t, name, call())
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

// TestNilRequestIsNotSentAsAnEmptyBody: a nil create request used to go out
// as {} and come back as the API's 400; now it never leaves.
func TestNilRequestIsNotSentAsAnEmptyBody(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	_, err := client.Instances.Create(testCtx(t), nil)
	assertRefused(t, "Instances.Create(nil)", err)
	assert.Contains(t, err.Error(), "CreateInstanceRequest")
	assert.Empty(t, srv.Requests())
}

// TestNewClientOptionErrorsMatchErrInvalidRequest: a bad client option is a
// refused argument too, with the same sentinel.
func TestNewClientOptionErrorsMatchErrInvalidRequest(t *testing.T) {
	t.Parallel()
	key := lambda.WithAPIKey(testKey)
	tests := map[string][]lambda.Option{
		"empty key":          {lambda.WithAPIKey("")},
		"nil token source":   {lambda.WithTokenSource(nil)},
		"both credentials":   {key, lambda.WithTokenSource(nil)},
		"no version":         {key, lambda.WithBaseURL("http://127.0.0.1:1")},
		"plain http":         {key, lambda.WithBaseURL("http://api.lambda.io/v1")},
		"unknown version":    {key, lambda.WithAPIVersion("v9")},
		"negative retries":   {key, lambda.WithMaxRetries(-1)},
		"nil logger":         {key, lambda.WithLogger(nil)},
		"nil rate limiter":   {key, lambda.WithRateLimiter(nil)},
		"nil HTTP client":    {key, lambda.WithHTTPClient(nil)},
		"user agent newline": {key, lambda.WithUserAgent("a\nb")},
	}
	for name, opts := range tests {
		c, err := lambda.NewClient(opts...)
		assert.Nil(t, c, name)
		assertRefused(t, name, err)
		assert.False(t, errors.Is(err, lambda.ErrNotFound), name)
	}
}

// firstErr is the first error an iterator yields.
func firstErr[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}
