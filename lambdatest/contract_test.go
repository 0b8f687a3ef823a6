package lambdatest

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

func loadTestContract(t *testing.T) *Contract {
	t.Helper()
	c, err := LoadContract()
	require.NoError(t, err)
	require.NotNil(t, c)
	return c
}

// contractRequest builds a request as a client would send it: JSON bodies get a
// Content-Type and POSTs an Idempotency-Key unless the case says otherwise.
func contractRequest(t *testing.T, method, url, body string, header map[string]string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	if method == http.MethodPost {
		r.Header.Set("Idempotency-Key", "3f1c9a7e5b2d4c6e8f0a1b2c3d4e5f60")
	}
	for k, v := range header {
		if v == "" {
			r.Header.Del(k)
		} else {
			r.Header.Set(k, v)
		}
	}
	return r
}

func TestContractSpecLoadsAndValidates(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(lambda.OpenAPISpec())
	require.NoError(t, err)
	require.NoError(t, doc.Validate(context.Background()))
	assert.Equal(t, "3.0.3", doc.OpenAPI)

	// Every endpoint of the platform's API documents has an operation with
	// an ID. The contract may have more: TestEveryOperationIsServedAndCalled
	// (package lambda) holds each operation to a handler and an SDK call.
	want := []string{
		"POST /instances", "GET /instances", "GET /instances/{id}", "PATCH /instances/{id}", "DELETE /instances/{id}",
		"POST /instances/{id}/start", "POST /instances/{id}/stop", "POST /instances/{id}/restart",
		"POST /instances/{id}/resize", "GET /instances/{id}/network", "GET /instances/{id}/metrics",
		"GET /instances/{id}/metrics/stream",
		"POST /volumes", "GET /volumes", "GET /volumes/{id}", "DELETE /volumes/{id}",
		"POST /volumes/{id}/attach", "POST /volumes/{id}/detach", "POST /volumes/{id}/resize",
		"POST /snapshots", "GET /snapshots", "GET /snapshots/{id}", "DELETE /snapshots/{id}", "POST /snapshots/{id}/restore",
		"POST /firewall/rules", "GET /firewall/rules", "DELETE /firewall/rules/{id}",
		"POST /vpn", "GET /vpn", "GET /functions", "POST /functions",
		"GET /billing/usage", "GET /usage", "GET /billing/invoices", "GET /billing/invoices/{id}", "GET /billing/estimate",
		"GET /account", "PATCH /account", "GET /account/quota",
		"POST /account/api-keys", "GET /account/api-keys", "DELETE /account/api-keys/{id}",
		"POST /webhooks",
		"GET /resources", "POST /resources", "GET /resources/{id}", "PUT /resources/{id}", "DELETE /resources/{id}",
		"GET /workloads", "POST /workloads", "POST /deployments",
		"POST /oauth/token",
	}
	var got []string
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			got = append(got, method+" "+path)
			assert.NotEmpty(t, op.OperationID, "%s %s", method, path)
			if isAuthorizationServer(op) {
				continue // RFC 6749's rules, not the API's
			}
			if method == http.MethodPost {
				assert.NotNil(t, op.Parameters.GetByInAndName("header", "Idempotency-Key"), "%s %s", method, path)
			}
			if method == http.MethodDelete {
				assert.NotNil(t, op.Responses.Status(http.StatusNoContent), "%s %s", method, path)
			}
			assert.NotNil(t, op.Responses.Status(http.StatusTooManyRequests), "%s %s", method, path)
		}
	}
	assert.Subset(t, got, want)
	require.Contains(t, doc.Components.SecuritySchemes, "bearerAuth")
	require.Contains(t, doc.Components.SecuritySchemes, "apiKeyAuth")
	assert.Len(t, doc.Security, 2)
}

func TestContractLoadIsSharedAndConcurrent(t *testing.T) {
	t.Parallel()
	const n = 8
	got := make([]*Contract, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := LoadContract()
			assert.NoError(t, err)
			got[i] = c
			// Validation too is safe to share between goroutines.
			r := contractRequest(t, "GET", "http://127.0.0.1:9/v1/instances?status=running&page=2", "", nil)
			assert.NoError(t, c.ValidateRequest(r, nil))
		}()
	}
	wg.Wait()
	for _, c := range got {
		assert.Same(t, got[0], c)
	}
}

