package lambda_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// zeroFields lists the fields of v (a struct, or a pointer, slice or map
// of them, searched to the bottom) that hold their zero value, by path
// ("Instance.Tags", "Estimate.Breakdown[1].Amount"); an empty slice or map
// counts as zero. A field in allow may be zero.
func zeroFields(v any, allow ...string) []string {
	ok := map[string]bool{}
	for _, a := range allow {
		ok[a] = true
	}
	var zero []string
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(path, v.Elem())
			}
			return
		case reflect.Slice, reflect.Map:
			if v.Len() == 0 {
				break
			}
			if v.Kind() == reflect.Slice {
				for i := 0; i < v.Len(); i++ {
					walk(fmt.Sprintf("%s[%d]", path, i), v.Index(i))
				}
			}
			return
		case reflect.Struct:
			t := v.Type()
			if t.PkgPath() != reflect.TypeOf(lambda.Instance{}).PkgPath() || t == reflect.TypeOf(lambda.Secret{}) {
				break // time.Time, Money and friends: a value of their own
			}
			for i := 0; i < t.NumField(); i++ {
				if f := t.Field(i); f.IsExported() {
					walk(path+"."+f.Name, v.Field(i))
				}
			}
			return
		}
		if name := path[strings.Index(path, ".")+1:]; !ok[name] && v.IsZero() {
			zero = append(zero, path)
		}
	}
	rv := reflect.ValueOf(v)
	walk(reflect.Indirect(rv).Type().Name(), rv)
	return zero
}

