package lambdatest_test

import (
	"net/http"
	"testing"
	"time"

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

// TestPauseTransitionsHoldsEveryStatus: while paused, nothing moves however
// long the test takes (here ten transition delays), objects made during
// the pause included; after ResumeTransitions everything moves on again.
func TestPauseTransitionsHoldsEveryStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithTransitionDelay(20*time.Millisecond))
	inst := createInstance(t, srv)
	srv.PauseTransitions()
	srv.PauseTransitions() // twice is once
	vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)

	time.Sleep(200 * time.Millisecond) // ten delays: every step would have moved
	got := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst, "").data(t)["status"]
	assert.Contains(t, []any{"pending", "provisioning"}, got, "the instance moved while paused")
	assert.Equal(t, "creating", mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/volumes/"+vol, "").data(t)["status"],
		"a volume created while paused moved")

	srv.ResumeTransitions()
	srv.ResumeTransitions() // without a pause: nothing
	waitStatus(t, srv, "/v1/instances/"+inst, "running")
	waitStatus(t, srv, "/v1/volumes/"+vol, "available")
}

// TestResetEndsAPause: a Reset world moves on its own again.
func TestResetEndsAPause(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.PauseTransitions()
	srv.Reset()
	inst := createInstance(t, srv)
	waitStatus(t, srv, "/v1/instances/"+inst, "running")
}
