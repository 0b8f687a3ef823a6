package lambdatest_test

import (
	"net/http"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var moneyPattern = regexp.MustCompile(`^-?\$\d{1,3}(,\d{3})*\.\d{2}$`)

func TestBillingUsage(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	enveloped := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/usage", "").data(t)
	bare := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/usage", "")
	assert.NotContains(t, bare.json, "success", "the older route answers bare JSON")
	assert.Equal(t, enveloped, bare.json)

	assert.EqualValues(t, 524378, bare.json["total_executions"])
	assert.Equal(t, "42.3 GBh", bare.json["gigabytes_hour"])
	assert.Equal(t, "$2,345.00", bare.json["current_month_cost"])
	_, err := time.Parse(time.DateOnly, bare.json["period_start"].(string))
	assert.NoError(t, err)
}

func TestInvoicesAndEstimate(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/invoices", "")
	items := r.items(t)
	require.Len(t, items, 3)
	var amounts []string
	for _, it := range items {
		inv := it.(map[string]any)
		assert.Regexp(t, `^inv_`, inv["id"])
		assert.Regexp(t, moneyPattern, inv["amount"])
		_, err := time.Parse(time.DateOnly, inv["date"].(string))
		assert.NoError(t, err)
		amounts = append(amounts, inv["amount"].(string))
	}
	assert.Equal(t, []string{"$12,345.67", "$2,899.99", "$3,242.50"}, amounts, "newest first")

	id := items[0].(map[string]any)["id"].(string)
	inv := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/invoices/"+id, "").data(t)
	assert.Equal(t, "open", inv["status"])
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/billing/invoices/inv_missing", "")

	page := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/invoices?limit=2&page=2", "")
	assert.Len(t, page.items(t), 1)

	est := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/billing/estimate", "").data(t)
	assert.Regexp(t, moneyPattern, est["current_cost"])
	assert.Regexp(t, moneyPattern, est["estimated_cost"])
	assert.Len(t, est["breakdown"], 4)
}

func TestAccount(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	a := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "").data(t)
	assert.Regexp(t, `^acct_`, a["id"])
	assert.Equal(t, "professional", a["plan"])

	a = mustCall(t, srv, http.StatusOK, http.MethodPatch, "/v1/account", `{"company":"Acme"}`).data(t)
	assert.Equal(t, "Acme", a["company"])
	assert.Equal(t, "dev@example.com", a["email"], "only the fields sent change")
	assert.Equal(t, "Acme", mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "").data(t)["company"])
	r := mustCall(t, srv, http.StatusBadRequest, http.MethodPatch, "/v1/account", `{"email":"not-an-email"}`)
	assert.Equal(t, "email", r.errField())

	srv.SeedInstances(3)
	q := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account/quota", "").data(t)
	assert.EqualValues(t, 3, q["instances"].(map[string]any)["used"])
	assert.EqualValues(t, 10000, q["requests_per_hour"])
}

func TestResources(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/resources", `{"region":"us-east","instance_type":"t2.micro","vpc":"vpc-1"}`)
	assert.NotContains(t, r.json, "success", "bare JSON")
	id := r.json["id"].(string)
	assert.Regexp(t, `^RES_\d{10}$`, id)
	assert.Equal(t, "pending", r.json["status"])
	assert.NotEmpty(t, r.json["provisioning_started_at"])
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/resources", `{"region":"eu-west-1","instance_type":"t2.micro","vpc":"vpc-1"}`)

	waitStatus(t, srv, "/v1/resources/"+id, "active")
	got := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/resources/"+id+"?expand=instance", "")
	assert.Equal(t, "us-east", got.json["region"])

	upd := mustCall(t, srv, http.StatusOK, http.MethodPut, "/v1/resources/"+id, `{"cpu_limit":"4","memory_limit":"8Gi"}`)
	assert.Equal(t, "4", upd.json["cpu_limit"])
	assert.Equal(t, "8Gi", upd.json["memory_limit"])
	mustCall(t, srv, http.StatusBadRequest, http.MethodPut, "/v1/resources/"+id, `{}`)

	tests := []struct {
		query string
		want  int
	}{
		{"", 2},
		{"limit=1", 1},
		{"offset=1", 1},
		{"offset=5", 0},
		{`filter={"region":"us-east"}`, 1},
		{`filter={"region":"us-east","status":"active"}`, 1},
		{`filter={"region":"mars"}`, 0},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/resources?"+escapeQuery(tc.query), "")
		var list []any
		require.NoError(t, jsonUnmarshal(r.raw, &list), tc.query)
		assert.Len(t, list, tc.want, tc.query)
	}
	bad := mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/resources?filter="+url.QueryEscape("{region"), "")
	assert.Equal(t, "filter", bad.errField())
	assert.Equal(t, "invalid_request", bad.errCode())

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/resources/"+id, "")
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/resources/"+id, "")
}

func TestWorkloadsAndDeployments(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	r := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/workloads", "")
	assert.Equal(t, "success", r.json["status"])
	assert.Len(t, r.data(t)["workloads"], 2, "two seeded workloads")

	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/deployments", `{"config":"high-performance","region":"us-west-2","min_instances":3}`)
	assert.Equal(t, "success", d.json["status"])
	dep := d.data(t)
	assert.Regexp(t, `^dep_`, dep["id"])
	assert.EqualValues(t, 3, dep["min_instances"])
	assert.Equal(t, "pending", dep["status"])
	wl := dep["workload_id"].(string)
	assert.Regexp(t, `^w-\d+$`, wl)

	poll(t, srv, "/v1/workloads", func(c *assert.CollectT, r resp) {
		data, _ := r.json["data"].(map[string]any)
		workloads, _ := data["workloads"].([]any)
		assert.Equal(c, "running", itemStatus(workloads, wl), "%s in %s", wl, r.raw)
	})
	r = mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/workloads?limit=2&page=2", "")
	assert.Len(t, r.data(t)["workloads"], 1)

	bad := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/deployments", `{"config":"c","region":"r","min_instances":0}`)
	assert.Equal(t, "min_instances", bad.errField())
}

// TestResourcesOldestFirst: GET /resources lists by created_at, on the
// server's clock, even when that clock was set back between two creations.
func TestResourcesOldestFirst(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	body := `{"region":"us-east","instance_type":"t2.micro","vpc":"vpc-1"}`
	later := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/resources", body).json["id"]
	require.NoError(t, srv.AdvanceClock(-time.Hour))
	earlier := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/resources", body).json["id"]
	var list []map[string]any
	require.NoError(t, jsonUnmarshal(mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/resources", "").raw, &list))
	require.Len(t, list, 2)
	assert.Equal(t, []any{earlier, later}, []any{list[0]["id"], list[1]["id"]})
}