func TestContractValidateRequest(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	const okInstance = `{"name":"web","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04","ssh_keys":["key_abc123"]}`
	tests := []struct {
		name    string
		method  string
		url     string
		body    string
		header  map[string]string
		field   string   // "" with wantErr: not attributable
		allowed []string // expected subset of Allowed
		value   any
		noRoute bool
		wantErr bool
		msg     string // a substring of Message
	}{
		{name: "valid create instance", method: "POST", url: "http://127.0.0.1:8080/v1/instances", body: okInstance},
		{name: "production host", method: "POST", url: "https://api.lambda.io/v1/instances", body: okInstance},
		{name: "v2 prefix", method: "POST", url: "http://[::1]:1/v2/instances", body: okInstance},
		{name: "non-ASCII values", method: "POST", url: "http://localhost/v1/instances",
			body: `{"name":"λ-web-日本語 ✓","instance_type":"compute-1x","region":"eu-ouest-é","image":"ubuntu","tags":{"équipe":"données"}}`},
		{name: "missing name", method: "POST", url: "http://localhost/v1/instances",
			body: `{"instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04"}`, wantErr: true, field: "name", msg: "missing"},
		{name: "enum instance_type", method: "POST", url: "http://localhost/v1/instances",
			body: `{"name":"web","instance_type":"huge","region":"us-west-1","image":"ubuntu-22.04"}`, wantErr: true,
			field: "instance_type", value: "huge", allowed: []string{"compute-1x", "compute-2x", "compute-4x", "compute-8x", "compute-16x"}},
		{name: "wrong type size_gb", method: "POST", url: "http://localhost/v1/volumes",
			body: `{"name":"data","size_gb":"100","region":"us-west-1"}`, wantErr: true, field: "size_gb", value: "100"},
		{name: "size_gb out of range", method: "POST", url: "http://localhost/v1/volumes",
			body: `{"name":"data","size_gb":0,"region":"us-west-1"}`, wantErr: true, field: "size_gb"},
		{name: "unknown body field (camelCase tag)", method: "POST", url: "http://localhost/v1/instances",
			body:    `{"name":"web","instanceType":"compute-4x","instance_type":"compute-4x","region":"r","image":"i"}`,
			wantErr: true, field: "instanceType", msg: "unknown field"},
		{name: "array element", method: "POST", url: "http://localhost/v1/instances",
			body:    `{"name":"web","instance_type":"compute-4x","region":"r","image":"i","ssh_keys":[42]}`,
			wantErr: true, field: "ssh_keys.0", value: float64(42)},
		{name: "map value", method: "PATCH", url: "http://localhost/v1/instances/inst_1",
			body: `{"tags":{"env":1}}`, wantErr: true, field: "tags.env"},
		{name: "patch with some fields", method: "PATCH", url: "http://localhost/v1/instances/inst_1", body: `{"tags":{}}`},
		{name: "nested enum in unknown field of webhook", method: "POST", url: "http://localhost/v1/webhooks",
			body: `{"url":"https://example.com/h","events":[],"secret":"s"}`, wantErr: true, field: "events"},
		{name: "valid query", method: "GET", url: "http://localhost/v1/instances?page=2&limit=100&status=running&region=us-west-1&sort=name&order=desc"},
		{name: "bad status enum", method: "GET", url: "http://localhost/v1/instances?status=bogus",
			wantErr: true, field: "status", value: "bogus", allowed: []string{"running", "stopped"}},
		{name: "bad order enum", method: "GET", url: "http://localhost/v1/volumes?order=up", wantErr: true, field: "order", allowed: []string{"asc", "desc"}},
		{name: "limit too big", method: "GET", url: "http://localhost/v1/instances?limit=101", wantErr: true, field: "limit"},
		{name: "page zero", method: "GET", url: "http://localhost/v1/functions?page=0", wantErr: true, field: "page"},
		{name: "limit not a number", method: "GET", url: "http://localhost/v1/instances?limit=ten", wantErr: true, field: "limit"},
		{name: "unknown query parameter", method: "GET", url: "http://localhost/v1/instances?per_page=5",
			wantErr: true, field: "per_page", msg: "unknown query parameter"},
		{name: "functions filters", method: "GET", url: "http://localhost/v1/functions?status=deprecated&runtime=Node.js+20&tag=auth"},
		{name: "resources filter JSON", method: "GET", url: `http://localhost/v1/resources?limit=10&offset=20&filter=%7B%22region%22%3A%22us-east%22%7D`},
		{name: "resources filter not JSON", method: "GET", url: "http://localhost/v1/resources?filter=region%3Dus", wantErr: true, field: "filter"},
		{name: "resources page param refused", method: "GET", url: "http://localhost/v1/resources?page=2", wantErr: true, field: "page"},
		{name: "metrics period enum", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics?period=61", wantErr: true, field: "period"},
		{name: "metrics start not a time", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics?start=yesterday", wantErr: true, field: "start"},
		{name: "metrics window", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics?start=2026-11-23T09:00:00Z&end=2026-11-23T10:00:00Z&period=300"},
		{name: "missing idempotency key", method: "POST", url: "http://localhost/v1/instances", body: okInstance,
			header: map[string]string{"Idempotency-Key": ""}, wantErr: true, field: "Idempotency-Key", msg: "missing required header parameter"},
		{name: "action without body", method: "POST", url: "http://localhost/v1/instances/inst_1/start"},
		{name: "action with a body", method: "POST", url: "http://localhost/v1/instances/inst_1/stop", body: `{}`,
			wantErr: true, msg: "no request body"},
		{name: "missing body", method: "POST", url: "http://localhost/v1/volumes/vol_1/attach", wantErr: true, msg: "body is required"},
		{name: "wrong content type", method: "POST", url: "http://localhost/v1/vpn", body: `{"name":"v","region":"r"}`,
			header: map[string]string{"Content-Type": "text/plain"}, wantErr: true, field: "Content-Type"},
		{name: "body not JSON", method: "POST", url: "http://localhost/v1/vpn", body: `{"name":`, wantErr: true},
		{name: "resources update needs a field", method: "PUT", url: "http://localhost/v1/resources/RES_1", body: `{}`, wantErr: true},
		{name: "resources update", method: "PUT", url: "http://localhost/v1/resources/RES_1", body: `{"cpu_limit":"4","memory_limit":"8Gi"}`},
		{name: "deployment", method: "POST", url: "http://localhost/v1/deployments", body: `{"config":"high-performance","region":"us-west-2","min_instances":3}`},
		{name: "deployment min_instances", method: "POST", url: "http://localhost/v1/deployments",
			body: `{"config":"c","region":"r","min_instances":0}`, wantErr: true, field: "min_instances"},
		{name: "websocket upgrade", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics/stream",
			header: map[string]string{"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}},
		{name: "unknown route", method: "GET", url: "http://localhost/v1/nothing", noRoute: true},
		{name: "unknown method", method: "PUT", url: "http://localhost/v1/instances", body: okInstance, noRoute: true},
		{name: "unknown version", method: "GET", url: "http://localhost/v3/instances", noRoute: true},
		{name: "no version", method: "GET", url: "http://localhost/instances", noRoute: true},
		{name: "trailing slash", method: "GET", url: "http://localhost/v1/instances/", noRoute: true},
		{name: "too deep", method: "GET", url: "http://localhost/v1/instances/inst_1/start/now", noRoute: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := contractRequest(t, tt.method, tt.url, tt.body, tt.header)
			var body []byte
			if tt.body != "" {
				body = []byte(tt.body)
			}
			err := c.ValidateRequest(r, body)
			if tt.noRoute {
				require.Error(t, err)
				assert.ErrorIs(t, err, ErrNoRoute)
				var ce *ContractError
				require.ErrorAs(t, err, &ce)
				assert.Empty(t, ce.Route)
				return
			}
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.NotErrorIs(t, err, ErrNoRoute)
			var ce *ContractError
			require.ErrorAs(t, err, &ce)
			assert.Equal(t, tt.field, ce.Field, "message: %s", ce.Message)
			assert.NotEmpty(t, ce.Message)
			assert.NotEmpty(t, ce.Route)
			assert.True(t, strings.HasPrefix(ce.Route, tt.method+" /"), ce.Route)
			if tt.value != nil {
				assert.Equal(t, tt.value, ce.Value)
			}
			for _, a := range tt.allowed {
				assert.Contains(t, ce.Allowed, a)
				assert.Contains(t, err.Error(), a, "the error names the allowed values")
			}
			if tt.msg != "" {
				assert.Contains(t, ce.Message, tt.msg)
			}
			// The message is one line and bounded: kin-openapi's schema dumps stay out.
			assert.NotContains(t, err.Error(), "\n")
			assert.Less(t, len(err.Error()), 400)
		})
	}
}

func TestContractRequestRouteAndBodyUntouched(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	r := contractRequest(t, "POST", "http://localhost/v1/volumes", `{"name":"d","size_gb":"x","region":"r"}`, nil)
	err := c.ValidateRequest(r, []byte(`{"name":"d","size_gb":"x","region":"r"}`))
	var ce *ContractError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "POST /volumes", ce.Route)
	assert.Contains(t, err.Error(), "POST /volumes")
	assert.Contains(t, err.Error(), `"size_gb"`)
	// The caller's request keeps its path and unread body.
	assert.Equal(t, "/v1/volumes", r.URL.Path)
	b := make([]byte, 4)
	n, _ := r.Body.Read(b)
	assert.Equal(t, `{"na`, string(b[:n]))
}

func TestContractErrorsNeverCarrySecrets(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	const secret = "λ_sk_TOPSECRET_value_0123456789"
	// A header value that breaks the contract (too long) stays out of the error.
	r := contractRequest(t, "POST", "http://localhost/v1/vpn", `{"name":"v","region":"r"}`,
		map[string]string{"Idempotency-Key": strings.Repeat(secret, 10), "Authorization": "Bearer " + secret})
	err := c.ValidateRequest(r, []byte(`{"name":"v","region":"r"}`))
	var ce *ContractError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "Idempotency-Key", ce.Field)
	assert.Nil(t, ce.Value)
	assert.NotContains(t, err.Error(), "TOPSECRET")
	assert.NotContains(t, ce.Message, "TOPSECRET")

	// A body value (a webhook secret of the wrong type) stays out of Error().
	body := `{"url":"https://example.com/h","events":["instance.created"],"secret":["` + secret + `"]}`
	err = c.ValidateRequest(contractRequest(t, "POST", "http://localhost/v1/webhooks", body, nil), []byte(body))
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "secret", ce.Field)
	assert.NotContains(t, err.Error(), "TOPSECRET")
}

func contractHeader() http.Header {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set("X-Request-Id", "req_abc123")
	h.Set("X-RateLimit-Limit", "1000")
	h.Set("X-RateLimit-Remaining", "999")
	h.Set("X-RateLimit-Reset", "1763895600")
	return h
}

const (
	contractMeta     = `"metadata":{"request_id":"req_abc123","timestamp":"2026-11-23T10:00:00Z"}`
	contractInstance = `{"id":"inst_abc123","name":"web","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04","status":"running","ssh_keys":["key_abc123"],"public_ip":"203.0.113.42","private_ip":"10.0.0.2","tags":{"env":"prod"},"created_at":"2026-11-23T10:00:00Z","updated_at":"2026-11-23T10:00:05Z"}`
	contractPage     = `"pagination":{"page":1,"limit":20,"total_items":1,"total_pages":1,"has_next":false,"has_prev":false}`
	contractNotFound = `{"success":false,"error":{"code":"not_found","message":"instance inst_x not found"},"metadata":{"request_id":"req_abc123","timestamp":"2026-01-24T10:30:00Z"}}`
)

func TestContractValidateResponse(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	with := func(h http.Header, k, v string) http.Header {
		h = h.Clone()
		if v == "" {
			h.Del(k)
		} else {
			h.Set(k, v)
		}
		return h
	}
	tests := []struct {
		name    string
		method  string
		url     string
		status  int
		header  http.Header
		body    string
		wantErr bool
		field   string
		msg     string
	}{
		{name: "instance envelope", method: "GET", url: "http://localhost/v1/instances/inst_abc123", status: 200,
			body: `{"success":true,"data":` + contractInstance + `,` + contractMeta + `}`},
		{name: "unknown response fields are fine", method: "GET", url: "http://localhost/v2/instances/inst_abc123", status: 200,
			body: `{"success":true,"data":` + strings.Replace(contractInstance, `"name"`, `"gpu":{"count":1},"name"`, 1) + `,` + contractMeta + `,"extra":1}`},
		{name: "created instance", method: "POST", url: "http://localhost/v1/instances", status: 201,
			body: `{"success":true,"data":` + strings.Replace(contractInstance, `"running"`, `"pending"`, 1) + `,` + contractMeta + `}`},
		{name: "instance_type missing", method: "GET", url: "http://localhost/v1/instances/inst_abc123", status: 200,
			body:    `{"success":true,"data":` + strings.Replace(contractInstance, `"instance_type":"compute-4x",`, ``, 1) + `,` + contractMeta + `}`,
			wantErr: true, field: "data.instance_type", msg: "missing"},
		{name: "instance_type misspelled", method: "GET", url: "http://localhost/v1/instances/inst_abc123", status: 200,
			body:    `{"success":true,"data":` + strings.Replace(contractInstance, `"instance_type"`, `"instanceType"`, 1) + `,` + contractMeta + `}`,
			wantErr: true, field: "data.instance_type"},
		{name: "status not in enum", method: "GET", url: "http://localhost/v1/instances/inst_abc123", status: 200,
			body:    `{"success":true,"data":` + strings.Replace(contractInstance, `"running"`, `"booting"`, 1) + `,` + contractMeta + `}`,
			wantErr: true, field: "data.status"},
		{name: "created_at not a time", method: "GET", url: "http://localhost/v1/instances/inst_abc123", status: 200,
			body:    `{"success":true,"data":` + strings.Replace(contractInstance, `"2026-11-23T10:00:00Z"`, `"yesterday"`, 1) + `,` + contractMeta + `}`,
			wantErr: true, field: "data.created_at"},
		{name: "envelope without metadata", method: "GET", url: "http://localhost/v1/instances/inst_abc123", status: 200,
			body: `{"success":true,"data":` + contractInstance + `}`, wantErr: true, field: "metadata"},
		{name: "list envelope", method: "GET", url: "http://localhost/v1/instances?page=1", status: 200,
			body: `{"success":true,"data":[` + contractInstance + `],` + contractMeta + `,` + contractPage + `}`},
		{name: "list without pagination", method: "GET", url: "http://localhost/v1/instances", status: 200,
			body: `{"success":true,"data":[` + contractInstance + `],` + contractMeta + `}`, wantErr: true, field: "pagination"},
		{name: "bad list element", method: "GET", url: "http://localhost/v1/instances", status: 200,
			body:    `{"success":true,"data":[` + contractInstance + `,{"id":"inst_2"}],` + contractMeta + `,` + contractPage + `}`,
			wantErr: true, field: "data.1.name"},
		{name: "bare usage", method: "GET", url: "http://localhost/v1/usage", status: 200,
			body: `{"period_start":"2026-11-01","period_end":"2026-11-30","total_executions":524378,"gigabytes_hour":"42.3 GBh","current_month_cost":"$2,345.00"}`},
		{name: "bare usage, money without $", method: "GET", url: "http://localhost/v1/usage", status: 200,
			body: `{"total_executions":1,"gigabytes_hour":"42.3 GBh","current_month_cost":"2345.00"}`, wantErr: true, field: "current_month_cost"},
		{name: "usage envelope with credit", method: "GET", url: "http://localhost/v1/billing/usage", status: 200,
			body: `{"success":true,"data":{"total_executions":0,"gigabytes_hour":"0 GBh","current_month_cost":"-$1,012.00"},` + contractMeta + `}`},
		{name: "usage quantity without unit", method: "GET", url: "http://localhost/v1/billing/usage", status: 200,
			body:    `{"success":true,"data":{"total_executions":0,"gigabytes_hour":"42.3","current_month_cost":"$1.00"},` + contractMeta + `}`,
			wantErr: true, field: "data.gigabytes_hour"},
		{name: "invoice date", method: "GET", url: "http://localhost/v1/billing/invoices/inv_1", status: 200,
			body:    `{"success":true,"data":{"id":"inv_1","date":"2024/12/31","amount":"$3,242.50","status":"paid"},` + contractMeta + `}`,
			wantErr: true, field: "data.date"},
		{name: "workloads status shape", method: "GET", url: "http://localhost/v1/workloads", status: 200,
			body: `{"status":"success","data":{"workloads":[{"id":"w-278364","status":"running","created_at":"2025-09-25T14:30:00Z"}]}}`},
		{name: "workloads without wrapper", method: "GET", url: "http://localhost/v1/workloads", status: 200,
			body: `{"status":"success","data":[{"id":"w-278364","status":"running","created_at":"2025-09-25T14:30:00Z"}]}`, wantErr: true, field: "data"},
		{name: "deployment status shape", method: "POST", url: "http://localhost/v1/deployments", status: 201,
			body: `{"status":"success","data":{"id":"dep_1","config":"high-performance","region":"us-west-2","min_instances":3,"status":"pending","workload_id":"w-1","created_at":"2026-11-23T10:00:00Z"}}`},
		{name: "bare resources array", method: "GET", url: "http://localhost/v1/resources?limit=5", status: 200,
			body: `[{"id":"RES_1234567890","region":"us-east","type":"compute","status":"active","created_at":"2025-01-01T00:00:00Z"}]`},
		{name: "resources in an envelope", method: "GET", url: "http://localhost/v1/resources", status: 200,
			body: `{"success":true,"data":[],` + contractMeta + `}`, wantErr: true},
		{name: "rate limited", method: "POST", url: "http://localhost/v1/instances", status: 429,
			header: with(contractHeader(), "Retry-After", "3600"),
			body:   `{"success":false,"error":{"code":"rate_limit_exceeded","message":"Rate limit exceeded. Retry after 3600 seconds.","retry_after":3600},"metadata":{"request_id":"req_abc123","timestamp":"2026-01-24T10:30:00Z"}}`},
		{name: "rate limited without retry_after", method: "GET", url: "http://localhost/v1/instances", status: 429,
			header:  with(contractHeader(), "Retry-After", "3600"),
			body:    `{"success":false,"error":{"code":"rate_limit_exceeded","message":"slow down"},"metadata":{"request_id":"req_abc123","timestamp":"2026-01-24T10:30:00Z"}}`,
			wantErr: true, field: "error.retry_after"},
		{name: "rate limited without Retry-After", method: "GET", url: "http://localhost/v1/instances", status: 429,
			body:    `{"success":false,"error":{"code":"rate_limit_exceeded","message":"slow down","retry_after":1},"metadata":{"request_id":"req_abc123","timestamp":"2026-01-24T10:30:00Z"}}`,
			wantErr: true, field: "Retry-After"},
		{name: "not found with details", method: "GET", url: "http://localhost/v1/volumes/vol_x", status: 404, body: contractNotFound},
		{name: "validation error details", method: "POST", url: "http://localhost/v1/instances", status: 400,
			body: `{"success":false,"error":{"code":"invalid_request","message":"Invalid instance type specified","details":{"field":"instance_type","value":"huge","allowed_values":["compute-1x","compute-2x"]}},"metadata":{"request_id":"req_abc123","timestamp":"2026-11-23T10:00:00Z"}}`},
		{name: "unknown error code", method: "GET", url: "http://localhost/v1/account", status: 500,
			body: `{"success":false,"error":{"code":"oops","message":"x"},"metadata":{"request_id":"req_abc123","timestamp":"2026-01-24T10:30:00Z"}}`, wantErr: true, field: "error.code"},
		{name: "undocumented status", method: "GET", url: "http://localhost/v1/account", status: 418, body: contractNotFound, wantErr: true, msg: "status 418 is not documented"},
		{name: "missing request id header", method: "GET", url: "http://localhost/v1/volumes/vol_x", status: 404,
			header: with(contractHeader(), "X-Request-Id", ""), body: contractNotFound, wantErr: true, field: "X-Request-Id",
			msg: "missing required response header"},
		{name: "request id header differs from the body's", method: "GET", url: "http://localhost/v1/volumes/vol_x", status: 404,
			header: with(contractHeader(), "X-Request-Id", "req_other"), body: contractNotFound, wantErr: true, field: "X-Request-Id"},
		{name: "rate limit header not a number", method: "GET", url: "http://localhost/v1/volumes/vol_x", status: 404,
			header: with(contractHeader(), "X-RateLimit-Remaining", "many"), body: contractNotFound, wantErr: true, field: "X-RateLimit-Remaining",
			msg: "invalid response header"},
		{name: "body not JSON", method: "GET", url: "http://localhost/v1/account", status: 503,
			body: `<html>Bad gateway</html>`, wantErr: true},
		{name: "wrong content type", method: "GET", url: "http://localhost/v1/account", status: 503,
			header: with(contractHeader(), "Content-Type", "text/html"), body: `<html>Bad gateway</html>`, wantErr: true},
		{name: "delete 204", method: "DELETE", url: "http://localhost/v1/instances/inst_1", status: 204, body: ""},
		{name: "delete 204 with a body", method: "DELETE", url: "http://localhost/v1/instances/inst_1", status: 204, body: `{}`, wantErr: true, msg: "no body"},
		{name: "delete answering 200", method: "DELETE", url: "http://localhost/v1/resources/RES_1", status: 200, body: `{}`, wantErr: true},
		{name: "websocket switch", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics/stream", status: 101,
			header: http.Header{"Upgrade": {"websocket"}, "Connection": {"Upgrade"}}},
		{name: "action answering 202", method: "POST", url: "http://localhost/v1/instances/inst_abc123/stop", status: 202,
			body: `{"success":true,"data":` + strings.Replace(contractInstance, `"running"`, `"stopping"`, 1) + `,` + contractMeta + `}`},
		{name: "api key secret shown on create", method: "POST", url: "http://localhost/v1/account/api-keys", status: 201,
			body: `{"success":true,"data":{"id":"key_1","name":"ci","prefix":"λ_sk_12","permissions":[],"created_at":"2026-11-23T10:00:00Z","key":"λ_sk_1234567890abcdef"},` + contractMeta + `}`},
		{name: "api key create without secret", method: "POST", url: "http://localhost/v1/account/api-keys", status: 201,
			body:    `{"success":true,"data":{"id":"key_1","name":"ci","prefix":"λ_sk_12","permissions":[],"created_at":"2026-11-23T10:00:00Z"},` + contractMeta + `}`,
			wantErr: true, field: "data.key"},
		{name: "metrics", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics?period=60", status: 200,
			body: `{"success":true,"data":{"instance_id":"inst_1","period":60,"samples":[{"timestamp":"2026-11-23T10:00:00Z","cpu_percent":12.5,"memory_percent":40,"disk_read_bytes":1,"disk_write_bytes":2,"network_in_bytes":3,"network_out_bytes":4}]},` + contractMeta + `}`},
		{name: "metrics sample with fractional bytes", method: "GET", url: "http://localhost/v1/instances/inst_1/metrics", status: 200,
			body:    `{"success":true,"data":{"instance_id":"inst_1","period":60,"samples":[{"timestamp":"2026-11-23T10:00:00Z","cpu_percent":12.5,"memory_percent":40,"disk_read_bytes":1.5,"disk_write_bytes":2,"network_in_bytes":3,"network_out_bytes":4}]},` + contractMeta + `}`,
			wantErr: true, field: "data.samples.0.disk_read_bytes"},
		{name: "unknown route", method: "GET", url: "http://localhost/v1/nothing", status: 404, body: contractNotFound, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := contractRequest(t, tt.method, tt.url, "", nil)
			h := tt.header
			if h == nil {
				h = contractHeader()
			}
			err := c.ValidateResponse(r, tt.status, h, []byte(tt.body))
			if !tt.wantErr {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			var ce *ContractError
			require.ErrorAs(t, err, &ce)
			if tt.field != "" {
				assert.Equal(t, tt.field, ce.Field, "message: %s", ce.Message)
			}
			if tt.msg != "" {
				assert.Contains(t, ce.Message, tt.msg)
			}
			assert.NotContains(t, err.Error(), "\n")
		})
	}
}

func TestContractNoRouteError(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	r := contractRequest(t, "GET", "http://localhost/v1/nothing", "", nil)
	err := c.ValidateResponse(r, 200, contractHeader(), []byte(`{}`))
	assert.True(t, errors.Is(err, ErrNoRoute))
	assert.Contains(t, err.Error(), "/nothing")
	var ce *ContractError
	require.ErrorAs(t, err, &ce)
	assert.Empty(t, ce.Route)

	// A matched route's error is not ErrNoRoute.
	err = c.ValidateRequest(contractRequest(t, "GET", "http://localhost/v1/instances?status=x", "", nil), nil)
	require.Error(t, err)
	assert.False(t, errors.Is(err, ErrNoRoute))
}

func TestContractEdgeCases(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	body := `{"name":"v","region":"r"}`
	r := contractRequest(t, "POST", "http://localhost/v1/vpn", body, map[string]string{"Content-Type": "application/json; charset=utf-8"})
	assert.NoError(t, c.ValidateRequest(r, []byte(body)), "a charset parameter is fine")

	r = contractRequest(t, "DELETE", "http://localhost/v1/volumes/vol_1", "", nil)
	err := c.ValidateRequest(r, []byte(`{"force":true}`))
	require.Error(t, err, "DELETE takes no body")

	// A 401 need not carry rate-limit headers (no bucket without a credential).
	h := http.Header{"Content-Type": {"application/json"}, "X-Request-Id": {"req_1"}}
	r = contractRequest(t, "GET", "http://localhost/v1/instances", "", nil)
	assert.NoError(t, c.ValidateResponse(r, 401, h,
		[]byte(`{"success":false,"error":{"code":"authentication_failed","message":"invalid API key"},"metadata":{"request_id":"req_1","timestamp":"2026-01-24T10:30:00Z"}}`)))
	// Every other answer must.
	err = c.ValidateResponse(r, 403, h,
		[]byte(`{"success":false,"error":{"code":"forbidden","message":"no"},"metadata":{"request_id":"req_1","timestamp":"2026-01-24T10:30:00Z"}}`))
	var ce *ContractError
	require.ErrorAs(t, err, &ce)
	assert.Contains(t, ce.Field, "X-RateLimit-")

	// A nil request or URL is no route, not a panic.
	err = c.ValidateRequest(nil, nil)
	assert.ErrorIs(t, err, ErrNoRoute)
	err = c.ValidateResponse(&http.Request{Method: "GET"}, 200, nil, nil)
	assert.ErrorIs(t, err, ErrNoRoute)
}

func TestContractSpecConventions(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	for path, item := range c.doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			if isAuthorizationServer(op) {
				continue // form-encoded requests, RFC 6749 errors
			}
			if rb := op.RequestBody; rb != nil {
				s := rb.Value.Content.Get("application/json").Schema.Value
				require.NotNil(t, s, where)
				assert.True(t, rb.Value.Required, where)
				assert.False(t, s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has,
					"%s: request bodies refuse unknown fields", where)
			}
			for code, resp := range op.Responses.Map() {
				if code == "101" {
					continue
				}
				assert.Contains(t, resp.Value.Headers, "X-Request-Id", "%s %s", where, code)
				if code != "204" {
					assert.NotNil(t, resp.Value.Content.Get("application/json"), "%s %s", where, code)
				}
			}
		}
	}
}

