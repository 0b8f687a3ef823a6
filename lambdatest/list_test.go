package lambdatest_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

func TestPagingOverSeededInstances(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	ids := srv.SeedInstances(250)
	require.Len(t, ids, 250)

	var got []string
	for page := 1; ; page++ {
		r := mustCall(t, srv, http.StatusOK, http.MethodGet, fmt.Sprintf("/v1/instances?page=%d&limit=100", page), "")
		p := r.json["pagination"].(map[string]any)
		assert.EqualValues(t, page, p["page"])
		assert.EqualValues(t, 100, p["limit"])
		assert.EqualValues(t, 250, p["total_items"])
		assert.EqualValues(t, 3, p["total_pages"])
		assert.Equal(t, page > 1, p["has_prev"])
		for _, it := range r.items(t) {
			got = append(got, it.(map[string]any)["id"].(string))
		}
		if p["has_next"] == false {
			break
		}
		require.Less(t, page, 10, "has_next never became false")
	}
	assert.Equal(t, ids, got, "every instance once, oldest first")

	r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances?page=4&limit=100", "")
	assert.Empty(t, r.items(t), "past the end: an empty page")
	r = mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "")
	assert.Len(t, r.items(t), 20, "default limit")
}

func TestListFiltersAndSort(t *testing.T) {
	t.Parallel()
	// The new instance must still be pending when listed: under -race on a
	// loaded machine the default 20 ms delay had passed already.
	srv := newServer(t, lambdatest.WithTransitionDelay(time.Hour))
	srv.SeedInstances(9) // regions cycle us-west-1, us-east-1, eu-west-1
	id := createInstance(t, srv)

	tests := []struct {
		query string
		want  int
	}{
		{"region=us-east-1", 3},
		{"status=running", 9},
		{"status=pending", 1},
		{"status=running&region=eu-west-1", 3},
		{"region=nowhere", 0},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances?"+tc.query, "")
		assert.Len(t, r.items(t), tc.want, tc.query)
		assert.EqualValues(t, tc.want, r.json["pagination"].(map[string]any)["total_items"], tc.query)
	}

	r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances?sort=name&order=desc", "")
	items := r.items(t)
	assert.Equal(t, "web", items[0].(map[string]any)["name"])
	assert.Equal(t, "seed-9", items[1].(map[string]any)["name"])
	assert.Equal(t, "seed-1", items[len(items)-1].(map[string]any)["name"])

	r = mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances?order=desc", "")
	assert.Equal(t, id, r.items(t)[0].(map[string]any)["id"], "newest first")

	r = mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/instances?sort=color", "")
	assert.Equal(t, "sort", r.errField())
	r = mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/instances?per_page=5", "")
	assert.Equal(t, "per_page", r.errField())
}

func TestFunctions(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/functions",
		`{"name":"user-authentication","runtime":"Node.js 20","handler":"index.handler","tags":["auth"]}`)
	d := r.data(t)
	assert.Regexp(t, `^FUNC_\d{10}$`, d["id"])
	assert.Equal(t, "created", d["status"])
	assert.NotEmpty(t, d["deployment_started"])
	waitStatusIn(t, srv, "/v1/functions?tag=auth", d["id"].(string), "active")

	_, err := srv.SeedFunction("old-job", "python3.12", "deprecated", "batch")
	require.NoError(t, err)
	_, err = srv.SeedFunction("x", "go", "sleeping")
	require.Error(t, err)

	tests := []struct {
		query string
		want  int
	}{
		{"", 2},
		{"status=active", 1},
		{"status=deprecated", 1},
		{"runtime=Node.js%2020", 1},
		{"runtime=python3.12&status=deprecated", 1},
		{"tag=batch", 1},
		{"tag=none", 0},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/functions?"+tc.query, "")
		assert.Len(t, r.items(t), tc.want, tc.query)
	}
	r = mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/functions", `{"name":"x","runtime":"go"}`)
	assert.Equal(t, "handler", r.errField())
}

// TestHugeAndNegativePagingValuesAre400: a page near math.MaxInt once
// panicked the handler (slice bounds), and the client saw a bare EOF.
func TestHugeAndNegativePagingValuesAre400(t *testing.T) {
	t.Parallel()
	for _, srv := range []*lambdatest.Server{newServer(t), newPlatform(t), newPlatform(t, lambdatest.WithSeedShapes())} {
		srv.SeedInstances(3)
		for _, route := range []string{"/v1/instances", "/v1/volumes", "/v1/functions", "/v1/workloads", "/v1/billing/invoices", "/v1/vpn", "/v1/firewall/rules", "/v1/account/api-keys"} {
			for _, q := range []string{"page=9223372036854775807", "page=9223372036854775806&limit=100", "page=4611686018427387904&limit=2",
				"page=-1", "page=0", "limit=-5", "limit=9223372036854775807", "page=2147483648", "page=99999999999999999999"} {
				mustCall(t, srv, http.StatusBadRequest, http.MethodGet, route+"?"+q, "")
			}
			// The largest page allowed is past the end: an empty page, not a panic.
			mustCall(t, srv, http.StatusOK, http.MethodGet, route+"?page=2147483647&limit=100", "")
		}
		for _, q := range []string{"offset=9223372036854775807", "offset=-1", "limit=9223372036854775807", "limit=0"} {
			mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/resources?"+q, "")
		}
		mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/resources?offset=2147483647", "")
	}
}
