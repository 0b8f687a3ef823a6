package lambda_test

// FuzzResourceJSON is the guard of the resource types' own JSON: whatever
// an answer's data holds, decoding it into any resource type never panics,
// and a resource that decodes marshals to JSON that decodes back to the
// same resource, which marshals to the same JSON again (what a user who
// caches or forwards resources relies on).
// The seeds run with every `go test`; to search further:
//
//	go test -run XXX -fuzz FuzzResourceJSON -fuzztime 5m -parallel 1 .

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// resourceTypes are the types a call decodes an answer's data into.
var resourceTypes = []any{
	lambda.Instance{}, lambda.Volume{}, lambda.Snapshot{}, lambda.FirewallRule{}, lambda.VPN{},
	lambda.Function{}, lambda.Resource{}, lambda.Workload{}, lambda.Deployment{}, lambda.Network{},
	lambda.Metrics{}, lambda.MetricSample{}, lambda.Account{}, lambda.Quota{}, lambda.QuotaItem{},
	lambda.APIKey{}, lambda.Usage{}, lambda.Invoice{}, lambda.Estimate{}, lambda.CostItem{},
}

func FuzzResourceJSON(f *testing.F) {
	for _, s := range []string{
		instanceJSON,
		`{"id":"inst_1","tags":{"a":"b"},"ssh_keys":null,"created_at":"2026-01-24T10:30:00+02:00"}`,
		`{"instance_id":"inst_1","period":60,"start":"2026-01-24T10:30:00Z","samples":[{"timestamp":"2026-01-24T10:31:00Z","cpu_percent":12.5}]}`,
		`{"instance_id":"inst_1","period":-60,"samples":[]}`,
		`{"instance_id":"inst_1","period":10000000000}`,
		`{"plan":"free","requests_per_hour":1000,"burst":50,"instances":{"used":1,"limit":5},"volumes":{"used":0,"limit":5},"snapshots":{"used":0,"limit":5},"functions":{"used":0,"limit":5},"storage_gb":{"used":0,"limit":100}}`,
		`{"used":1}`, `{"used":-1,"limit":2}`,
		`{"period_start":"2026-11-01","period_end":"2026-11-30","total_executions":524378,"gigabytes_hour":"42.3 GBh","current_month_cost":"$2,345.00"}`,
		`{"total_executions":5.24378e5,"gigabytes_hour":"0 GBh","current_month_cost":"-$0.05"}`,
		`{"id":"inv_1","date":"2024-12-31","amount":"$3,242.50","status":"paid","pdf_url":"https://example.com/i"}`,
		`{"current_cost":"€1.00","estimated_cost":"£2.00","breakdown":[{"category":"compute","amount":"$1.00"}]}`,
		`{"id":"key_1","key":"λ_sk_x","last_used_at":null,"permissions":["read"]}`,
		`{"id":"RES_1","function":{"id":"FUNC_1","last_executed":"2025-01-01T03:00:00Z"}}`,
		`null`, `[]`, `"x"`, `{}`, `{"id":7}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		for _, zero := range resourceTypes {
			typ := reflect.TypeOf(zero)
			v := reflect.New(typ)
			if json.Unmarshal([]byte(in), v.Interface()) != nil {
				continue
			}
			b, err := json.Marshal(v.Interface())
			require.NoError(t, err, "%s decoded from %s does not marshal", typ, in)
			back := reflect.New(typ)
			require.NoError(t, json.Unmarshal(b, back.Interface()), "%s decoded from %s marshals to %s, which does not decode", typ, in, b)
			again, err := json.Marshal(back.Interface())
			require.NoError(t, err)
			// Compared as JSON: "+00:00" and "Z" are one instant in two
			// time.Locations, which reflect.DeepEqual tells apart.
			require.Equal(t, string(b), string(again), "%s decoded from %s does not survive its own JSON", typ, in)
		}
	})
}
