package lambdatest_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestFirewallRules(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/firewall/rules",
		`{"protocol":"tcp","port_range":"8000-8080","source":"10.0.0.0/8","action":"allow"}`).data(t)
	id := d["id"].(string)
	assert.Regexp(t, `^fw_`, id)
	assert.Equal(t, "8000-8080", d["port_range"])
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/firewall/rules", `{"protocol":"icmp","source":"0.0.0.0/0","action":"deny"}`)

	tests := []struct {
		name, body, field string
	}{
		{"bad protocol", `{"protocol":"sctp","port_range":"22","source":"0.0.0.0/0","action":"allow"}`, "protocol"},
		{"bad CIDR", `{"protocol":"tcp","port_range":"22","source":"10.0.0.300/8","action":"allow"}`, "source"},
		{"tcp without ports", `{"protocol":"tcp","source":"0.0.0.0/0","action":"allow"}`, "port_range"},
		{"reversed range", `{"protocol":"udp","port_range":"90-80","source":"0.0.0.0/0","action":"allow"}`, "port_range"},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/firewall/rules", tc.body)
		assert.Equal(t, tc.field, r.errField(), tc.name)
	}

	assert.Len(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/firewall/rules", "").items(t), 2)

	inst := createInstance(t, srv)
	waitStatus(t, srv, "/v1/instances/"+inst, "running")
	n := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst+"/network", "").data(t)
	assert.Equal(t, inst, n["instance_id"])
	assert.NotEmpty(t, n["public_ip"])
	assert.NotEmpty(t, n["private_ip"])
	assert.NotEmpty(t, n["vpc_id"])
	assert.Len(t, n["firewall_rules"], 2)

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/firewall/rules/"+id, "")
	mustCall(t, srv, http.StatusNotFound, http.MethodDelete, "/v1/firewall/rules/"+id, "")
	assert.Len(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/firewall/rules", "").items(t), 1)
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/instances/inst_missing/network", "")
}

func TestVPNs(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/vpn", `{"name":"office","region":"eu-west-1"}`).data(t)
	assert.Regexp(t, `^vpn_`, d["id"])
	assert.Equal(t, "pending", d["status"])
	waitStatusIn(t, srv, "/v1/vpn", d["id"].(string), "active")
	assert.Len(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/vpn?region=eu-west-1&status=active", "").items(t), 1)
	assert.Empty(t, mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/vpn?region=us-east-1", "").items(t))
	r := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/vpn", `{"name":"office"}`)
	assert.Equal(t, "region", r.errField())
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	inst := createInstance(t, srv)

	d := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst+"/metrics", "").data(t)
	assert.EqualValues(t, 60, d["period"])
	samples := d["samples"].([]any)
	assert.GreaterOrEqual(t, len(samples), 60)
	assert.LessOrEqual(t, len(samples), 61)
	s0 := samples[0].(map[string]any)
	for _, k := range []string{"timestamp", "cpu_percent", "memory_percent", "disk_read_bytes", "disk_write_bytes", "network_in_bytes", "network_out_bytes"} {
		assert.Contains(t, s0, k)
	}

	start := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	q := url.Values{"start": {start.Format(time.RFC3339)}, "end": {start.Add(3 * time.Hour).Format(time.RFC3339)}, "period": {"3600"}}
	a := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst+"/metrics?"+q.Encode(), "")
	b := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst+"/metrics?"+q.Encode(), "")
	require.Len(t, a.data(t)["samples"], 4)
	assert.Equal(t, a.data(t)["samples"], b.data(t)["samples"], "deterministic")

	tests := []struct {
		query, field string
	}{
		{"period=61", "period"},
		{"start=yesterday", "start"},
		{"start=2026-11-02T00:00:00Z&end=2026-11-01T00:00:00Z", "end"},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusBadRequest, http.MethodGet, "/v1/instances/"+inst+"/metrics?"+tc.query, "")
		assert.Equal(t, tc.field, r.errField(), tc.query)
	}
	mustCall(t, srv, http.StatusNotFound, http.MethodGet, "/v1/instances/inst_missing/metrics", "")
}
