package lambdatest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

const volumeBody = `{"name":"data","size_gb":10,"region":"us-west-1"}`

func TestVolumeLifeCycle(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	inst := createInstance(t, srv)

	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)
	id := d["id"].(string)
	assert.Regexp(t, `^vol_`, id)
	assert.Equal(t, "creating", d["status"])
	assert.Nil(t, d["instance_id"])
	waitStatus(t, srv, "/v1/volumes/"+id, "available")

	d = mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/volumes/"+id+"/attach", `{"instance_id":"`+inst+`"}`).data(t)
	assert.Equal(t, "attaching", d["status"])
	assert.Equal(t, inst, d["instance_id"])
	waitStatus(t, srv, "/v1/volumes/"+id, "attached")

	r := mustCall(t, srv, http.StatusConflict, http.MethodDelete, "/v1/volumes/"+id, "")
	assert.Equal(t, "conflict", r.errCode())
	mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/volumes/"+id+"/attach", `{"instance_id":"`+inst+`"}`)

	d = mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/volumes/"+id+"/resize", `{"size_gb":20}`).data(t)
	assert.Equal(t, "resizing", d["status"])
	assert.EqualValues(t, 20, d["size_gb"])
	waitStatus(t, srv, "/v1/volumes/"+id, "attached")

	r = mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/volumes/"+id+"/resize", `{"size_gb":5}`)
	assert.Equal(t, "size_gb", r.errField(), "volumes only grow")

	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/volumes/"+id+"/detach", "")
	got := waitStatus(t, srv, "/v1/volumes/"+id, "available")
	assert.Nil(t, got["instance_id"])
	mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/volumes/"+id+"/detach", "")

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/volumes/"+id, "")
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/volumes/"+id, "")
}

func TestVolumeValidation(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)
	waitStatus(t, srv, "/v1/volumes/"+id, "available")

	r := mustCall(t, srv, http.StatusNotFound, http.MethodPost, "/v1/volumes/"+id+"/attach", `{"instance_id":"inst_missing"}`)
	assert.Equal(t, "instance_id", r.errField(), "attach needs an existing instance")

	tests := []struct {
		name, body, field string
	}{
		{"too big", `{"name":"d","size_gb":20000,"region":"r"}`, "size_gb"},
		{"zero", `{"name":"d","size_gb":0,"region":"r"}`, "size_gb"},
		{"not a number", `{"name":"d","size_gb":"ten","region":"r"}`, "size_gb"},
		{"no region", `{"name":"d","size_gb":1}`, "region"},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/volumes", tc.body)
		assert.Equal(t, tc.field, r.errField(), tc.name)
	}

	list := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/volumes?status=available", "")
	assert.Len(t, list.items(t), 1)
}

func TestSnapshots(t *testing.T) {
	t.Parallel()
	// "creating" and "restoring" must still hold one call later: a long
	// step keeps them so on a loaded machine.
	srv := newServer(t, lambdatest.WithTransitionDelay(400*time.Millisecond))
	vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)

	r := mustCall(t, srv, http.StatusNotFound, http.MethodPost, "/v1/snapshots", `{"name":"s","volume_id":"vol_missing"}`)
	assert.Equal(t, "volume_id", r.errField())

	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/snapshots", `{"name":"nightly","volume_id":"`+vol+`"}`).data(t)
	id := d["id"].(string)
	assert.Regexp(t, `^snap_`, id)
	assert.Equal(t, "creating", d["status"])
	assert.EqualValues(t, 10, d["size_gb"])
	mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/snapshots/"+id+"/restore", "")
	waitStatus(t, srv, "/v1/snapshots/"+id, "available")

	d = mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/snapshots/"+id+"/restore", "").data(t)
	assert.Equal(t, "restoring", d["status"])
	waitStatus(t, srv, "/v1/snapshots/"+id, "available")

	list := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/snapshots", "")
	require.Len(t, list.items(t), 1)
	list = mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/snapshots?volume_id="+vol, "")
	require.Len(t, list.items(t), 1)
	list = mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/snapshots?volume_id=vol_other", "")
	require.Empty(t, list.items(t), "the volume_id filter is applied")
	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/snapshots/"+id, "")
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/snapshots/"+id, "")
}

// TestStorageActionsRefusedInWrongState: each action on a volume or a
// snapshot is a 409 conflict outside the statuses it is allowed from,
// held there with PauseTransitions however slow the machine.
func TestStorageActionsRefusedInWrongState(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	srv.PauseTransitions()
	vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)
	r := mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/volumes/"+vol+"/resize", `{"size_gb":20}`)
	assert.Contains(t, string(r.raw), "creating", "no resizing a volume still being created")
	srv.ResumeTransitions()
	waitStatus(t, srv, "/v1/volumes/"+vol, "available")

	snap := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/snapshots", `{"name":"s","volume_id":"`+vol+`"}`).data(t)["id"].(string)
	waitStatus(t, srv, "/v1/snapshots/"+snap, "available")
	srv.PauseTransitions()
	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/snapshots/"+snap+"/restore", "")
	r = mustCall(t, srv, http.StatusConflict, http.MethodDelete, "/v1/snapshots/"+snap, "")
	assert.Contains(t, string(r.raw), "restored", "no deleting a snapshot being restored")
	srv.ResumeTransitions()
	waitStatus(t, srv, "/v1/snapshots/"+snap, "available")

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/volumes/"+vol, "")
	r = mustCall(t, srv, http.StatusConflict, http.MethodPost, "/v1/snapshots/"+snap+"/restore", "")
	assert.Contains(t, string(r.raw), vol, "no restoring onto a volume that is gone")
	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/snapshots/"+snap, "")
}
