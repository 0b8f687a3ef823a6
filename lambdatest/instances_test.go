package lambdatest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func TestInstanceLifeCycle(t *testing.T) {
	t.Parallel()
	srv := newServer(t)

	r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances", instanceBody)
	d := r.data(t)
	id := d["id"].(string)
	assert.Regexp(t, `^inst_`, id)
	assert.Equal(t, "pending", d["status"])
	assert.Nil(t, d["public_ip"], "no public IP before running")
	assert.Equal(t, true, r.json["success"])
	assert.Equal(t, r.header.Get("X-Request-Id"), r.json["metadata"].(map[string]any)["request_id"])

	running := waitStatus(t, srv, "/v1/instances/"+id, "running")
	assert.NotEmpty(t, running["public_ip"])
	assert.Equal(t, "compute-2x", running["instance_type"])

	steps := []struct {
		action, via, to string
	}{
		{"stop", "stopping", "stopped"},
		{"start", "pending", "running"},
		{"restart", "restarting", "running"},
	}
	for _, s := range steps {
		r := mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/instances/"+id+"/"+s.action, "")
		assert.Equal(t, s.via, r.data(t)["status"], s.action)
		waitStatus(t, srv, "/v1/instances/"+id, s.to)
	}

	r = mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/instances/"+id+"/resize", `{"instance_type":"compute-8x"}`)
	assert.Equal(t, "resizing", r.data(t)["status"])
	got := waitStatus(t, srv, "/v1/instances/"+id, "running")
	assert.Equal(t, "compute-8x", got["instance_type"])

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/instances/"+id, "")
	r = mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/instances/"+id, "")
	assert.Equal(t, "not_found", r.errCode())
}

func TestInstanceActionsRefusedInWrongState(t *testing.T) {
	t.Parallel()
	// "stopping" must still hold one call after the stop: a long step keeps
	// it so on a loaded machine.
	srv := newServer(t, lambdatest.WithTransitionDelay(400*time.Millisecond))
	id := createInstance(t, srv)
	waitStatus(t, srv, "/v1/instances/"+id, "running")

	tests := []struct {
		name, path, body string
	}{
		{"start while running", "/start", ""},
		{"resize to the same type", "/resize", `{"instance_type":"compute-2x"}`},
	}
	for _, tc := range tests {
		r := call(t, srv, http.MethodPost, "/v1/instances/"+id+tc.path, tc.body)
		assert.Contains(t, []int{http.StatusConflict, http.StatusBadRequest}, r.status, tc.name)
	}
	r := mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/instances/"+id+"/start", "")
	assert.Equal(t, "conflict", r.errCode())

	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/instances/"+id+"/stop", "")
	r = mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/instances/"+id+"/restart", "")
	assert.Contains(t, r.raw, byte('{'))
	assert.Contains(t, string(r.raw), "stopping")
}

func TestInstanceUpdate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := createInstance(t, srv)

	r := mustCall(t, srv, http.StatusOK, http.MethodPatch, "/v1/instances/"+id, `{"name":"renamed"}`)
	d := r.data(t)
	assert.Equal(t, "renamed", d["name"])
	assert.Equal(t, map[string]any{"env": "test"}, d["tags"], "tags untouched when not sent")

	r = mustCall(t, srv, http.StatusOK, http.MethodPatch, "/v1/instances/"+id, `{"tags":{}}`)
	assert.Equal(t, map[string]any{}, r.data(t)["tags"])
	assert.Equal(t, "renamed", r.data(t)["name"])

	got := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+id, "").data(t)
	assert.Equal(t, "renamed", got["name"], "the change persists")

	mustCall(t, srv, http.StatusNotFound, http.MethodPatch, "/v1/instances/inst_nope", `{"name":"x"}`)
}

func TestInstanceValidation(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct {
		name, body, field string
	}{
		{"bad type", `{"name":"w","instance_type":"huge","region":"r","image":"i"}`, "instance_type"},
		{"missing name", `{"instance_type":"compute-1x","region":"r","image":"i"}`, "name"},
		{"unknown field", `{"name":"w","instance_type":"compute-1x","region":"r","image":"i","size":3}`, "size"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/instances", tc.body)
			assert.Equal(t, "invalid_request", r.errCode())
			assert.Equal(t, tc.field, r.errField(), "%s", r.raw)
		})
	}
	r := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/instances", `{"name":"w","instance_type":"huge","region":"r","image":"i"}`)
	details := r.json["error"].(map[string]any)["details"].(map[string]any)
	assert.Equal(t, "huge", details["value"])
	assert.Contains(t, details["allowed_values"], "compute-4x")

	r = mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/instances?limit=500", "")
	assert.Equal(t, "limit", r.errField())
	r = mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/instances?status=sleeping", "")
	assert.Equal(t, "status", r.errField())
}

func TestInstanceDeleteWithAttachedVolume(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := createInstance(t, srv)
	vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", `{"name":"data","size_gb":10,"region":"us-west-1"}`).data(t)["id"].(string)
	waitStatus(t, srv, "/v1/volumes/"+vol, "available")
	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/volumes/"+vol+"/attach", `{"instance_id":"`+id+`"}`)

	r := mustCall(t, srv, http.StatusConflict, http.MethodDelete, "/v1/instances/"+id, "")
	assert.Contains(t, string(r.raw), vol, "the message names the attached volume")
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+id, "")

	waitStatus(t, srv, "/v1/volumes/"+vol, "attached")
	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/volumes/"+vol+"/detach", "")
	waitStatus(t, srv, "/v1/volumes/"+vol, "available")
	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/instances/"+id, "")
}

func TestSetInstanceStatus(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := createInstance(t, srv)
	require.NoError(t, srv.SetInstanceStatus(id, "error"))
	assert.Equal(t, "error", mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+id, "").data(t)["status"])
	assert.Error(t, srv.SetInstanceStatus(id, "asleep"))
	assert.Error(t, srv.SetInstanceStatus("inst_nope", "running"))
}
