package lambdatest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestMalformedBodies sends broken bodies to every route that takes one:
// each must be a 400 invalid_request, never a 500 or a hang.
func TestMalformedBodies(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	inst := srv.SeedInstances(1)[0]
	routes := []struct{ method, path string }{
		{"POST", "/v1/instances"},
		{"PATCH", "/v1/instances/" + inst},
		{"POST", "/v1/instances/" + inst + "/resize"},
		{"POST", "/v1/volumes"},
		{"POST", "/v1/volumes/vol_x/attach"},
		{"POST", "/v1/volumes/vol_x/resize"},
		{"POST", "/v1/snapshots"},
		{"POST", "/v1/firewall/rules"},
		{"POST", "/v1/vpn"},
		{"POST", "/v1/functions"},
		{"PATCH", "/v1/account"},
		{"POST", "/v1/account/api-keys"},
		{"POST", "/v1/webhooks"},
		{"POST", "/v1/resources"},
		{"PUT", "/v1/resources/RES_1"},
		{"POST", "/v2/deployments"},
	}
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
