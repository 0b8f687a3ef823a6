package lambda_test

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// One rule for every option: the options that make sense for the client
// and for one call are given the same way to both; one given where it
// cannot work is an error before anything is sent, never ignored.
func TestOptionsGivenInTheWrongPlace(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	id := srv.SeedInstances(1)[0]
	for name, opt := range map[string]lambda.Option{
		"WithBaseURL":      lambda.WithBaseURL("http://127.0.0.1:1/v1"),
		"WithAPIKey":       lambda.WithAPIKey("another"),
		"WithLogger":       lambda.WithLogger(slog.Default()),
		"WithMaxRetryWait": lambda.WithMaxRetryWait(time.Second),
		"WithUserAgent":    lambda.WithUserAgent("x"),
	} {
		_, err := client.Instances.Get(ctx, id, opt)
		require.ErrorIs(t, err, lambda.ErrInvalidRequest, name)
		assert.Contains(t, err.Error(), "give it to NewClient", name)
	}
	for name, opt := range map[string]lambda.Option{
		"WithIdempotencyKey": lambda.WithIdempotencyKey("k"),
		"WithResponseInfo":   lambda.WithResponseInfo(&lambda.ResponseInfo{}),
		"WithExpand":         lambda.WithExpand("function"),
	} {
		_, err := lambda.NewClient(lambda.WithAPIKey("k"), lambda.WithBaseURL(srv.BaseURL()), opt)
		require.ErrorIs(t, err, lambda.ErrInvalidRequest, name)
		assert.Contains(t, err.Error(), name)
	}
}

func TestPerCallMaxRetries(t *testing.T) {
	t.Parallel()
	client, hits := scriptedAPI(t, "/", always(raw(http.StatusServiceUnavailable, "")), lambda.WithMaxRetries(1))
	ctx := testCtx(t)
	for _, tc := range []struct {
		opts []lambda.RequestOption
		want int32
	}{
		{nil, 2},
		{[]lambda.RequestOption{lambda.WithMaxRetries(0)}, 1},
		{[]lambda.RequestOption{lambda.WithMaxRetries(4)}, 5},
	} {
		hits.Store(0)
		_, err := client.Instances.Get(ctx, "inst_1", tc.opts...)
		require.ErrorIs(t, err, lambda.ErrUnavailable)
		assert.Equal(t, tc.want, hits.Load(), "attempts with %d options", len(tc.opts))
	}
	_, err := client.Instances.Get(ctx, "inst_1", lambda.WithMaxRetries(-1))
	assert.ErrorIs(t, err, lambda.ErrInvalidRequest)
}

func TestPerCallAttemptTimeout(t *testing.T) {
	t.Parallel()
	// A server that accepts and never answers.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			t.Cleanup(func() { conn.Close() })
		}
	}()
	client := newTestClient(t, "http://"+ln.Addr().String()+"/v1",
		lambda.WithMaxRetries(0), lambda.WithAttemptTimeout(0)) // the client alone would wait for ever
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	_, err = client.Instances.Get(ctx, "inst_1", lambda.WithAttemptTimeout(100*time.Millisecond))
	require.ErrorIs(t, err, lambda.ErrUnavailable, "the call's own bound fired")
	require.NoError(t, ctx.Err(), "not the test's deadline")
}

// A client's WithHeader goes on every call; a call's own replaces it.
func TestClientAndCallHeaders(t *testing.T) {
	t.Parallel()
	srv := lambdatest.NewTestServer(t)
	client := simClient(t, srv, lambda.WithHeader("X-Team", "infra"))
	ctx := testCtx(t)
	_, err := client.Account.Get(ctx)
	require.NoError(t, err)
	_, err = client.Account.Get(ctx, lambda.WithHeader("X-Team", "web"))
	require.NoError(t, err)
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"infra"}, reqs[0].Header.Values("X-Team"))
	assert.Equal(t, []string{"web"}, reqs[1].Header.Values("X-Team"))
}

// mutatingTransport edits every header value in place, as a careless
// middleware or transport might.
type mutatingTransport struct{ base http.RoundTripper }

func (m mutatingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := m.base.RoundTrip(req)
	for _, vs := range req.Header {
		for i := range vs {
			vs[i] = "mangled"
		}
	}
	return resp, err
}

// No request shares a mutable header value with another.
func TestRequestsShareNoHeaderValues(t *testing.T) {
	t.Parallel()
	srv := lambdatest.NewTestServer(t)
	client := simClient(t, srv, lambda.WithHeader("X-Team", "infra"),
		lambda.WithHTTPClient(&http.Client{Transport: mutatingTransport{base: http.DefaultTransport}}))
	ctx := testCtx(t)
	opt := lambda.WithHeader("X-Call", "one")
	for range 3 {
		_, err := client.Account.Get(ctx, opt)
		require.NoError(t, err)
	}
	for _, r := range srv.Requests() {
		for _, k := range []string{"Accept", "User-Agent", "X-Team", "X-Call"} {
			assert.NotEqual(t, "mangled", r.Header.Get(k), "%s was edited by an earlier request's transport", k)
		}
	}
}