// TestSimulatorFillsEveryFieldOfEveryResource is the guard against a
// wrong JSON tag: the simulator writes its answers from wire types of its
// own, so a Go field whose tag does not match the API's name stays zero.
// Every field of every resource, read back through the SDK from a
// simulator that has set each one, must hold a value; the few that are
// zero on purpose are listed with why. Under the documented shapes (see
// TestServicesUnderDocumentedShapes) it runs again on their answers.
func TestSimulatorFillsEveryFieldOfEveryResource(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	wait := fastWait

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: lambda.InstanceTypeCompute2x,
		Region: "us-west-1", Image: "ubuntu-22.04", SSHKeys: []string{"key_abc123"}, Tags: map[string]string{"team": "a"}})
	require.NoError(t, err)
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID, wait)
	require.NoError(t, err)
	network, err := client.Instances.Network(ctx, inst.ID)
	require.NoError(t, err)
	_, err = client.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: lambda.FirewallProtocolTCP, PortRange: "22",
		Source: "10.0.0.0/8", Action: lambda.FirewallActionAllow, Description: "ssh"})
	require.NoError(t, err)
	rules, err := client.Firewall.ListRules(ctx, nil)
	require.NoError(t, err)
	end := srv.Now()
	metrics, err := client.Instances.Metrics(ctx, inst.ID, &lambda.MetricsOptions{Start: end.Add(-time.Hour), End: end, Period: lambda.MetricsPeriodMinute})
	require.NoError(t, err)

	vol, err := client.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 10, Region: "us-west-1"})
	require.NoError(t, err)
	_, err = client.Volumes.WaitUntilReady(ctx, vol.ID, wait)
	require.NoError(t, err)
	_, err = client.Volumes.Attach(ctx, vol.ID, &lambda.AttachVolumeRequest{InstanceID: inst.ID})
	require.NoError(t, err)
	vol, err = client.Volumes.Get(ctx, vol.ID)
	require.NoError(t, err)
	snap, err := client.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "nightly", VolumeID: vol.ID})
	require.NoError(t, err)
	snap, err = client.Snapshots.WaitUntilReady(ctx, snap.ID, wait)
	require.NoError(t, err)

	vpn, err := client.VPNs.Create(ctx, &lambda.CreateVPNRequest{Name: "office", Region: "us-west-1"})
	require.NoError(t, err)
	fn, err := client.Functions.Create(ctx, &lambda.CreateFunctionRequest{Name: "auth", Runtime: "Node.js 20", Handler: "index.handler", Tags: []string{"auth"}})
	require.NoError(t, err)
	_, err = client.Functions.WaitUntilReady(ctx, fn.ID, wait)
	require.NoError(t, err)
	fns, err := client.Functions.List(ctx, nil)
	require.NoError(t, err)
	res, err := client.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: "us-east-1", InstanceType: "t2.micro", VPC: "vpc-main"})
	require.NoError(t, err)
	_, err = client.Resources.WaitUntilReady(ctx, res.ID, wait)
	require.NoError(t, err)
	res, err = client.Resources.Update(ctx, res.ID, &lambda.UpdateResourceRequest{CPULimit: "4", MemoryLimit: "8Gi"})
	require.NoError(t, err)
	dep, err := client.Deployments.Create(ctx, &lambda.CreateDeploymentRequest{Config: "high-performance", Region: "us-west-2", MinInstances: 3})
	require.NoError(t, err)
	workloads, err := client.Workloads.List(ctx, nil)
	require.NoError(t, err)

	acct, err := client.Account.Get(ctx)
	require.NoError(t, err)
	quota, err := client.Account.Quota(ctx)
	require.NoError(t, err)
	key, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "ci", Permissions: []string{"read"}})
	require.NoError(t, err)
	keys, err := client.APIKeys.List(ctx, nil)
	require.NoError(t, err)
	usage, err := client.Billing.Usage(ctx)
	require.NoError(t, err)
	invoices, err := client.Billing.ListInvoices(ctx, nil)
	require.NoError(t, err)
	invoice, err := client.Billing.GetInvoice(ctx, invoices.Items[0].ID)
	require.NoError(t, err)
	estimate, err := client.Billing.Estimate(ctx)
	require.NoError(t, err)

	for _, tc := range []struct {
		v     any
		allow []string
	}{
		{inst, nil},
		{network, nil},
		{rules.Items, nil},
		{metrics, nil},
		{vol, nil},
		{snap, nil},
		{vpn, nil},
		// LastExecuted is nil until the function first runs.
		{fns.Items, []string{"LastExecuted"}},
		// A compute resource has no memory or last execution, and Get
		// expands no function unless asked.
		{res, []string{"Memory", "LastExecution", "Function"}},
		{dep, nil},
		{workloads.Items, nil},
		{acct, nil},
		{quota, nil},
		// Only the create answer carries the secret; a new key was never used.
		{key, []string{"LastUsedAt"}},
		{keys.Items, []string{"Key", "LastUsedAt"}},
		{usage, nil},
		{invoices.Items, nil},
		{invoice, nil},
		{estimate, nil},
	} {
		for _, f := range zeroFields(tc.v, tc.allow...) {
			t.Errorf("%s is zero after a round trip through the simulator: a JSON tag that does not match the API's name?", f)
		}
		assertJSONRoundTrip(t, tc.v)
	}
}

// assertJSONRoundTrip checks that v, a resource (or a list of them) as the
// SDK decoded it, marshals to JSON that decodes back to v: a user who
// caches or forwards a resource as JSON gets it back whole. The one
// exception is APIKey.Key, which marshals as "[REDACTED]" on purpose.
func assertJSONRoundTrip(t *testing.T, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	back := reflect.New(reflect.TypeOf(v))
	require.NoError(t, json.Unmarshal(b, back.Interface()), "%T marshals to JSON it cannot read back: %s", v, b)
	want, got := v, back.Elem().Interface()
	switch k := got.(type) {
	case *lambda.APIKey:
		w := *want.(*lambda.APIKey)
		w.Key, k.Key = lambda.Secret{}, lambda.Secret{}
		want = &w
	case []lambda.APIKey:
		w := append([]lambda.APIKey(nil), want.([]lambda.APIKey)...)
		for i := range w {
			w[i].Key, k[i].Key = lambda.Secret{}, lambda.Secret{}
		}
		want = w
	}
	assert.Equal(t, want, got, "%T does not survive json.Marshal and json.Unmarshal", v)
}
