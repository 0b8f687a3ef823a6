package lambda_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestHalfFilledResourceIsNoSuccess: a success whose resource lacks what
// every answer of its kind has (an ID; a count, a limit; a sample period
// that is a period) is ErrInvalidResponse with the answer's status and
// request ID, never a resource whose missing fields read as zero: an
// instance with no ID cannot be started or deleted, a quota whose limit
// went missing reads as "none allowed", a usage without its executions as
// "none run".
func TestHalfFilledResourceIsNoSuccess(t *testing.T) {
	t.Parallel()
	type call func(context.Context, *lambda.Client) error
	drop := func(_ any, err error) error { return err }
	get := map[string]call{
		"Instances.Get":     func(ctx context.Context, c *lambda.Client) error { return drop(c.Instances.Get(ctx, "inst_1")) },
		"Volumes.Get":       func(ctx context.Context, c *lambda.Client) error { return drop(c.Volumes.Get(ctx, "vol_1")) },
		"Snapshots.Get":     func(ctx context.Context, c *lambda.Client) error { return drop(c.Snapshots.Get(ctx, "snap_1")) },
		"Resources.Get":     func(ctx context.Context, c *lambda.Client) error { return drop(c.Resources.Get(ctx, "RES_1", nil)) },
		"Account.Get":       func(ctx context.Context, c *lambda.Client) error { return drop(c.Account.Get(ctx)) },
		"Instances.Network": func(ctx context.Context, c *lambda.Client) error { return drop(c.Instances.Network(ctx, "inst_1")) },
		"Instances.Metrics": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.Instances.Metrics(ctx, "inst_1", nil))
		},
		"Account.Quota":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Account.Quota(ctx)) },
		"Billing.Usage":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Billing.Usage(ctx)) },
		"Billing.Estimate": func(ctx context.Context, c *lambda.Client) error { return drop(c.Billing.Estimate(ctx)) },
		"Instances.Start":  func(ctx context.Context, c *lambda.Client) error { return drop(c.Instances.Start(ctx, "inst_1")) },
		"Instances.Create": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: "compute-1x", Region: "r", Image: "i"}))
		},
		"Functions.Create": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.Functions.Create(ctx, &lambda.CreateFunctionRequest{Name: "f", Runtime: "go", Handler: "h"}))
		},
		"Deployments.Create": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.Deployments.Create(ctx, &lambda.CreateDeploymentRequest{Config: "c", Region: "r", MinInstances: 1}))
		},
		"APIKeys.Create": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "k"}))
		},
		"VPNs.Create": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.VPNs.Create(ctx, &lambda.CreateVPNRequest{Name: "v", Region: "r"}))
		},
		"Firewall.CreateRule": func(ctx context.Context, c *lambda.Client) error {
			return drop(c.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: "tcp", Source: "0.0.0.0/0", Action: "allow", PortRange: "22"}))
		},
		"Instances.List":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Instances.List(ctx, nil)) },
		"Workloads.List":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Workloads.List(ctx, nil)) },
		"Functions.List":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Functions.List(ctx, nil)) },
		"Resources.List":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Resources.List(ctx, nil)) },
		"APIKeys.List":      func(ctx context.Context, c *lambda.Client) error { return drop(c.APIKeys.List(ctx, nil)) },
		"Volumes.List":      func(ctx context.Context, c *lambda.Client) error { return drop(c.Volumes.List(ctx, nil)) },
		"Snapshots.List":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Snapshots.List(ctx, nil)) },
		"VPNs.List":         func(ctx context.Context, c *lambda.Client) error { return drop(c.VPNs.List(ctx, nil)) },
		"Firewall.List":     func(ctx context.Context, c *lambda.Client) error { return drop(c.Firewall.ListRules(ctx, nil)) },
		"Instances.Stop":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Instances.Stop(ctx, "inst_1")) },
		"Volumes.Detach":    func(ctx context.Context, c *lambda.Client) error { return drop(c.Volumes.Detach(ctx, "vol_1")) },
		"Snapshots.Restore": func(ctx context.Context, c *lambda.Client) error { return drop(c.Snapshots.Restore(ctx, "snap_1")) },
	}
	const quota = `{"plan":"free","requests_per_hour":1000,"burst":50,"instances":%s,"volumes":{"used":0,"limit":5},
		"snapshots":{"used":0,"limit":5},"functions":{"used":0,"limit":5},"storage_gb":{"used":0,"limit":100}}`
	tests := []struct {
		name, call, data string
	}{
		{"instance without id", "Instances.Get", `{"name":"web","status":"running"}`},
		// Wrong-typed fields: the resource is refused, not returned with
		// the field left zero.
		{"instance name a number", "Instances.Get", `{"id":"inst_1","name":7,"status":"running"}`},
		{"instance tags a list", "Instances.Get", `{"id":"inst_1","tags":["a"]}`},
		{"volume size a string", "Volumes.Get", `{"id":"vol_1","size_gb":"10"}`},
		{"volume size fractional", "Volumes.Get", `{"id":"vol_1","size_gb":10.5}`},
		{"volume size past int64", "Volumes.Get", `{"id":"vol_1","size_gb":1e30}`},
		{"usage executions a string", "Billing.Usage", `{"total_executions":"524378","gigabytes_hour":"42.3 GBh","current_month_cost":"$2,345.00"}`},
		{"usage cost a number", "Billing.Usage", `{"total_executions":1,"gigabytes_hour":"42.3 GBh","current_month_cost":2345.00}`},
		{"account created_at not a time", "Account.Get", `{"id":"acct_1","created_at":"yesterday"}`},
		{"instance empty", "Instances.Get", `{}`},
		{"instance id empty", "Instances.Get", `{"id":"","name":"web","status":"running"}`},
		{"volume without id", "Volumes.Get", `{"name":"data","size_gb":10,"status":"available"}`},
		{"snapshot without id", "Snapshots.Get", `{"name":"s","volume_id":"vol_1","status":"available"}`},
		{"resource without id", "Resources.Get", `{"type":"compute","status":"active"}`},
		{"account without id", "Account.Get", `{"name":"a","email":"a@example.com","plan":"free"}`},
		{"network without instance", "Instances.Network", `{"vpc_id":"vpc_1","firewall_rules":[]}`},
		{"network rule without id", "Instances.Network", `{"instance_id":"inst_1","vpc_id":"vpc_1","firewall_rules":[{"protocol":"tcp"}]}`},
		{"metrics without period", "Instances.Metrics", `{"instance_id":"inst_1","samples":[]}`},
		{"metrics negative period", "Instances.Metrics", `{"instance_id":"inst_1","period":-60,"samples":[]}`},
		{"metrics period past time.Duration", "Instances.Metrics", `{"instance_id":"inst_1","period":10000000000,"samples":[]}`},
		{"metrics sample empty", "Instances.Metrics", `{"instance_id":"inst_1","period":60,"samples":[{"timestamp":"2026-01-24T10:30:00Z","cpu_percent":1},{}]}`},
		{"metrics sample without timestamp", "Instances.Metrics", `{"instance_id":"inst_1","period":60,"samples":[{"cpu_percent":12.5}]}`},
		{"metrics without instance", "Instances.Metrics", `{"period":60,"samples":[]}`},
		{"quota empty", "Account.Quota", `{}`},
		{"quota item without limit", "Account.Quota", sprintf(quota, `{"used":1}`)},
		{"quota item without used", "Account.Quota", sprintf(quota, `{"limit":10}`)},
		{"quota item null", "Account.Quota", sprintf(quota, `null`)},
		{"quota item negative", "Account.Quota", sprintf(quota, `{"used":-1,"limit":10}`)},
		{"quota without burst", "Account.Quota", `{"plan":"free","requests_per_hour":1000,"instances":{"used":0,"limit":5},"volumes":{"used":0,"limit":5},"snapshots":{"used":0,"limit":5},"functions":{"used":0,"limit":5},"storage_gb":{"used":0,"limit":100}}`},
		{"quota without requests per hour", "Account.Quota", `{"plan":"free","burst":50,"instances":{"used":0,"limit":5},"volumes":{"used":0,"limit":5},"snapshots":{"used":0,"limit":5},"functions":{"used":0,"limit":5},"storage_gb":{"used":0,"limit":100}}`},
		{"quota negative burst", "Account.Quota", `{"plan":"free","requests_per_hour":1000,"burst":-1,"instances":{"used":0,"limit":5},"volumes":{"used":0,"limit":5},"snapshots":{"used":0,"limit":5},"functions":{"used":0,"limit":5},"storage_gb":{"used":0,"limit":100}}`},
		{"estimate without breakdown", "Billing.Estimate", `{"period_start":"2026-11-01","period_end":"2026-11-30","current_cost":"$1.00","estimated_cost":"$2.00"}`},
		{"estimate breakdown null", "Billing.Estimate", `{"period_start":"2026-11-01","period_end":"2026-11-30","current_cost":"$1.00","estimated_cost":"$2.00","breakdown":null}`},
		{"estimate item without category", "Billing.Estimate", `{"period_start":"2026-11-01","period_end":"2026-11-30","current_cost":"$1.00","estimated_cost":"$2.00","breakdown":[{"amount":"$1.00"}]}`},
		{"usage without executions", "Billing.Usage", `{"gigabytes_hour":"42.3 GBh","current_month_cost":"$2,345.00"}`},
		{"usage negative executions", "Billing.Usage", `{"total_executions":-1,"gigabytes_hour":"42.3 GBh","current_month_cost":"$2,345.00"}`},
		{"started instance without id", "Instances.Start", `{"status":"running"}`},
		{"created instance without id", "Instances.Create", `{"name":"web","status":"pending"}`},
		{"created function without id", "Functions.Create", `{"status":"created"}`},
		{"created deployment without id", "Deployments.Create", `{"status":"pending"}`},
		{"created key without id", "APIKeys.Create", `{"name":"k","key":"λ_sk_new"}`},
		{"created VPN without id", "VPNs.Create", `{"name":"v","status":"pending"}`},
		{"created rule without id", "Firewall.CreateRule", `{"protocol":"tcp"}`},
		{"stopped instance without id", "Instances.Stop", `{}`},
		{"detached volume without id", "Volumes.Detach", `{}`},
		{"restored snapshot without id", "Snapshots.Restore", `{}`},
		{"listed instance without id", "Instances.List", `[{"id":"inst_1"},{"name":"web"}]`},
		{"listed workload without id", "Workloads.List", `[{"status":"running"}]`},
		{"listed function without id", "Functions.List", `[{"name":"f"}]`},
		{"listed resource without id", "Resources.List", `[{"type":"compute"}]`},
		{"listed key without id", "APIKeys.List", `[{"name":"k"}]`},
		{"listed volume without id", "Volumes.List", `[{}]`},
		{"listed snapshot without id", "Snapshots.List", `[{}]`},
		{"listed VPN without id", "VPNs.List", `[{}]`},
		{"listed rule without id", "Firewall.List", `[{}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, _ := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
				status := http.StatusOK
				if r.Method == http.MethodPost {
					status = http.StatusCreated
				}
				writeData(w, status, tt.data)
			}))
			err := get[tt.call](testCtx(t), client)
			require.ErrorIs(t, err, lambda.ErrInvalidResponse, "%s answered %s", tt.call, tt.data)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.NotZero(t, lerr.HTTPStatus, "the error carries the answer's status")
			assert.Equal(t, "req_test", lerr.RequestID, "and its request ID")
		})
	}
}

func sprintf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// TestEnvelopeMembersInAnyOrder: a success whose data holds a malformed
// value is ErrInvalidResponse with the request ID of its metadata, whatever
// the order of the envelope's members. With "success" after "data", the
// failed value once hid the envelope, which then decoded as a bare, empty
// resource: a zero Instance and no error.
func TestEnvelopeMembersInAnyOrder(t *testing.T) {
	t.Parallel()
	const bad = `{"id":"inst_1","name":"web","status":"running","created_at":"yesterday"}`
	for name, body := range map[string]string{
		"success first":   `{"success":true,"data":` + bad + `,"metadata":{"request_id":"req_1"}}`,
		"success last":    `{"data":` + bad + `,"metadata":{"request_id":"req_1"},"success":true}`,
		"status last":     `{"data":` + bad + `,"metadata":{"request_id":"req_1"},"status":"success"}`,
		"metadata before": `{"metadata":{"request_id":"req_1"},"data":` + bad + `,"success":true}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, _ := scriptedAPI(t, "/instances/inst_1", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, body)
			}))
			inst, err := client.Instances.Get(testCtx(t), "inst_1")
			assert.Nil(t, inst)
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, "req_1", lerr.RequestID)
			assert.Contains(t, lerr.Message, "yesterday", "the error names what failed to decode")
		})
	}
}

