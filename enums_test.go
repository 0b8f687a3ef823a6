package lambda_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// enumSchemas says where openapi.yaml lists the values of each of the
// package's enum-like string types: a schema ("InstanceStatus"), a
// schema's property ("Function.status") or a parameter ("#Order").
var enumSchemas = map[string]string{
	"InstanceType":     "InstanceType",
	"InstanceStatus":   "InstanceStatus",
	"VolumeStatus":     "VolumeStatus",
	"SnapshotStatus":   "SnapshotStatus",
	"FirewallProtocol": "FirewallProtocol",
	"FirewallAction":   "FirewallAction",
	"VPNStatus":        "VPNStatus",
	"FunctionStatus":   "Function.status",
	"ResourceType":     "Resource.type",
	"ResourceStatus":   "Resource.status",
	"WorkloadStatus":   "Workload.status",
	"DeploymentStatus": "Deployment.status",
	"InvoiceStatus":    "Invoice.status",
	"CostCategory":     "CostItem.category",
	"Plan":             "Plan",
	"SortOrder":        "#Order",
	// EventType is open-ended: the API adds event types, and an unknown
	// one is delivered (API.md, Webhooks); the contract lists none.
	"EventType": "",
}

// TestEnumConstantsAreTheContractsValues: the constants of every
// enum-like string type are exactly the values the contract lists for it.
// A constant with a typo ("provisoning") would compile and never match
// what the API sends, so a waiter would never see it; a value the
// contract has and the package lacks leaves users to spell it themselves.
// The constants are read from the source, so a new one, or a new type,
// is checked without editing this test (a new type must be given its
// place in enumSchemas).
func TestEnumConstantsAreTheContractsValues(t *testing.T) {
	t.Parallel()
	consts := enumConstants(t)
	doc, err := openapi3.NewLoader().LoadFromData(lambda.OpenAPISpec())
	require.NoError(t, err)

	for typ, values := range consts {
		where, ok := enumSchemas[typ]
		if !assert.True(t, ok, "%s has constants (%v) but no place in enumSchemas", typ, values) || where == "" {
			continue
		}
		var schema *openapi3.Schema
		switch name, prop, isProp := strings.Cut(where, "."); {
		case strings.HasPrefix(where, "#"):
			p := doc.Components.Parameters[where[1:]]
			require.NotNil(t, p, where)
			schema = p.Value.Schema.Value
		case isProp:
			s := doc.Components.Schemas[name]
			require.NotNil(t, s, where)
			require.Contains(t, s.Value.Properties, prop, where)
			schema = s.Value.Properties[prop].Value
		default:
			s := doc.Components.Schemas[name]
			require.NotNil(t, s, where)
			schema = s.Value
		}
		var want []string
		for _, v := range schema.Enum {
			want = append(want, v.(string))
		}
		sort.Strings(want)
		assert.Equal(t, want, values, "the constants of %s against the contract's %s", typ, where)
	}
	for typ := range enumSchemas {
		assert.Contains(t, consts, typ, "enumSchemas names %s, which has no constants", typ)
	}
}

// enumConstants reads the package's source for the string constants of
// each named string type, sorted.
func enumConstants(t *testing.T) map[string][]string {
	t.Helper()
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool {
		return !strings.HasSuffix(fi.Name(), "_test.go")
	}, 0)
	require.NoError(t, err)
	stringTypes := map[string]bool{}
	out := map[string][]string{}
	pkg := pkgs["lambda"]
	require.NotNil(t, pkg)
	ast.Inspect(pkg, func(n ast.Node) bool {
		if ts, ok := n.(*ast.TypeSpec); ok {
			if id, ok := ts.Type.(*ast.Ident); ok && id.Name == "string" && ts.Name.IsExported() {
				stringTypes[ts.Name.Name] = true
			}
		}
		return true
	})
	ast.Inspect(pkg, func(n ast.Node) bool {
		vs, ok := n.(*ast.ValueSpec)
		if !ok || vs.Type == nil {
			return true
		}
		id, ok := vs.Type.(*ast.Ident)
		if !ok || !stringTypes[id.Name] {
			return true
		}
		for i, name := range vs.Names {
			if !name.IsExported() || i >= len(vs.Values) {
				continue
			}
			if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
				v, err := strconv.Unquote(lit.Value)
				require.NoError(t, err)
				out[id.Name] = append(out[id.Name], v)
			}
		}
		return true
	})
	for _, vs := range out {
		sort.Strings(vs)
	}
	return out
}
