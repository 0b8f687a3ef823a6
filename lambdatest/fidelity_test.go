package lambdatest_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestIntegralNumbersAreIntegers: JSON has one number type, and the
// contract's integers (JSON Schema's) are the numbers with no fraction, so
// 10.0 and 1e1 are the integer 10 wherever one is asked for, as a client
// that computes a size in floating point (Python's json.dumps(10.0)) sends
// it. A fraction is still refused, naming the field; the original API
// documentation keeps "Invalid JSON in request body" for malformed,
// non-JSON or incomplete payloads, which these are not.
func TestIntegralNumbersAreIntegers(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string // "{vol}" is an available volume of 10 GB
		body   string
		want   int
		field  string // the field of data to check, or of error.details
		value  any    // the value data[field] must have
	}{
		{name: "size_gb 10.0", method: "POST", path: "/v1/volumes",
			body: `{"name":"v","size_gb":10.0,"region":"us-west-1"}`, want: http.StatusCreated, field: "size_gb", value: 10.0},
		{name: "size_gb 1e1", method: "POST", path: "/v1/volumes",
			body: `{"name":"v","size_gb":1e1,"region":"us-west-1"}`, want: http.StatusCreated, field: "size_gb", value: 10.0},
		{name: "size_gb 2.5E1", method: "POST", path: "/v1/volumes",
			body: `{"name":"v","size_gb":2.5E1,"region":"us-west-1"}`, want: http.StatusCreated, field: "size_gb", value: 25.0},
		{name: "resize to 20.0", method: "POST", path: "/v1/volumes/{vol}/resize",
			body: `{"size_gb":20.0}`, want: http.StatusOK, field: "size_gb", value: 20.0},
		{name: "min_instances 3.0", method: "POST", path: "/v1/deployments",
			body: `{"config":"high-performance","region":"us-west-2","min_instances":3.0}`, want: http.StatusCreated,
			field: "min_instances", value: 3.0},
		{name: "a fraction is refused", method: "POST", path: "/v1/volumes",
			body: `{"name":"v","size_gb":10.5,"region":"us-west-1"}`, want: http.StatusBadRequest, field: "size_gb"},
		{name: "a fraction of min_instances is refused", method: "POST", path: "/v1/deployments",
			body: `{"config":"c","region":"r","min_instances":2.5}`, want: http.StatusBadRequest, field: "min_instances"},
	}
	for _, strict := range []bool{false, true} {
		for _, tc := range tests {
			name := tc.name
			if strict {
				name += " (strict)"
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				srv := newPlatform(t)
				if strict {
					srv = newServer(t)
				}
				vol := mustCall(t, srv, http.StatusCreated, "POST", "/v1/volumes", `{"name":"v","size_gb":10,"region":"us-west-1"}`)
				volID := vol.data(t)["id"].(string)
				waitStatus(t, srv, "/v1/volumes/"+volID, "available")
				path := strings.ReplaceAll(tc.path, "{vol}", volID)
				r := mustCall(t, srv, tc.want, tc.method, path, tc.body)
				if tc.want == http.StatusBadRequest {
					assert.Equal(t, "invalid_request", r.errCode())
					assert.Equal(t, tc.field, r.errField(), "%s", r.raw)
					return
				}
				assert.Equal(t, tc.value, r.data(t)[tc.field], "%s", r.raw)
			})
		}
	}
}

// TestPlatformIgnoresABodyTheOperationDoesNotRead: a client that sends {}
// (or any JSON) with a call that takes no body, as HTTP libraries do for a
// bodiless POST, gets the call carried out: by default the simulator ignores
// body fields it does not know (see the package documentation), and an
// operation without a body knows none. A body that is not JSON is still the
// original API documentation's 400; WithStrictRequests refuses any body.
func TestPlatformIgnoresABodyTheOperationDoesNotRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string // "{inst}" is a running instance, "{rule}" a firewall rule
		body   string
		want   int
	}{
		{name: "stop with {}", method: "POST", path: "/v1/instances/{inst}/stop", body: `{}`, want: http.StatusOK},
		{name: "restart with a field", method: "POST", path: "/v1/instances/{inst}/restart", body: `{"force":true}`, want: http.StatusOK},
		{name: "get with {}", method: "GET", path: "/v1/instances/{inst}", body: `{}`, want: http.StatusOK},
		{name: "list with {}", method: "GET", path: "/v1/instances", body: `{}`, want: http.StatusOK},
		{name: "delete with {}", method: "DELETE", path: "/v1/firewall/rules/{rule}", body: `{}`, want: http.StatusNoContent},
		{name: "usage with null", method: "GET", path: "/v1/usage", body: `null`, want: http.StatusOK},
		{name: "stop with a body that is not JSON", method: "POST", path: "/v1/instances/{inst}/stop", body: `force=true`, want: http.StatusBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, strict := range []bool{false, true} {
				srv := newPlatform(t)
				if strict {
					srv = newServer(t)
				}
				inst := srv.SeedInstances(1)[0]
				rule := mustCall(t, srv, http.StatusCreated, "POST", "/v1/firewall/rules",
					`{"protocol":"tcp","port_range":"22","source":"0.0.0.0/0","action":"allow"}`).data(t)["id"].(string)
				path := strings.NewReplacer("{inst}", inst, "{rule}", rule).Replace(tc.path)
				want := tc.want
				if strict {
					want = http.StatusBadRequest
				}
				r := mustCall(t, srv, want, tc.method, path, tc.body)
				if want == http.StatusBadRequest {
					require.Equal(t, "invalid_request", r.errCode(), "strict=%v: %s", strict, r.raw)
				}
			}
		})
	}
}

