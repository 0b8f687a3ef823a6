package lambdatest

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEveryOperationHasAHandler pins that the simulator serves exactly the
// operations of openapi.yaml: each has a handler under its operation ID,
// and the table routes each method and path of the contract to it. (A
// mismatch makes every NewServer panic; this test says which.)
func TestEveryOperationHasAHandler(t *testing.T) {
	t.Parallel()
	ops := loadTestContract(t).Operations()
	require.NotEmpty(t, ops)
	assert.True(t, slices.IsSortedFunc(ops, func(a, b Operation) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method))
	}), "sorted by path, then method")
	table, token, err := newRoutes(ops, (&Server{}).handlers())
	require.NoError(t, err)
	assert.Equal(t, Operation{ID: "requestToken", Method: http.MethodPost, Path: "/oauth/token"}, token.Operation)
	assert.Len(t, table, len(ops)-1, "every operation but the token endpoint is routed")
	for _, op := range ops {
		if op.ID == token.ID {
			continue
		}
		for _, prefix := range []string{"/v1", "/v2"} {
			path := prefix + pathWithID(op.Path, "x_1")
			rt, id, ok := match(table, op.Method, path)
			require.True(t, ok, "%s %s", op.Method, path)
			assert.Equal(t, op.ID, rt.ID, "%s %s", op.Method, path)
			if rt.param >= 0 {
				assert.Equal(t, "x_1", id, "%s %s", op.Method, path)
			}
		}
	}
}

// pathWithID fills the {…} segment of a path template.
func pathWithID(tpl, id string) string {
	segs := strings.Split(tpl, "/")
	for i, s := range segs {
		if strings.HasPrefix(s, "{") {
			segs[i] = id
		}
	}
	return strings.Join(segs, "/")
}

