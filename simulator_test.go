package lambda_test

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

func TestSimulatorCreateAndWait(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	inst, err := client.Instances.Create(ctx, createReq)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusPending, inst.Status)
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, fastWait)
	require.NoError(t, err)
	assert.Equal(t, lambda.InstanceStatusRunning, inst.Status)
	assert.NotEmpty(t, inst.PublicIP)

	reqs := srv.Requests()
	require.NotEmpty(t, reqs)
	assert.Equal(t, http.MethodPost, reqs[0].Method)
	assert.Equal(t, "/v1/instances", reqs[0].Path)
	assert.JSONEq(t, `{"name":"web","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04","ssh_keys":["key_abc123"]}`, string(reqs[0].Body))
}

func TestSimulatorRefusesABadRequestWithTheField(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	_, err := client.Instances.Create(context.Background(), &lambda.CreateInstanceRequest{Name: "x", InstanceType: "huge", Region: "us-west-1", Image: "ubuntu-22.04"})
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	assert.Equal(t, "instance_type", lerr.Details.Field)
	assert.Contains(t, lerr.Details.AllowedValues, "compute-4x")
	assert.NotEmpty(t, lerr.RequestID)
}

func TestSimulatorConcurrentCreatesAreDistinct(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	var wg sync.WaitGroup
	ids := make(chan string, 50)
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			inst, err := client.Instances.Create(context.Background(), createReq)
			if assert.NoError(t, err) {
				ids <- inst.ID
			}
		}()
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		assert.False(t, seen[id], "duplicate id %s", id)
		seen[id] = true
	}
	assert.Len(t, seen, 50)
}

func TestSimulatorPagesThrough250Instances(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	srv.SeedInstances(250)
	seen := map[string]bool{}
	for inst, err := range client.Instances.All(context.Background(), &lambda.ListInstancesOptions{ListOptions: lambda.ListOptions{Limit: 40}}) {
		require.NoError(t, err)
		seen[inst.ID] = true
	}
	assert.Len(t, seen, 250)
	assert.Len(t, platformRequests(srv, http.MethodGet, "/v1/instances"), 7)
}

func TestSimulatorWrongKey(t *testing.T) {
	t.Parallel()
	_, srv := newSim(t)
	client := simClient(t, srv, lambda.WithAPIKey("λ_sk_wrong"))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	assert.False(t, errors.Is(err, lambda.ErrNotFound))
}

// TestSimulatorBaseURL: BaseURL is the root with its version, and a client
// pointed at it, or at its v2 twin, reaches the same state.
func TestSimulatorBaseURL(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	assert.Equal(t, srv.URL+"/v1", srv.BaseURL())
	assert.Equal(t, srv.BaseURL(), client.BaseURL())
	ctx := testCtx(t)
	inst, err := client.Instances.Create(ctx, createReq)
	require.NoError(t, err)

	v2 := simClient(t, srv, lambda.WithAPIVersion("v2"))
	assert.Equal(t, srv.URL+"/v2", v2.BaseURL())
	got, err := v2.Instances.Get(ctx, inst.ID)
	require.NoError(t, err)
	assert.Equal(t, inst.ID, got.ID)

	_, err = lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.URL))
	require.ErrorContains(t, err, "did you mean \""+srv.BaseURL()+"\"?")
}
