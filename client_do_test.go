package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

func TestClientDo(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	var created lambda.Instance
	body := map[string]any{"name": "raw", "instance_type": "compute-1x", "region": "us-west-1", "image": "ubuntu-22.04", "ssh_keys": []string{}}
	require.NoError(t, client.Do(ctx, http.MethodPost, "/instances", body, &created))
	require.NotEmpty(t, created.ID)
	r := lastReq(t, srv)
	assert.NotEmpty(t, r.Header.Get("Idempotency-Key"), "a POST through Do carries a key like any create")
	assert.NotEmpty(t, r.Header.Get("Authorization"))

	var got lambda.Instance
	require.NoError(t, client.Do(ctx, "GET", "instances/"+created.ID, nil, &got), "the leading slash is optional")
	assert.Equal(t, created.ID, got.ID)
	assert.Equal(t, "raw", got.Name)

	var page []lambda.Instance
	var info lambda.ResponseInfo
	require.NoError(t, client.Do(ctx, "GET", "/instances?region=us-west-1&limit=5", nil, &page, lambda.WithResponseInfo(&info)))
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances", Query: "region=us-west-1&limit=5"})
	require.Len(t, page, 1)
	assert.Equal(t, http.StatusOK, info.StatusCode)
	assert.NotEmpty(t, info.RequestID)

	var raw json.RawMessage
	require.NoError(t, client.Do(ctx, "GET", "/account", nil, &raw))
	assert.Contains(t, string(raw), `"email"`)

	require.NoError(t, client.Do(ctx, "DELETE", "/instances/"+created.ID, nil, nil))
	err := client.Do(ctx, "GET", "/instances/"+created.ID, nil, &got)
	assert.ErrorIs(t, err, lambda.ErrNotFound, "errors are typed as any method's")
}

func TestClientDoRefusesPathsThatLeaveTheAPI(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	for _, tc := range []struct{ method, path string }{
		{"GET", "https://evil.example/steal"},
		{"GET", "//evil.example/steal"},
		// An empty authority: a browser's or a proxy's URL parser reads
		// the host from the third slash on.
		{"GET", "///evil.example/steal"},
		{"GET", "/instances/.."},
		{"DELETE", "/account/api-keys/.."},
		{"GET", "/instances/%2e%2e"},
		{"GET", "../v2/instances"},
		{"GET", "/instances#frag"},
		{"", "/instances"},
		{"GE T", "/instances"},
		// Not an HTTP method (RFC 9110's token): refused here, not by
		// net/http with an error of its own.
		{"GE(T", "/instances"},
		{"G\x00T", "/instances"},
		{"ÄGET", "/instances"},
		{"GET,POST", "/instances"},
	} {
		t.Run(tc.method+" "+tc.path, func(t *testing.T) {
			t.Parallel()
			err := client.Do(ctx, tc.method, tc.path, nil, nil)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			if lerr.Details != nil && lerr.Details.Field != "" {
				assert.Contains(t, []string{"method", "path"}, lerr.Details.Field, "the error names Do's own argument: %v", err)
			}
			assert.NotContains(t, err.Error(), "argument id", "Do has no id argument")
		})
	}
	for _, r := range srv.Requests() {
		t.Errorf("a refused call was sent: %s %s", r.Method, r.EscapedPath)
	}
}

func TestClientDoWithoutDataIsInvalidResponse(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	srv.InjectFault(lambdatest.Fault{Path: "/v1/account", Status: 200, Body: `{"success":true,"data":null}`})
	var got lambda.Instance
	err := client.Do(testCtx(t), "GET", "/account", nil, &got)
	assert.ErrorIs(t, err, lambda.ErrInvalidResponse)
}

// Call a route the SDK has no method for yet with everything a method
// brings: the credential, retries, an idempotency key and typed errors.
func ExampleClient_Do() {
	srv := lambdatest.NewServer()
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := context.Background()

	var quota struct {
		Instances struct {
			Used  int `json:"used"`
			Limit int `json:"limit"`
		} `json:"instances"`
	}
	if err := client.Do(ctx, "GET", "/account/quota", nil, &quota); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("instances in use:", quota.Instances.Used)

	err = client.Do(ctx, "POST", "/instances/inst_missing/start", nil, nil)
	fmt.Println(errors.Is(err, lambda.ErrNotFound))
	// Output:
	// instances in use: 0
	// true
}
