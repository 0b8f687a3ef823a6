package lambda_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// platformOnlyRequest asserts that the simulator got exactly one request, and
// returns it.
func platformOnlyRequest(t *testing.T, srv *lambdatest.Server) lambdatest.Request {
	t.Helper()
	reqs := srv.Requests()
	require.Len(t, reqs, 1, "requests sent")
	return reqs[0]
}

// platformQuery parses a recorded query string.
func platformQuery(t *testing.T, r lambdatest.Request) url.Values {
	t.Helper()
	q, err := url.ParseQuery(r.RawQuery)
	require.NoError(t, err)
	return q
}

func TestFunctionsCreateAndWait(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	fn, err := client.Functions.Create(ctx, &lambda.CreateFunctionRequest{
		Name: "resize-images", Runtime: "Node.js 20", Handler: "index.handler", Tags: []string{"media", "prod"},
	})
	require.NoError(t, err)

	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/v1/functions", r.Path)
	assert.Empty(t, r.RawQuery)
	assert.JSONEq(t, `{"name":"resize-images","runtime":"Node.js 20","handler":"index.handler","tags":["media","prod"]}`, string(r.Body))
	assert.NotEmpty(t, r.Header.Get("Idempotency-Key"))

	assert.True(t, strings.HasPrefix(fn.ID, "FUNC_"), fn.ID)
	assert.Equal(t, "resize-images", fn.Name)
	assert.Equal(t, "Node.js 20", fn.Runtime)
	assert.Equal(t, "index.handler", fn.Handler)
	assert.Equal(t, lambda.FunctionStatusCreated, fn.Status)
	assert.Equal(t, []string{"media", "prod"}, fn.Tags)
	assert.WithinDuration(t, srv.Now(), fn.CreatedAt, time.Minute)
	assert.False(t, fn.DeploymentStarted.IsZero())
	assert.Nil(t, fn.LastExecuted)

	var seen []string
	ready, err := client.Functions.WaitUntilReady(ctx, fn.ID, fastWait,
		lambda.WithWaitProgress(func(s string) { seen = append(seen, s) }))
	require.NoError(t, err)
	assert.Equal(t, fn.ID, ready.ID)
	assert.Equal(t, lambda.FunctionStatusActive, ready.Status)
	assert.Equal(t, "active", seen[len(seen)-1])
	for _, r := range srv.Requests()[1:] {
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/v1/functions", r.Path)
	}
}

func TestFunctionsWaitUntilReadyFails(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	deprecated, err := srv.SeedFunction("old", "python3.8", "deprecated")
	require.NoError(t, err)

	tests := []struct {
		name string
		id   string
		want error
	}{
		{"deprecated", deprecated, lambda.ErrWaitFailed},
		{"missing", "FUNC_0000000000", lambda.ErrNotFound},
		{"empty ID", " ", lambda.ErrInvalidRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.Functions.WaitUntilReady(ctx, tt.id, fastWait)
			assert.ErrorIs(t, err, tt.want)
		})
	}
}

func TestFunctionsListFilters(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	seed := func(name, runtime, status string, tags ...string) string {
		id, err := srv.SeedFunction(name, runtime, status, tags...)
		require.NoError(t, err)
		return id
	}
	apiV1 := seed("api-v1", "Node.js 18", "deprecated", "api")
	apiV2 := seed("api-v2", "Node.js 20", "active", "api", "prod")
	etl := seed("etl", "python3.12", "active", "batch")

	tests := []struct {
		name      string
		opts      *lambda.ListFunctionsOptions
		wantQuery url.Values
		wantIDs   []string
	}{
		{"nil options", nil, url.Values{}, []string{apiV1, apiV2, etl}},
		{"status", &lambda.ListFunctionsOptions{Status: lambda.FunctionStatusDeprecated},
			url.Values{"status": {"deprecated"}}, []string{apiV1}},
		{"runtime with a space", &lambda.ListFunctionsOptions{Runtime: "Node.js 20"},
			url.Values{"runtime": {"Node.js 20"}}, []string{apiV2}},
		{"tag", &lambda.ListFunctionsOptions{Tag: "api"}, url.Values{"tag": {"api"}}, []string{apiV1, apiV2}},
		{"status and tag", &lambda.ListFunctionsOptions{Status: lambda.FunctionStatusActive, Tag: "api"},
			url.Values{"status": {"active"}, "tag": {"api"}}, []string{apiV2}},
		{"sorted by name, descending, paged",
			&lambda.ListFunctionsOptions{ListOptions: lambda.ListOptions{Page: 1, Limit: 2}, Sort: "name", Order: lambda.SortDescending},
			url.Values{"page": {"1"}, "limit": {"2"}, "sort": {"name"}, "order": {"desc"}}, []string{etl, apiV2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			page, err := client.Functions.List(ctx, tt.opts)
			require.NoError(t, err)

			reqs := srv.Requests()[before:]
			require.Len(t, reqs, 1)
			assert.Equal(t, "GET", reqs[0].Method)
			assert.Equal(t, "/v1/functions", reqs[0].Path)
			assert.Equal(t, tt.wantQuery, platformQuery(t, reqs[0]))

			var ids []string
			for _, f := range page.Items {
				ids = append(ids, f.ID)
			}
			assert.Equal(t, tt.wantIDs, ids)
		})
	}

	page, err := client.Functions.List(ctx, &lambda.ListFunctionsOptions{Tag: "batch"})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
	f := page.Items[0]
	assert.Equal(t, "etl", f.Name)
	assert.Equal(t, "python3.12", f.Runtime)
	assert.Equal(t, lambda.FunctionStatusActive, f.Status)
	assert.Equal(t, []string{"batch"}, f.Tags)
	require.NotNil(t, f.LastExecuted, "a seeded function has run")
	wantPage := lambda.Pagination{Page: 1, Limit: 20, TotalItems: 1, TotalPages: 1}
	if underDocumentedShapes() {
		wantPage = lambda.Pagination{} // the resources and functions documentation's bare array says nothing of pages
	}
	assert.Equal(t, wantPage, page.Pagination)
}

func TestFunctionsAll(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	var want []string
	for i := range 5 {
		f, err := client.Functions.Create(ctx, &lambda.CreateFunctionRequest{
			Name: "fn-" + string(rune('a'+i)), Runtime: "go1.23", Handler: "main", Tags: []string{"all"}})
		require.NoError(t, err)
		want = append(want, f.ID)
	}
	_, err := srv.SeedFunction("other", "go1.23", "active", "elsewhere")
	require.NoError(t, err)
	srv.ResetRequests()

	opts := &lambda.ListFunctionsOptions{ListOptions: lambda.ListOptions{Limit: 2}, Tag: "all"}
	seq := client.Functions.All(ctx, opts)
	opts.Tag = "elsewhere" // All copied the options: this must not matter
	var got []string
	for f, err := range seq {
		require.NoError(t, err)
		got = append(got, f.ID)
	}
	assert.Equal(t, want, got)

	reqs := platformRequests(srv, "GET", "/v1/functions")
	require.Len(t, reqs, 3)
	for i, r := range reqs {
		assert.Equal(t, url.Values{"page": {string(rune('1' + i))}, "limit": {"2"}, "tag": {"all"}}, platformQuery(t, r))
	}
}

func TestFunctionsCreateRefused(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	_, err := client.Functions.Create(testCtx(t), &lambda.CreateFunctionRequest{Name: "x", Runtime: "go1.23"})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "handler", lerr.Details.Field)
}
