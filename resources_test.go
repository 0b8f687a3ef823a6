package lambda_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// createResources makes n resources in region and returns their IDs.
func createPlatformResources(t *testing.T, client *lambda.Client, region string, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		r, err := client.Resources.Create(testCtx(t), &lambda.CreateResourceRequest{Region: region, InstanceType: "t2.micro", VPC: "vpc-main"})
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	return ids
}

func TestResourcesCreateGetWait(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	res, err := client.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: "us-east-1", InstanceType: "t2.micro", VPC: "vpc-123"})
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "POST", r.Method)
	assert.Equal(t, "/v1/resources", r.Path)
	assert.JSONEq(t, `{"region":"us-east-1","instance_type":"t2.micro","vpc":"vpc-123"}`, string(r.Body))
	assert.NotEmpty(t, r.Header.Get("Idempotency-Key"))

	assert.Regexp(t, `^RES_`, res.ID)
	assert.Equal(t, lambda.ResourceStatusPending, res.Status)
	assert.Equal(t, lambda.ResourceTypeCompute, res.Type)
	assert.Equal(t, "us-east-1", res.Region)
	assert.Equal(t, "t2.micro", res.InstanceType)
	assert.Equal(t, "vpc-123", res.VPC)
	require.NotNil(t, res.ProvisioningStartedAt)
	assert.WithinDuration(t, srv.Now(), *res.ProvisioningStartedAt, time.Minute)

	srv.ResetRequests()
	got, err := client.Resources.Get(ctx, res.ID, lambda.WithExpand("metrics"))
	require.NoError(t, err)
	r = platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/resources/"+res.ID, r.Path)
	assert.Equal(t, url.Values{"expand": {"metrics"}}, platformQuery(t, r))
	assert.Equal(t, res.ID, got.ID)

	srv.ResetRequests()
	_, err = client.Resources.Get(ctx, res.ID, nil)
	require.NoError(t, err)
	assert.Empty(t, platformOnlyRequest(t, srv).RawQuery, "nil options send no query")

	srv.ResetRequests()
	ready, err := client.Resources.WaitUntilReady(ctx, res.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.ResourceStatusActive, ready.Status)
	for _, r := range srv.Requests() {
		assert.Equal(t, "GET", r.Method)
		assert.Equal(t, "/v1/resources/"+res.ID, r.Path)
	}
}

func TestResourcesUpdate(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	id := createPlatformResources(t, client, "us-east-1", 1)[0]

	tests := []struct {
		name     string
		req      *lambda.UpdateResourceRequest
		wantBody string
		wantCPU  string
		wantMem  string
	}{
		{"cpu only", &lambda.UpdateResourceRequest{CPULimit: "4"}, `{"cpu_limit":"4"}`, "4", "4Gi"},
		{"memory only", &lambda.UpdateResourceRequest{MemoryLimit: "8Gi"}, `{"memory_limit":"8Gi"}`, "4", "8Gi"},
		{"both", &lambda.UpdateResourceRequest{CPULimit: "8", MemoryLimit: "16Gi"}, `{"cpu_limit":"8","memory_limit":"16Gi"}`, "8", "16Gi"},
	}
	for _, tt := range tests { // in order: each builds on the one before
		t.Run(tt.name, func(t *testing.T) {
			srv.ResetRequests()
			res, err := client.Resources.Update(ctx, id, tt.req)
			require.NoError(t, err)
			r := platformOnlyRequest(t, srv)
			assert.Equal(t, "PUT", r.Method)
			assert.Equal(t, "/v1/resources/"+id, r.Path)
			assert.JSONEq(t, tt.wantBody, string(r.Body))
			assert.Equal(t, tt.wantCPU, res.CPULimit)
			assert.Equal(t, tt.wantMem, res.MemoryLimit)
		})
	}

	srv.ResetRequests()
	for _, req := range []*lambda.UpdateResourceRequest{nil, {}} {
		_, err := client.Resources.Update(ctx, id, req)
		assert.ErrorIs(t, err, lambda.ErrInvalidRequest)
	}
	_, err := client.Resources.Update(ctx, "", &lambda.UpdateResourceRequest{CPULimit: "1"})
	assert.ErrorIs(t, err, lambda.ErrInvalidRequest)
	assert.Empty(t, srv.Requests(), "refused before sending")
}

