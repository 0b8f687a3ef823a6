package lambdatest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// TestPlatformAcceptsWhatTheDocumentationSends: by default the simulator
// takes the requests the platform takes, as the API documentation's examples
// send them; WithStrictRequests refuses each of them with a 400 naming what
// is at fault.
func TestPlatformAcceptsWhatTheDocumentationSends(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		method      string
		path        string
		body        string
		header      []string // pairs for call; "" deletes
		want        int
		strictField string
	}{
		{name: "POST without Idempotency-Key", method: "POST", path: "/v1/instances", body: instanceBody,
			header: []string{"Idempotency-Key", ""}, want: http.StatusCreated, strictField: "Idempotency-Key"},
		{name: "POST with an empty Idempotency-Key", method: "POST", path: "/v1/instances", body: instanceBody,
			header: []string{"Idempotency-Key", " "}, want: http.StatusCreated, strictField: "Idempotency-Key"},
		{name: "JSON body without Content-Type", method: "POST", path: "/v1/instances", body: instanceBody,
			header: []string{"Content-Type", ""}, want: http.StatusCreated, strictField: "Content-Type"},
		{name: "JSON body as curl -d labels it", method: "POST", path: "/v1/instances", body: instanceBody,
			header: []string{"Content-Type", "application/x-www-form-urlencoded"}, want: http.StatusCreated, strictField: "Content-Type"},
		{name: "unknown body field", method: "POST", path: "/v1/functions",
			body: `{"name":"f","runtime":"Node.js 20","handler":"index.handler","memory":"1024MB"}`,
			want: http.StatusCreated, strictField: "memory"},
		{name: "unknown query parameter", method: "GET", path: "/v1/instances?per_page=5", want: http.StatusOK, strictField: "per_page"},
		{name: "limit above 100", method: "GET", path: "/v1/instances?limit=500", want: http.StatusOK, strictField: "limit"},
		{name: "sort by another field", method: "GET", path: "/v1/instances?sort=status&order=desc", want: http.StatusOK, strictField: "sort"},
		{name: "a status no instance has", method: "GET", path: "/v1/instances?status=bogus", want: http.StatusOK, strictField: "status"},
		{name: "resources limit above 100", method: "GET", path: "/v1/resources?limit=1000", want: http.StatusOK, strictField: "limit"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mustCall(t, newPlatform(t), tc.want, tc.method, tc.path, tc.body, tc.header...)
			r := mustCall(t, newServer(t), http.StatusBadRequest, tc.method, tc.path, tc.body, tc.header...)
			assert.Equal(t, "invalid_request", r.errCode())
			assert.Equal(t, tc.strictField, r.errField())
		})
	}
}

// TestPlatformKeylessPostsAreNotReplayProtected: without a key, two equal
// POSTs are two creations, as on the platform.
func TestPlatformKeylessPostsAreNotReplayProtected(t *testing.T) {
	t.Parallel()
	srv := newPlatform(t)
	a := mustCall(t, srv, http.StatusCreated, "POST", "/v1/instances", instanceBody, "Idempotency-Key", "")
	b := mustCall(t, srv, http.StatusCreated, "POST", "/v1/instances", instanceBody, "Idempotency-Key", "")
	assert.NotEqual(t, a.data(t)["id"], b.data(t)["id"])
	assert.Empty(t, b.header.Get("Idempotent-Replayed"))
	// With a key, the repeat is still a replay.
	c := mustCall(t, srv, http.StatusCreated, "POST", "/v1/instances", instanceBody, "Idempotency-Key", "k1")
	d := mustCall(t, srv, http.StatusCreated, "POST", "/v1/instances", instanceBody, "Idempotency-Key", "k1")
	assert.Equal(t, c.raw, d.raw)
	assert.Equal(t, "true", d.header.Get("Idempotent-Replayed"))
	assert.Len(t, mustCall(t, srv, http.StatusOK, "GET", "/v1/instances", "").items(t), 3)
}