// TestMetricsWindowDefaults: the window's start defaults to one hour
// before its end, the end to now (openapi.yaml's start and end parameters),
// so a client that asks only for the hour up to some instant gets that
// hour, not a 400 or a window that starts an hour before now.
func TestMetricsWindowDefaults(t *testing.T) {
	t.Parallel()
	now := time.Date(2031, time.May, 17, 8, 30, 0, 0, time.UTC)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	tests := []struct {
		name       string
		query      string
		start, end string
		samples    int // one a minute, both ends included
	}{
		{name: "neither", start: at(-time.Hour), end: at(0), samples: 61},
		{name: "end two hours ago", query: "end=" + at(-2*time.Hour), start: at(-3 * time.Hour), end: at(-2 * time.Hour), samples: 61},
		{name: "end half an hour ago", query: "end=" + at(-30*time.Minute), start: at(-90 * time.Minute), end: at(-30 * time.Minute), samples: 61},
		{name: "start only", query: "start=" + at(-3*time.Hour), start: at(-3 * time.Hour), end: at(0), samples: 181},
		{name: "both", query: "start=" + at(-5*time.Hour) + "&end=" + at(-4*time.Hour), start: at(-5 * time.Hour), end: at(-4 * time.Hour), samples: 61},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newPlatform(t, pinned(now))
			inst := srv.SeedInstances(1)[0]
			d := mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances/"+inst+"/metrics?"+tc.query, "").data(t)
			assert.Equal(t, tc.start, d["start"])
			assert.Equal(t, tc.end, d["end"])
			samples, _ := d["samples"].([]any)
			assert.Equal(t, tc.samples, len(samples))
		})
	}
}

// TestPlatformIgnoresFieldsThatDifferOnlyInCase: JSON member names are
// case-sensitive, so "Name" is not "name" but an unknown field, which the
// simulator ignores by default as the package documentation says (and
// WithStrictRequests refuses): it must not change what the call does, as
// it did when the handlers' encoding/json matched it to name regardless of
// case. A client that serializes PascalCase (C#'s default) or sends a field
// twice in two spellings gets what the contract's reading says.
func TestPlatformIgnoresFieldsThatDifferOnlyInCase(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		method string
		path   string // "{inst}" is an instance named "web"
		body   string
		want   int
		field  string // the field of data to check
		value  any
	}{
		{name: "PATCH Name", method: "PATCH", path: "/v1/instances/{inst}", body: `{"Name":"renamed"}`,
			want: http.StatusOK, field: "name", value: "web"},
		{name: "create with name and NAME", method: "POST", path: "/v1/instances",
			body: `{"name":"web","NAME":"other","instance_type":"compute-2x","region":"us-west-1","image":"ubuntu-22.04"}`,
			want: http.StatusCreated, field: "name", value: "web"},
		{name: "account EMAIL", method: "PATCH", path: "/v1/account", body: `{"EMAIL":"other@example.com"}`,
			want: http.StatusOK, field: "email", value: "dev@example.com"},
		{name: "key with Permissions", method: "POST", path: "/v1/account/api-keys", body: `{"name":"k","Permissions":["read"]}`,
			want: http.StatusCreated, field: "permissions", value: []any{"read", "write"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := newPlatform(t)
			inst := createInstance(t, srv)
			path := strings.ReplaceAll(tc.path, "{inst}", inst)
			r := mustCall(t, srv, tc.want, tc.method, path, tc.body)
			assert.Equal(t, tc.value, r.data(t)[tc.field], "%s", r.raw)

			strict := newServer(t)
			inst = createInstance(t, strict)
			r = mustCall(t, strict, http.StatusBadRequest, tc.method, strings.ReplaceAll(tc.path, "{inst}", inst), tc.body)
			assert.Equal(t, "invalid_request", r.errCode())
		})
	}
}