func TestResourcesDelete(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	id := createPlatformResources(t, client, "us-east-1", 1)[0]
	srv.ResetRequests()

	require.NoError(t, client.Resources.Delete(ctx, id))
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "DELETE", r.Method)
	assert.Equal(t, "/v1/resources/"+id, r.Path)

	_, err := client.Resources.Get(ctx, id, nil)
	assert.ErrorIs(t, err, lambda.ErrNotFound)
	assert.ErrorIs(t, client.Resources.Delete(ctx, id), lambda.ErrNotFound)

	srv.ResetRequests()
	_, err = client.Resources.WaitUntilReady(ctx, id, fastWait)
	assert.ErrorIs(t, err, lambda.ErrNotFound, "a wait on a deleted resource fails fast")
	assert.Len(t, srv.Requests(), 1)

	assert.ErrorIs(t, client.Resources.Delete(ctx, " "), lambda.ErrInvalidRequest)
}

func TestResourcesListFilter(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	east := createPlatformResources(t, client, "us-east", 3)
	west := createPlatformResources(t, client, "eu-west", 2)

	type regionFilter struct {
		Region string `json:"region,omitempty"`
		VPC    string `json:"vpc,omitempty"`
	}
	var nilMap map[string]any
	tests := []struct {
		name       string
		opts       *lambda.ListResourcesOptions
		wantFilter string // "" for no filter parameter
		wantQuery  url.Values
		wantIDs    []string
	}{
		{"nil options", nil, "", url.Values{}, append(append([]string{}, east...), west...)},
		{"map filter", &lambda.ListResourcesOptions{Filter: map[string]any{"region": "eu-west"}},
			`{"region":"eu-west"}`, nil, west},
		{"struct filter", &lambda.ListResourcesOptions{Filter: regionFilter{Region: "us-east", VPC: "vpc-main"}},
			`{"region":"us-east","vpc":"vpc-main"}`, nil, east},
		{"filter matching nothing", &lambda.ListResourcesOptions{Filter: map[string]any{"region": "mars"}},
			`{"region":"mars"}`, nil, nil},
		{"nil map is no filter", &lambda.ListResourcesOptions{Filter: nilMap}, "", url.Values{},
			append(append([]string{}, east...), west...)},
		{"limit and offset", &lambda.ListResourcesOptions{OffsetOptions: lambda.OffsetOptions{Limit: 2, Offset: 1},
			Filter: map[string]any{"region": "us-east"}},
			`{"region":"us-east"}`, url.Values{"limit": {"2"}, "offset": {"1"}}, east[1:3]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.Requests())
			page, err := client.Resources.List(ctx, tt.opts)
			require.NoError(t, err)
			reqs := srv.Requests()[before:]
			require.Len(t, reqs, 1)
			assert.Equal(t, "GET", reqs[0].Method)
			assert.Equal(t, "/v1/resources", reqs[0].Path)
			q := platformQuery(t, reqs[0])
			if tt.wantFilter == "" {
				assert.NotContains(t, q, "filter")
			} else {
				assert.JSONEq(t, tt.wantFilter, q.Get("filter"))
				q.Del("filter")
			}
			if tt.wantQuery != nil {
				assert.Equal(t, tt.wantQuery, q)
			}
			var ids []string
			for _, r := range page.Items {
				ids = append(ids, r.ID)
			}
			assert.Equal(t, tt.wantIDs, ids)
			assert.Zero(t, page.Pagination, "the route reports no pagination")
		})
	}
}

