package lambdatest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func TestSetStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	inst := createInstance(t, srv)
	vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)

	require.NoError(t, srv.SetStatus("instances", inst, "error"))
	assert.Equal(t, "error", mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst, "").data(t)["status"])
	require.NoError(t, srv.SetStatus("volumes", vol, "error"))
	assert.Equal(t, "error", mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/volumes/"+vol, "").data(t)["status"])

	assert.Error(t, srv.SetStatus("instances", inst, "on fire"), "not an instance status")
	assert.Error(t, srv.SetStatus("instances", "inst_nope", "error"))
	assert.Error(t, srv.SetStatus("volumes", "vol_nope", "error"))
	assert.Error(t, srv.SetStatus("volumes", vol, "Not A Word"))
	assert.Error(t, srv.SetStatus("spaceships", "x", "error"))
}

func TestResetForgetsTheWorld(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	before := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/workloads", "").raw
	inst := createInstance(t, srv)
	srv.SeedInstances(3)
	srv.InjectFault(lambdatest.Fault{Method: "GET", Path: "/v1/account", Status: 503})

	srv.Reset()
	assert.Empty(t, srv.Requests(), "the request log is forgotten")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "") // the fault is gone
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/instances/"+inst, "")
	assert.Contains(t, string(mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "").raw), `"data":[]`, "no instances")
	after := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/workloads", "").raw
	assert.Equal(t, len(before), len(after), "the seed data is made again")
}
