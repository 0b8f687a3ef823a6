package lambda_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestRequestBodiesMatchTheContract holds every request body type against
// the contract's schema of the same name: each JSON field is a property of
// the schema (a wrong tag would be sent and ignored, or refused) of the
// same JSON type; each
// property the schema requires is a field the encoder always sends (no
// omitempty, which drops the zero value); and an optional number or
// boolean is a pointer, or its omitempty would drop a 0 or a false the
// caller meant. (CreateWebhookRequest is encoded by its own wire type.)
func TestRequestBodiesMatchTheContract(t *testing.T) {
	t.Parallel()
	doc, err := openapi3.NewLoader().LoadFromData(lambda.OpenAPISpec())
	require.NoError(t, err)
	for _, req := range []any{
		lambda.CreateInstanceRequest{}, lambda.UpdateInstanceRequest{}, lambda.ResizeInstanceRequest{},
		lambda.CreateVolumeRequest{}, lambda.AttachVolumeRequest{}, lambda.ResizeVolumeRequest{},
		lambda.CreateSnapshotRequest{}, lambda.CreateFirewallRuleRequest{}, lambda.CreateVPNRequest{},
		lambda.CreateFunctionRequest{}, lambda.UpdateAccountRequest{}, lambda.CreateAPIKeyRequest{},
		lambda.CreateResourceRequest{}, lambda.UpdateResourceRequest{}, lambda.CreateDeploymentRequest{},
	} {
		typ := reflect.TypeOf(req)
		ref := doc.Components.Schemas[typ.Name()]
		if !assert.NotNil(t, ref, "the contract has no schema %s", typ.Name()) {
			continue
		}
		schema := ref.Value
		required := map[string]bool{}
		for _, r := range schema.Required {
			required[r] = true
		}
		seen := map[string]bool{}
		for i := 0; i < typ.NumField(); i++ {
			f := typ.Field(i)
			name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" || !f.IsExported() {
				continue
			}
			seen[name] = true
			where := typ.Name() + "." + f.Name
			prop, ok := schema.Properties[name]
			if !assert.True(t, ok, "%s is sent as %q, which %s does not have", where, name, typ.Name()) {
				continue
			}
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			jsonType := map[reflect.Kind]string{reflect.String: "string", reflect.Int: "integer", reflect.Int64: "integer",
				reflect.Float64: "number", reflect.Bool: "boolean", reflect.Slice: "array", reflect.Map: "object"}[ft.Kind()]
			if pt := prop.Value.Type; pt != nil && !pt.Is(jsonType) && !(jsonType == "integer" && pt.Is("number")) {
				t.Errorf("%s is sent as a JSON %s; the contract's %q is %v", where, jsonType, name, pt.Slice())
			}
			omit := strings.Contains(opts, "omitempty")
			if required[name] {
				assert.False(t, omit, "%s: %q is required, but omitempty drops its zero value", where, name)
			}
			kind := f.Type.Kind()
			if omit && (kind == reflect.Int || kind == reflect.Int64 || kind == reflect.Float64 || kind == reflect.Bool) {
				t.Errorf("%s: an optional %s with omitempty cannot send %v; make it a pointer", where, prop.Value.Type, reflect.Zero(f.Type))
			}
		}
		for name := range required {
			assert.True(t, seen[name], "%s lacks the required %q", typ.Name(), name)
		}
	}
}