// TestRefusedAnswerErrorsAreBounded: an error about an answer names what it
// refused with a bounded excerpt: a megabyte of ID must not become a
// megabyte of log line.
func TestRefusedAnswerErrorsAreBounded(t *testing.T) {
	t.Parallel()
	huge := strings.Repeat("x", 1<<20)
	for name, data := range map[string]string{
		"invoice id":     `{"id":"` + huge + `","date":"2024-12-31","status":"paid"}`,
		"quota item":     `{"plan":"free","requests_per_hour":1,"burst":1,"instances":{"used":1,"pad":"` + huge + `"}}`,
		"metrics period": `{"instance_id":"inst_1","period":-1` + strings.Repeat("0", 1<<20) + `}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			client, _ := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
				writeData(w, http.StatusOK, data)
			}))
			ctx := testCtx(t)
			var err error
			switch name {
			case "invoice id":
				_, err = client.Billing.GetInvoice(ctx, "inv_1")
			case "quota item":
				_, err = client.Account.Quota(ctx)
			default:
				_, err = client.Instances.Metrics(ctx, "inst_1", nil)
			}
			require.ErrorIs(t, err, lambda.ErrInvalidResponse)
			assert.Less(t, len(err.Error()), 1024, "%.200s…", err.Error())
		})
	}
}