func TestResourcesListRefusesBadFilters(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	for name, filter := range map[string]any{
		"a string":        `{"region":"us-east"}`,
		"an array":        []string{"region"},
		"a number":        42,
		"not encodable":   map[string]any{"ch": make(chan int)},
		"unsupported key": map[bool]string{true: "x"},
	} {
		_, err := client.Resources.List(testCtx(t), &lambda.ListResourcesOptions{Filter: filter})
		require.ErrorIs(t, err, lambda.ErrInvalidRequest, name)
		var lerr *lambda.Error
		require.ErrorAs(t, err, &lerr, name)
		assert.Equal(t, "filter", lerr.Details.Field, name)
	}
	assert.Empty(t, srv.Requests())
}

func TestResourcesAll(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		count       int
		wantQueries []url.Values
	}{
		{"last window short", 5, []url.Values{
			{"limit": {"2"}}, {"limit": {"2"}, "offset": {"2"}}, {"limit": {"2"}, "offset": {"4"}}}},
		{"last window full", 4, []url.Values{
			{"limit": {"2"}}, {"limit": {"2"}, "offset": {"2"}}, {"limit": {"2"}, "offset": {"4"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			want := createPlatformResources(t, client, "us-east", tt.count)
			createPlatformResources(t, client, "eu-west", 1)
			srv.ResetRequests()

			filter := map[string]any{"region": "us-east"}
			var got []string
			for r, err := range client.Resources.All(testCtx(t), &lambda.ListResourcesOptions{
				OffsetOptions: lambda.OffsetOptions{Limit: 2}, Filter: filter}) {
				require.NoError(t, err)
				got = append(got, r.ID)
			}
			assert.Equal(t, want, got)

			reqs := platformRequests(srv, "GET", "/v1/resources")
			require.Len(t, reqs, len(tt.wantQueries))
			for i, r := range reqs {
				q := platformQuery(t, r)
				assert.JSONEq(t, `{"region":"us-east"}`, q.Get("filter"), "every window keeps the filter")
				q.Del("filter")
				assert.Equal(t, tt.wantQueries[i], q, "window %d", i)
			}
		})
	}
}

func TestResourcesAllStopsOnError(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	createPlatformResources(t, client, "us-east", 3)
	srv.InjectFault(lambdatest.Fault{Method: "GET", Path: "/v1/resources", Status: http.StatusForbidden, Times: -1})
	n := 0
	var errs []error
	for _, err := range client.Resources.All(testCtx(t), nil) {
		n++
		if err != nil {
			errs = append(errs, err)
		}
	}
	require.Len(t, errs, 1)
	assert.Equal(t, 1, n)
	assert.ErrorIs(t, errs[0], lambda.ErrForbidden)
}

// TestResourcesGetFollowsTheGetPattern: Resources.Get has the signature
// every Get has (ctx, id, ...RequestOption), so it is called as the others
// are; expand is a RequestOption, WithExpand, that no other call takes.
func TestResourcesGetFollowsTheGetPattern(t *testing.T) {
	t.Parallel()
	var _ func(context.Context, string, ...lambda.RequestOption) (*lambda.Resource, error) = (&lambda.ResourcesService{}).Get
	client, srv := newSim(t)
	ctx := testCtx(t)
	res, err := client.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: "us-east-1", InstanceType: "t2.micro", VPC: "vpc-1"})
	require.NoError(t, err)

	for _, tc := range []struct {
		name string
		opts []lambda.RequestOption
		want url.Values
	}{
		{"no option", nil, nil},
		{"a nil option", []lambda.RequestOption{nil}, nil},
		{"one name", []lambda.RequestOption{lambda.WithExpand("function")}, url.Values{"expand": {"function"}}},
		{"two names", []lambda.RequestOption{lambda.WithExpand("function", "metrics")}, url.Values{"expand": {"function,metrics"}}},
		{"two options add up", []lambda.RequestOption{lambda.WithExpand("function"), lambda.WithExpand("metrics")}, url.Values{"expand": {"function,metrics"}}},
	} {
		srv.ResetRequests()
		got, err := client.Resources.Get(ctx, res.ID, tc.opts...)
		require.NoError(t, err, tc.name)
		assert.Equal(t, res.ID, got.ID, tc.name)
		r := platformOnlyRequest(t, srv)
		if tc.want == nil {
			assert.Empty(t, r.RawQuery, tc.name)
		} else {
			assert.Equal(t, tc.want, platformQuery(t, r), tc.name)
		}
	}

	// Every other call refuses it before sending: it has no expand to set.
	srv.ResetRequests()
	expand := lambda.WithExpand("function")
	drop := func(_ any, err error) error { return err }
	for name, call := range map[string]func() error{
		"Resources.List": func() error { return drop(client.Resources.List(ctx, nil, expand)) },
		"Resources.Update": func() error {
			return drop(client.Resources.Update(ctx, res.ID, &lambda.UpdateResourceRequest{CPULimit: "2"}, expand))
		},
		"Resources.Delete": func() error { return client.Resources.Delete(ctx, res.ID, expand) },
		"Instances.Get":    func() error { return drop(client.Instances.Get(ctx, "inst_1", expand)) },
		"Client.Do":        func() error { return client.Do(ctx, http.MethodGet, "/resources/"+res.ID, nil, nil, expand) },
	} {
		err := call()
		require.ErrorIs(t, err, lambda.ErrInvalidRequest, name)
		assert.Contains(t, err.Error(), "WithExpand applies to Resources.Get only", name)
	}
	assert.Empty(t, srv.Requests(), "nothing sent")
}

