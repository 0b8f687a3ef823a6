package lambdatest_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// TestDocumentedShapes: under WithSeedShapes each route answers in the
// shape its API documentation shows; without it, in the canonical envelope.
func TestDocumentedShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, method, path, body string
		status                   int
		canonical, documented    string // "envelope", "array", "object", "status"
	}{
		{"list functions", "GET", "/v1/functions", "", 200, "envelope", "array"},
		{"create function", "POST", "/v1/functions", `{"name":"user-authentication","runtime":"Node.js 20","handler":"index.handler"}`, 201, "envelope", "object"},
		{"list invoices", "GET", "/v1/billing/invoices", "", 200, "envelope", "array"},
		{"list resources", "GET", "/v1/resources", "", 200, "array", "array"},
		{"usage", "GET", "/v1/usage", "", 200, "object", "object"},
		{"list workloads", "GET", "/v1/workloads", "", 200, "status", "status"},
		{"create deployment", "POST", "/v1/deployments", `{"config":"high-performance","region":"us-west-2","min_instances":3}`, 201, "status", "status"},
		{"list instances", "GET", "/v1/instances", "", 200, "envelope", "envelope"},
	}
	shapeOf := func(raw []byte) string {
		var v any
		require.NoError(t, json.Unmarshal(raw, &v))
		switch v := v.(type) {
		case []any:
			return "array"
		case map[string]any:
			if _, ok := v["success"]; ok {
				return "envelope"
			}
			if _, ok := v["status"].(string); ok && v["data"] != nil {
				return "status"
			}
			return "object"
		}
		return "other"
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := mustCall(t, newServer(t), tc.status, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.canonical, shapeOf(r.raw), "canonical: %s", r.raw)
			r = mustCall(t, newServer(t, lambdatest.WithSeedShapes()), tc.status, tc.method, tc.path, tc.body)
			assert.Equal(t, tc.documented, shapeOf(r.raw), "documented: %s", r.raw)
		})
	}
}

// TestDocumentedShapesPaging: under WithSeedShapes the resources and
// functions documentation's lists give everything without limit and page
// with it; the workloads documentation's list has no paging at all; the
// resources list defaults to 50.
func TestDocumentedShapesPaging(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithSeedShapes())
	for i := range 30 {
		_, err := srv.SeedFunction(fmt.Sprintf("f%02d", i), "Node.js 20", "active")
		require.NoError(t, err)
		mustCall(t, srv, http.StatusCreated, "POST", "/v1/deployments", `{"config":"c","region":"us-west-2","min_instances":1}`)
	}
	for range 60 {
		mustCall(t, srv, http.StatusCreated, "POST", "/v1/resources", `{"region":"us-east","instance_type":"t2.micro","vpc":"default"}`)
	}
	count := func(path string) int {
		var v []any
		require.NoError(t, json.Unmarshal(mustCall(t, srv, http.StatusOK, "GET", path, "").raw, &v))
		return len(v)
	}
	assert.Equal(t, 30, count("/v1/functions"))
	assert.Equal(t, 10, count("/v1/functions?limit=20&page=2"))
	assert.Equal(t, 50, count("/v1/resources"))
	wl := mustCall(t, srv, http.StatusOK, "GET", "/v1/workloads?limit=5&page=2", "").data(t)["workloads"].([]any)
	assert.GreaterOrEqual(t, len(wl), 30, "no paging")
}
