package lambdatest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// TestMalformedBodies sends broken bodies to every route that takes one:
// each must be a 400 invalid_request, never a 500 or a hang.
func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	inst := srv.SeedInstances(1)[0]
	contract, err := lambdatest.LoadContract()
	require.NoError(t, err)
	type route struct{ method, path string }
	var routes []route
	for _, op := range contract.Operations() {
		if op.JSONBody {
			routes = append(routes, route{op.Method, "/v1" + strings.ReplaceAll(op.Path, "{id}", inst)})
		}
	}
	require.Contains(t, routes, route{"POST", "/v1/instances"}, "the contract's operations with a JSON body")
	bodies := []string{"not json", "{", "[]", "null", `"x"`, `{"name":7}`}
	for _, rt := range routes {
		for _, body := range bodies {
			r := call(t, srv, rt.method, rt.path, body)
			assert.Equal(t, http.StatusBadRequest, r.status, "%s %s %s: %s", rt.method, rt.path, body, r.raw)
			assert.Equal(t, "invalid_request", r.errCode(), "%s %s %s", rt.method, rt.path, body)
		}
	}
	// A body where none is expected is refused too.
	r := call(t, srv, http.MethodPost, "/v1/instances/"+inst+"/stop", `{"force":true}`)
	assert.Equal(t, http.StatusBadRequest, r.status, "%s", r.raw)
}

func TestOversizedBody(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	big := `{"name":"` + strings.Repeat("a", 2<<20) + `"}`
	r := call(t, srv, http.MethodPost, "/v1/vpn", big)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "body", r.errField())
}