// TestResourcesFunctionTypeFromTheSimulator: a function is a resource of
// type function with memory and last_execution, and expanding "function"
// fills Resource.Function.
func TestResourcesFunctionTypeFromTheSimulator(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	id, err := srv.SeedFunction("user-authentication", "Node.js 20", "active")
	require.NoError(t, err)
	resID := "RES_" + strings.TrimPrefix(id, "FUNC_")
	res, err := client.Resources.Get(ctx, resID, nil)
	require.NoError(t, err)
	assert.Equal(t, lambda.ResourceTypeFunction, res.Type)
	assert.Equal(t, "1024MB", res.Memory)
	require.NotNil(t, res.LastExecution)
	assert.Nil(t, res.Function)

	res, err = client.Resources.Get(ctx, resID, lambda.WithExpand("function"))
	require.NoError(t, err)
	require.NotNil(t, res.Function)
	assert.Equal(t, id, res.Function.ID)
	assert.Equal(t, "user-authentication", res.Function.Name)
	assert.True(t, res.LastExecution.Equal(*res.Function.LastExecuted))
}

// TestResourcesBareAnswers reads the resources and functions
// documentation's own example of GET /resources/{id}, bare JSON.
func TestResourcesBareAnswers(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /resources/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"id": r.PathValue("id"), "type": "function", "region": "eu-west-1",
			"status": "active", "memory": "1024MB", "last_execution": "2025-01-01T03:00:00Z"})
	})
	res, err := client.Resources.Get(testCtx(t), "RES_1234567890", nil)
	require.NoError(t, err)
	want := time.Date(2025, 1, 1, 3, 0, 0, 0, time.UTC)
	assert.Equal(t, &lambda.Resource{ID: "RES_1234567890", Type: lambda.ResourceTypeFunction, Region: "eu-west-1",
		Status: lambda.ResourceStatusActive, Memory: "1024MB", LastExecution: &want}, res)
}

func ExampleResourcesService_All() {
	srv := lambdatest.NewServer()
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()))
	if err != nil {
		panic(err)
	}
	ctx := context.Background()
	for _, region := range []string{"us-east", "eu-west", "us-east"} {
		if _, err := client.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: region, InstanceType: "t2.micro", VPC: "vpc-main"}); err != nil {
			panic(err)
		}
	}

	// The filter is any value that encodes to a JSON object.
	opts := &lambda.ListResourcesOptions{Filter: map[string]string{"region": "us-east"}}
	for res, err := range client.Resources.All(ctx, opts) {
		if err != nil {
			panic(err)
		}
		fmt.Println(res.Region, res.InstanceType)
	}
	// Output:
	// us-east t2.micro
	// us-east t2.micro
}
