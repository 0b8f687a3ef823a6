package lambdatest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// adminOp is one operation of the admin API's contract (admin.yaml).
type adminOp struct {
	method, path string // the path with its parameters filled in
	body         bool   // it takes a JSON body
}

func adminOps(t *testing.T) []adminOp {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(lambdatest.AdminContract)
	require.NoError(t, err)
	var ops []adminOp
	for path, item := range doc.Paths.Map() {
		path = strings.NewReplacer("{kind}", "instances", "{id}", "inst_none").Replace(path)
		for method, op := range item.Operations() {
			ops = append(ops, adminOp{method: method, path: path, body: op.RequestBody != nil})
		}
	}
	require.NotEmpty(t, ops)
	return ops
}

// adminSend sends one admin request and returns the status, headers and
// body.
func adminSend(t *testing.T, srv *lambdatest.Server, token, method, path, body string) (int, http.Header, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, res.Header, raw
}

// requireAdminError checks the admin API's error shape, {"error":
// {"message": "..."}}, which its contract gives every error.
func requireAdminError(t *testing.T, h http.Header, raw []byte, what string) {
	t.Helper()
	assert.Equal(t, "application/json", h.Get("Content-Type"), what)
	var e struct {
		Error struct {
			Message string `json:"message"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal(raw, &e), "%s: %s", what, raw)
	assert.NotEmpty(t, e.Error.Message, "%s: %s", what, raw)
}

// TestAdminAPIRefusals walks every operation of the admin API's contract:
// without the token, with a method the path does not take, and with a body
// that is not JSON, of the wrong shape or with an unknown member. Each is
// refused with the right status in the admin API's error shape; a wrong
// method is a 405 that names the right ones in Allow, not a 404 that says
// the route does not exist.
func TestAdminAPIRefusals(t *testing.T) {
	t.Parallel()
	const token = "adm"
	srv := lambdatest.NewServer(lambdatest.WithAdminAPI(token))
	t.Cleanup(srv.Close)
	ops := adminOps(t)
	allowed := map[string][]string{}
	for _, op := range ops {
		allowed[op.path] = append(allowed[op.path], op.method)
	}

	for _, path := range []string{"/_lambdasim/nope", "/_lambdasim/clock/advance/more", "/_lambdasim/status/instances"} {
		status, h, raw := adminSend(t, srv, token, http.MethodGet, path, "")
		assert.Equal(t, http.StatusNotFound, status, "%s: %s", path, raw)
		requireAdminError(t, h, raw, path)
	}

	for _, op := range ops {
		name := op.method + " " + op.path
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tok := range []string{"", "wrong", lambdatest.DefaultAPIKey} {
				status, h, raw := adminSend(t, srv, tok, op.method, op.path, "")
				assert.Equal(t, http.StatusUnauthorized, status, "token %q", tok)
				requireAdminError(t, h, raw, "token "+tok)
			}
			for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
				if slices.Contains(allowed[op.path], m) {
					continue
				}
				status, h, raw := adminSend(t, srv, token, m, op.path, "")
				assert.Equal(t, http.StatusMethodNotAllowed, status, "%s %s: %s", m, op.path, raw)
				requireAdminError(t, h, raw, m)
				for _, a := range allowed[op.path] {
					assert.Contains(t, h.Get("Allow"), a, "%s %s", m, op.path)
				}
			}
			if !op.body {
				return
			}
			for _, body := range []string{`{`, `[]`, `"x"`, `{"no_such_member":1}`, `{"instances":"3","by":1,"now":1,"status":1,"times":"x"}`, "\xff\xfe"} {
				status, h, raw := adminSend(t, srv, token, op.method, op.path, body)
				assert.Equal(t, http.StatusBadRequest, status, "body %q: %s", body, raw)
				requireAdminError(t, h, raw, body)
			}
		})
	}
}

// TestAdminAPIValues: the values the admin API's contract bounds or
// defaults, each as it says.
func TestAdminAPIValues(t *testing.T) {
	t.Parallel()
	const token = "adm"
	srv := lambdatest.NewServer(lambdatest.WithAdminAPI(token))
	t.Cleanup(srv.Close)
	tests := []struct {
		method, path, body string
		want               int
	}{
		{"POST", "/_lambdasim/faults", `{"status":99}`, http.StatusBadRequest},
		{"POST", "/_lambdasim/faults", `{"status":600}`, http.StatusBadRequest},
		{"POST", "/_lambdasim/faults", `{"delay":"-1s"}`, http.StatusBadRequest},
		{"POST", "/_lambdasim/seed", `{"instances":-1}`, http.StatusBadRequest},
		{"POST", "/_lambdasim/seed", `{"instances":10001}`, http.StatusBadRequest},
		{"POST", "/_lambdasim/seed", ``, http.StatusOK}, // no body: nothing to seed
		{"PUT", "/_lambdasim/clock", `{}`, http.StatusBadRequest},
		{"PUT", "/_lambdasim/clock", ``, http.StatusBadRequest},
		{"POST", "/_lambdasim/clock/advance", `{"by":"soon"}`, http.StatusBadRequest},
	}
	for _, tc := range tests {
		status, h, raw := adminSend(t, srv, token, tc.method, tc.path, tc.body)
		assert.Equal(t, tc.want, status, "%s %s %s: %s", tc.method, tc.path, tc.body, raw)
		if tc.want >= 400 {
			requireAdminError(t, h, raw, tc.body)
		}
	}

	// A fault's header goes out with its answer.
	status, _, raw := adminSend(t, srv, token, "POST", "/_lambdasim/faults",
		`{"path":"/v1/account","status":503,"header":{"Retry-After":"7"}}`)
	require.Equal(t, http.StatusNoContent, status, "%s", raw)
	r := mustCall(t, srv, http.StatusServiceUnavailable, "GET", "/v1/account", "")
	assert.Equal(t, "7", r.header.Get("Retry-After"))

	// A seeded function without runtime or status: python3.11, active.
	status, _, raw = adminSend(t, srv, token, "POST", "/_lambdasim/seed", `{"functions":[{"name":"fn"}]}`)
	require.Equal(t, http.StatusOK, status, "%s", raw)
	fns := mustCall(t, srv, http.StatusOK, "GET", "/v1/functions", "").items(t)
	require.Len(t, fns, 1)
	assert.Equal(t, "python3.11", fns[0].(map[string]any)["runtime"])
	assert.Equal(t, "active", fns[0].(map[string]any)["status"])
}