// TestPlatformLimitAndSort: limit has no cap, sort takes any field of the
// listed objects, and a required field is still required.
func TestPlatformLimitAndSort(t *testing.T) {
	t.Parallel()
	srv := newPlatform(t)
	srv.SeedInstances(150)
	r := mustCall(t, srv, http.StatusOK, "GET", "/v1/instances?limit=200&sort=id&order=desc", "")
	items := r.items(t)
	require.Len(t, items, 150)
	assert.EqualValues(t, 200, r.json["pagination"].(map[string]any)["limit"])
	for i := 1; i < len(items); i++ {
		assert.Greater(t, items[i-1].(map[string]any)["id"], items[i].(map[string]any)["id"])
	}
	e := mustCall(t, srv, http.StatusBadRequest, "POST", "/v1/instances", `{"name":"web","region":"us-west-1","image":"ubuntu-22.04","instance_typ":"compute-2x"}`)
	assert.Equal(t, "instance_type", e.errField())
	assert.Regexp(t, `^instance_type: `, e.json["error"].(map[string]any)["message"], "the message names the field")
	mustCall(t, srv, http.StatusBadRequest, "GET", "/v1/instances?limit=0", "")
	// An operation the API does not have is a 404 in the error envelope, as when strict.
	for _, target := range []string{"/v1/nope", "/v1/instances/inst_1/explode"} {
		e = mustCall(t, srv, http.StatusNotFound, "POST", target, `{}`)
		assert.Equal(t, "not_found", e.errCode(), target)
	}
	// order is asc or desc, as the API overview's sorting examples show, on every list.
	for _, route := range []string{"/v1/instances", "/v1/volumes", "/v1/functions"} {
		e = mustCall(t, srv, http.StatusBadRequest, "GET", route+"?sort=name&order=sideways", "")
		assert.Equal(t, "order", e.errField(), route)
		assert.Equal(t, "invalid_request", e.errCode(), route)
	}
}

// TestPlatformSortsByAStringFieldsValue: sort takes any field of the
// listed objects, and a string field sorts by its value, not by its JSON
// text (which escapes "&" as \u0026).
func TestPlatformSortsByAStringFieldsValue(t *testing.T) {
	t.Parallel()
	srv := newPlatform(t)
	for _, image := range []string{"ubuntu-22.04", "ubuntu&22.04", "debian-12"} {
		mustCall(t, srv, http.StatusCreated, "POST", "/v1/instances",
			`{"name":"web","instance_type":"compute-1x","region":"us-west-1","image":"`+image+`"}`)
	}
	var images []any
	for _, it := range mustCall(t, srv, http.StatusOK, "GET", "/v1/instances?sort=image&order=asc", "").items(t) {
		images = append(images, it.(map[string]any)["image"])
	}
	assert.Equal(t, []any{"debian-12", "ubuntu&22.04", "ubuntu-22.04"}, images)
}

// TestPlatformDeploymentAtTheDocumentedURL: the workloads documentation's
// example posts a deployment to /v1/workloads; it makes a deployment and its
// workload.
func TestPlatformDeploymentAtTheDocumentedURL(t *testing.T) {
	t.Parallel()
	for _, srv := range []*lambdatest.Server{newPlatform(t), newServer(t)} {
		r := mustCall(t, srv, http.StatusCreated, "POST", "/v1/workloads", `{"config":"high-performance","region":"us-west-2","min_instances":3}`)
		assert.Equal(t, "success", r.json["status"])
		d := r.data(t)
		assert.Equal(t, "high-performance", d["config"])
		assert.EqualValues(t, 3, d["min_instances"])
		var ids []any
		for _, w := range mustCall(t, srv, http.StatusOK, "GET", "/v1/workloads", "").data(t)["workloads"].([]any) {
			ids = append(ids, w.(map[string]any)["id"])
		}
		assert.Contains(t, ids, d["workload_id"])
	}
}

// TestFunctionResources: every function is also a resource of type
// "function", as the resources and functions documentation shows one, and
// expand=function embeds it.
func TestFunctionResources(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	id, err := srv.SeedFunction("user-authentication", "Node.js 20", "active")
	require.NoError(t, err)
	resID := "RES_" + strings.TrimPrefix(id, "FUNC_")

	var res map[string]any
	require.NoError(t, json.Unmarshal(mustCall(t, srv, http.StatusOK, "GET", "/v1/resources/"+resID, "").raw, &res))
	assert.Equal(t, "function", res["type"])
	assert.Equal(t, "eu-west-1", res["region"])
	assert.Equal(t, "1024MB", res["memory"])
	assert.NotEmpty(t, res["last_execution"])
	assert.Nil(t, res["function"], "not expanded unless asked")

	require.NoError(t, json.Unmarshal(mustCall(t, srv, http.StatusOK, "GET", "/v1/resources/"+resID+"?expand=function", "").raw, &res))
	fn, ok := res["function"].(map[string]any)
	require.True(t, ok, "expand=function embeds the function: %v", res)
	assert.Equal(t, id, fn["id"])
	assert.Equal(t, res["last_execution"], fn["last_executed"])

	var list []map[string]any
	require.NoError(t, json.Unmarshal(mustCall(t, srv, http.StatusOK, "GET", "/v1/resources?filter="+url.QueryEscape(`{"type":"function"}`), "").raw, &list))
	require.Len(t, list, 1)
	assert.Equal(t, resID, list[0]["id"])
}
