package lambda_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

func TestWorkloadsList(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)

	page, err := client.Workloads.List(testCtx(t), nil)
	require.NoError(t, err)
	r := platformOnlyRequest(t, srv)
	assert.Equal(t, "GET", r.Method)
	assert.Equal(t, "/v1/workloads", r.Path)
	assert.Empty(t, r.RawQuery)

	// The simulator starts with two workloads; the answer is the status
	// shape, {"status":"success","data":{"workloads":[...]}}.
	created := time.Date(2024, 3, 14, 9, 26, 53, 0, time.UTC)
	require.Len(t, page.Items, 2)
	assert.Regexp(t, `^w-\d+$`, page.Items[0].ID)
	assert.Equal(t, lambda.Workload{ID: page.Items[0].ID, Name: "web-frontend", Status: lambda.WorkloadStatusRunning,
		Region: "us-west-2", CreatedAt: created}, page.Items[0])
	assert.Equal(t, lambda.Workload{ID: page.Items[1].ID, Name: "batch-etl", Status: lambda.WorkloadStatusRunning,
		Region: "us-east-1", CreatedAt: created.Add(time.Hour)}, page.Items[1])
	assert.Zero(t, page.Pagination, "the route reports no pagination")
}

func TestDeploymentsCreateAndWorkloadsAll(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	var deployed []*lambda.Deployment
	for i := range 3 {
		before := len(srv.Requests())
		dep, err := client.Deployments.Create(ctx, &lambda.CreateDeploymentRequest{
			Config: fmt.Sprintf("config-%d", i), Region: "eu-central-1", MinInstances: i + 1})
		require.NoError(t, err)
		reqs := srv.Requests()[before:]
		require.Len(t, reqs, 1)
		assert.Equal(t, "POST", reqs[0].Method)
		assert.Equal(t, "/v1/deployments", reqs[0].Path)
		assert.JSONEq(t, fmt.Sprintf(`{"config":"config-%d","region":"eu-central-1","min_instances":%d}`, i, i+1), string(reqs[0].Body))

		assert.Regexp(t, `^dep_`, dep.ID)
		assert.Regexp(t, `^w-\d+$`, dep.WorkloadID)
		assert.Equal(t, fmt.Sprintf("config-%d", i), dep.Config)
		assert.Equal(t, "eu-central-1", dep.Region)
		assert.Equal(t, i+1, dep.MinInstances)
		assert.Equal(t, lambda.DeploymentStatusPending, dep.Status)
		assert.WithinDuration(t, srv.Now(), dep.CreatedAt, time.Minute)
		deployed = append(deployed, dep)
	}
	srv.ResetRequests()

	var got []lambda.Workload
	for w, err := range client.Workloads.All(ctx, &lambda.ListWorkloadsOptions{ListOptions: lambda.ListOptions{Limit: 2}}) {
		require.NoError(t, err)
		got = append(got, w)
	}
	require.Len(t, got, 5, "two seeded workloads and one per deployment")
	for i, dep := range deployed {
		w := got[2+i]
		assert.Equal(t, dep.WorkloadID, w.ID)
		assert.Equal(t, dep.Config, w.Name)
		assert.Equal(t, "eu-central-1", w.Region)
	}
	reqs := platformRequests(srv, "GET", "/v1/workloads")
	if underDocumentedShapes() {
		// The workloads documentation's route ignores paging: five
		// workloads for a limit of two say that was everything.
		require.Len(t, reqs, 1)
		return
	}
	require.Len(t, reqs, 3, "pages of 2, 2 and 1: the short page is the last")
	for i, r := range reqs {
		assert.Equal(t, url.Values{"page": {fmt.Sprint(i + 1)}, "limit": {"2"}}, platformQuery(t, r))
	}
}

func TestDeploymentsCreateRefused(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	tests := []struct {
		name  string
		req   *lambda.CreateDeploymentRequest
		field string
	}{
		{"no instances", &lambda.CreateDeploymentRequest{Config: "c", Region: "r"}, "min_instances"},
		{"no config", &lambda.CreateDeploymentRequest{Region: "r", MinInstances: 1}, "config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := client.Deployments.Create(testCtx(t), tt.req)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, http.StatusBadRequest, lerr.HTTPStatus)
			if tt.field != "" {
				require.NotNil(t, lerr.Details)
				assert.Equal(t, tt.field, lerr.Details.Field)
			}
		})
	}
}

// TestWorkloadsStatusShapeErrors checks that a status-shaped error inside a
// 200 is an error, not an empty list.
func TestWorkloadsStatusShapeErrors(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("GET /workloads", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"status":"error","error":{"code":"forbidden","message":"no workloads for you"}}`))
	})
	_, err := client.Workloads.List(testCtx(t), nil)
	assert.ErrorIs(t, err, lambda.ErrForbidden)
}