// TestRoutesRefuseADriftFromTheContract: an operation added to the
// contract without a handler, a handler left behind by a removed
// operation, and the other mistakes newRoutes cannot route around each fail
// with a message that names the operation.
func TestRoutesRefuseADriftFromTheContract(t *testing.T) {
	t.Parallel()
	addOp := func(path, method, id string, params ...string) func(*openapi3.T) {
		return func(doc *openapi3.T) {
			op := &openapi3.Operation{OperationID: id, Responses: openapi3.NewResponses()}
			for _, p := range params {
				op.AddParameter(openapi3.NewPathParameter(p).WithSchema(openapi3.NewStringSchema()))
			}
			item := &openapi3.PathItem{}
			item.SetOperation(method, op)
			doc.Paths.Set(path, item)
		}
	}
	tests := []struct {
		name  string
		edit  func(*openapi3.T)        // changes a copy of the contract
		hands func(map[string]handler) // changes the handlers
		want  []string                 // in the error
	}{
		{name: "a new operation without a handler",
			edit: addOp("/instances/{id}/hibernate", http.MethodPost, "hibernateInstance", "id"),
			want: []string{"hibernateInstance", "POST /instances/{id}/hibernate", "has no handler"}},
		{name: "a handler removed",
			hands: func(h map[string]handler) { delete(h, "getVolume") },
			want:  []string{"getVolume", "GET /volumes/{id}", "has no handler"}},
		{name: "a handler of no operation",
			hands: func(h map[string]handler) { h["getVolumes"] = h["getVolume"] },
			want:  []string{"getVolumes", "no operation of openapi.yaml"}},
		{name: "an operation renamed",
			hands: func(h map[string]handler) { h["getNetwork"] = h["getInstanceNetwork"]; delete(h, "getInstanceNetwork") },
			want:  []string{"getInstanceNetwork", "has no handler", "getNetwork", "no operation"}},
		{name: "a handler without a function",
			hands: func(h map[string]handler) { h["getVolume"] = handler{} },
			want:  []string{"getVolume", "without a function"}},
		{name: "the token endpoint moved",
			edit: func(doc *openapi3.T) {
				doc.Paths.Set("/auth/token", doc.Paths.Value("/oauth/token"))
				doc.Paths.Delete("/oauth/token")
			},
			want: []string{"requestToken", "POST /auth/token", tokenPath}},
		{name: "two path parameters",
			edit: addOp("/volumes/{id}/snapshots/{snap}", http.MethodGet, "getVolumeSnapshot", "id", "snap"),
			hands: func(h map[string]handler) {
				h["getVolumeSnapshot"] = h["getVolume"]
			},
			want: []string{"getVolumeSnapshot", "more than one path parameter"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := loadTestContract(t)
			if tc.edit != nil {
				var err error
				c, err = parseContract(tc.edit)
				require.NoError(t, err)
			}
			hs := (&Server{}).handlers()
			if tc.hands != nil {
				tc.hands(hs)
			}
			_, _, err := newRoutes(c.Operations(), hs)
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

// TestContractOperationsNeedAnID: the handlers are found by operation ID,
// so a contract with an operation that has none, or two with the same one,
// does not load.
func TestContractOperationsNeedAnID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		edit func(*openapi3.T)
		want string
	}{
		{"no operationId", func(doc *openapi3.T) { doc.Paths.Value("/vpn").Get.OperationID = "" },
			"GET /vpn has no operationId"},
		{"a shared operationId", func(doc *openapi3.T) { doc.Paths.Value("/vpn").Get.OperationID = "createVPN" },
			`"createVPN"`}, // kin-openapi's own check says it first
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseContract(tc.edit)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

// TestMatchPrefersALiteralSegment: as with http.ServeMux, a literal segment
// wins over a parameter at the same place, whatever the order of the
// contract.
func TestMatchPrefersALiteralSegment(t *testing.T) {
	t.Parallel()
	h := handler{handle: func(*call) reply { return reply{} }}
	ops := []Operation{
		{ID: "getThing", Method: http.MethodGet, Path: "/things/{id}"},
		{ID: "getThingQuota", Method: http.MethodGet, Path: "/things/quota"},
		{ID: "getThingPart", Method: http.MethodGet, Path: "/things/{id}/part"},
		{ID: "getQuotaPart", Method: http.MethodGet, Path: "/things/quota/part"},
	}
	hs := map[string]handler{"getThing": h, "getThingQuota": h, "getThingPart": h, "getQuotaPart": h}
	for _, order := range [][]int{{0, 1, 2, 3}, {3, 2, 1, 0}} {
		var in []Operation
		for _, i := range order {
			in = append(in, ops[i])
		}
		table, _, err := newRoutes(in, hs)
		require.NoError(t, err)
		for path, want := range map[string]string{
			"/v1/things/quota": "getThingQuota", "/v1/things/q": "getThing",
			"/v1/things/quota/part": "getQuotaPart", "/v1/things/q/part": "getThingPart",
		} {
			rt, _, ok := match(table, http.MethodGet, path)
			require.True(t, ok, path)
			assert.Equal(t, want, rt.ID, "%s (order %v)", path, order)
		}
	}
}

// BenchmarkMatch measures routing alone, on a hit, a miss and a path with an ID.
func BenchmarkMatch(b *testing.B) {
	table, _, err := newRoutes(mustOps(b), (&Server{}).handlers())
	if err != nil {
		b.Fatal(err)
	}
	reqs := []struct{ method, path string }{
		{http.MethodGet, "/v1/instances/inst_1/network"},
		{http.MethodPost, "/v1/deployments"},
		{http.MethodGet, "/v1/instances"},
		{http.MethodGet, "/v2/nope/x"},
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r := reqs[i%len(reqs)]
		match(table, r.method, r.path)
	}
}

func mustOps(b *testing.B) []Operation {
	c, err := LoadContract()
	if err != nil {
		b.Fatal(err)
	}
	return c.Operations()
}
