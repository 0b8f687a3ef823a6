package lambdatest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// TestRoutesOnTheEscapedPath pins that the simulator routes a request the
// way the platform receives it: an escaped "/" (%2F) is part of one ID
// segment, never a separator, so "<id>%2Fnetwork" is an unknown instance,
// not that instance's network.
func TestRoutesOnTheEscapedPath(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id := createInstance(t, srv)
	waitStatus(t, srv, "/v1/instances/"+id, "running")

	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/v1/instances/" + id + "%2Fnetwork", http.StatusNotFound},
		{http.MethodGet, "/v1/instances/" + id + "%2fnetwork", http.StatusNotFound},
		{http.MethodGet, "/v1/instances/" + id + "%2Fmetrics", http.StatusNotFound},
		{http.MethodPost, "/v1/instances/" + id + "%2Fstop", http.StatusNotFound},
		{http.MethodDelete, "/v1/account%2Fapi-keys%2Fkey_1", http.StatusNotFound},
		{http.MethodGet, "/v1/instances%2F" + id, http.StatusNotFound},
		{http.MethodGet, "/v1%2Finstances", http.StatusNotFound},
		{http.MethodGet, "/v1/instances/" + id + "%2F", http.StatusNotFound},
		{http.MethodGet, "/v1/instances/%2E%2E", http.StatusNotFound},
		// Escaping what needs none changes nothing: the segment is the same.
		{http.MethodGet, "/v1/instances/" + id, http.StatusOK},
		{http.MethodGet, "/v1/%69nstances/" + id, http.StatusOK},
		{http.MethodGet, "/v1/instances/" + id + "/networ%6B", http.StatusOK},
	}
	for _, tc := range tests {
		r := call(t, srv, tc.method, tc.path, "")
		require.Equal(t, tc.want, r.status, "%s %s answered %s", tc.method, tc.path, r.raw)
		if tc.want == http.StatusNotFound {
			assert.Equal(t, "not_found", r.errCode(), "%s %s", tc.method, tc.path)
		}
	}
	running := waitStatus(t, srv, "/v1/instances/"+id, "running")
	assert.Equal(t, "running", running["status"], "the POST to <id>%2Fstop stopped nothing")

	reqs := srv.Requests()
	last := reqs[len(reqs)-2] // the waitStatus GET is last; the %6B one before it
	assert.Equal(t, "/v1/instances/"+id+"/networ%6B", last.EscapedPath, "the log keeps the path as sent")
	assert.Equal(t, "/v1/instances/"+id+"/network", last.Path)
}

// TestRequestLogNamesTheOperation: each logged request carries the
// operationId its method and path name, whatever the answer, and "" when
// no operation matches.
func TestRequestLogNamesTheOperation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithOAuthClient("cli_1", "secret_1"))
	tests := []struct {
		method, path string
		header       []string
		status       int
		want         string
	}{
		{http.MethodGet, "/v1/instances", nil, http.StatusOK, "listInstances"},
		{http.MethodGet, "/v2/account/quota", nil, http.StatusOK, "getQuota"},
		{http.MethodGet, "/v1/instances/inst_none", nil, http.StatusNotFound, "getInstance"},
		{http.MethodGet, "/v1/account", []string{"Authorization", ""}, http.StatusUnauthorized, "getAccount"},
		{http.MethodPost, "/v1/workloads", nil, http.StatusBadRequest, "createDeploymentAtWorkloads"},
		{http.MethodPost, "/v1/oauth/token", nil, http.StatusBadRequest, "requestToken"},
		{http.MethodGet, "/v1/oauth/token", nil, http.StatusMethodNotAllowed, ""},
		{http.MethodPut, "/v1/instances", nil, http.StatusNotFound, ""},
		{http.MethodGet, "/v1/instances/inst_1%2Fnetwork", nil, http.StatusNotFound, "getInstance"},
		{http.MethodGet, "/v1/nothing", nil, http.StatusNotFound, ""},
		{http.MethodGet, "/instances", nil, http.StatusNotFound, ""},
	}
	for _, tc := range tests {
		srv.ResetRequests()
		r := call(t, srv, tc.method, tc.path, "", tc.header...)
		require.Equal(t, tc.status, r.status, "%s %s answered %s", tc.method, tc.path, r.raw)
		reqs := srv.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, tc.want, reqs[0].Operation, "%s %s", tc.method, tc.path)
	}
}