// TestContractErrorExtraction feeds kin-openapi error trees of the shapes
// ValidateRequest and ValidateResponse can meet (multi-errors, nested
// schemas, oneOf) to the extraction, independently of the options in use.
func TestContractErrorExtraction(t *testing.T) {
	t.Parallel()
	c := loadTestContract(t)
	create := c.doc.Components.Schemas["CreateInstanceRequest"].Value
	multi := create.VisitJSON(map[string]any{
		"instance_type": "huge", "region": "r", "image": "i", "ssh_keys": []any{"a", 7},
	}, openapi3.MultiErrors())
	require.Error(t, multi)
	var me openapi3.MultiError
	require.ErrorAs(t, multi, &me)
	require.GreaterOrEqual(t, len(me), 2)

	// The first error of a multi-error is reported, with its field.
	ce := contractErrorOf(openapi3.MultiError{&openapi3filter.RequestError{
		RequestBody: &openapi3.RequestBody{}, Err: me[0],
	}}, "POST /instances")
	assert.NotEmpty(t, ce.Field)
	assert.Equal(t, "POST /instances", ce.Route)

	// A request body error wrapping a multi-error names a field of it.
	ce = contractErrorOf(&openapi3filter.RequestError{RequestBody: &openapi3.RequestBody{}, Err: multi}, "POST /instances")
	assert.Contains(t, []string{"name", "instance_type", "ssh_keys.1"}, ce.Field)

	// oneOf: the innermost error names the field, not the enclosing object.
	one := openapi3.NewOneOfSchema(
		openapi3.NewObjectSchema().WithProperty("size_gb", openapi3.NewIntegerSchema()).WithRequired([]string{"size_gb"}),
		openapi3.NewStringSchema(),
	)
	outer := openapi3.NewObjectSchema().WithProperty("spec", one)
	err := outer.VisitJSON(map[string]any{"spec": map[string]any{"size_gb": "big"}})
	require.Error(t, err)
	ce = contractErrorOf(&openapi3filter.ResponseError{Reason: "response body doesn't match schema", Err: err}, "GET /x")
	assert.Equal(t, "spec.size_gb", ce.Field)
	assert.Equal(t, "big", ce.Value)

	// A parameter error keeps the parameter's name and never a header value.
	ce = contractErrorOf(&openapi3filter.RequestError{
		Parameter: &openapi3.Parameter{Name: "Idempotency-Key", In: "header"},
		Err:       &openapi3.SchemaError{Value: "secret", SchemaField: "maxLength", Reason: "maximum string length is 255"},
	}, "POST /vpn")
	assert.Equal(t, "Idempotency-Key", ce.Field)
	assert.Nil(t, ce.Value)
	assert.NotContains(t, ce.Error(), "secret")

	// An error of no known shape still yields a ContractError.
	ce = contractErrorOf(errors.New("boom"), "GET /account")
	assert.Equal(t, "GET /account", ce.Route)
	assert.NotEmpty(t, ce.Message)
}

// isAuthorizationServer reports the token endpoint: the one operation that
// takes no API credential, and follows RFC 6749 rather than the API's
// conventions (no Idempotency-Key, a form body, its own error shape).
func isAuthorizationServer(op *openapi3.Operation) bool {
	return op.Security != nil && len(*op.Security) == 0
}
