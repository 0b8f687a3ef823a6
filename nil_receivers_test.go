package lambda_test

import (
	"context"
	"fmt"
	"iter"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lambda/lambda-go"
)

// noPanic runs call and turns a panic into an error the test reports, so
// that one panicking row does not hide the others.
func noPanic(call func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panicked: %v", r)
		}
	}()
	return call()
}

// firstOf is the first error a sequence yields, or nil.
func firstOf[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// TestNilContextIsRefusedNotAPanic: a nil context (a forgotten ctx
// variable, a nil interface passed along) is an argument like any other:
// refused before sending with ErrInvalidRequest naming "ctx", on every kind
// of entry point, never a panic deep inside the call.
func TestNilContextIsRefusedNotAPanic(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	var nilCtx context.Context // what a caller passes by mistake
	drop := func(_ any, err error) error { return err }
	calls := map[string]func() error{
		"Instances.Get":    func() error { return drop(client.Instances.Get(nilCtx, "inst_1")) },
		"Instances.Create": func() error { return drop(client.Instances.Create(nilCtx, &lambda.CreateInstanceRequest{Name: "a"})) },
		"Instances.Delete": func() error { return client.Instances.Delete(nilCtx, "inst_1") },
		"Instances.List":   func() error { return drop(client.Instances.List(nilCtx, nil)) },
		"Instances.All":    func() error { return firstOf(client.Instances.All(nilCtx, nil)) },
		"Resources.All":    func() error { return firstOf(client.Resources.All(nilCtx, nil)) },
		"Billing.Usage":    func() error { return drop(client.Billing.Usage(nilCtx)) },
		"Instances.WaitUntilReady": func() error {
			return drop(client.Instances.WaitUntilReady(nilCtx, "inst_1", fastWait))
		},
		"Volumes.WaitUntilDeleted": func() error { return client.Volumes.WaitUntilDeleted(nilCtx, "vol_1", fastWait) },
		"WaitFor": func() error {
			get := func(ctx context.Context) (*lambda.Volume, error) { return client.Volumes.Get(ctx, "vol_1") }
			return drop(lambda.WaitFor(nilCtx, get, lambda.WaitCondition[lambda.Volume]{Gone: true}, fastWait))
		},
		"Instances.StreamMetrics": func() error { return firstOf(client.Instances.StreamMetrics(nilCtx, "inst_1", nil)) },
		"Client.Do":               func() error { return client.Do(nilCtx, "GET", "/account", nil, nil) },
	}
	for name, call := range calls {
		err := noPanic(call)
		assertRefused(t, name, err)
		var lerr *lambda.Error
		if assert.ErrorAs(t, err, &lerr, name) && assert.NotNil(t, lerr.Details, name) {
			assert.Equal(t, "ctx", lerr.Details.Field, name)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

// TestClientNotMadeByNewClientIsRefusedNotAPanic: a nil *Client, or a
// zero lambda.Client{} (whose services are nil), answers every method with
// an error matching ErrInvalidRequest that says to use NewClient, instead of
// a nil pointer dereference inside the SDK.
func TestClientNotMadeByNewClientIsRefusedNotAPanic(t *testing.T) {
	t.Parallel()
	ctx := testCtx(t)
	var nilClient *lambda.Client
	zero := &lambda.Client{}
	drop := func(_ any, err error) error { return err }
	calls := map[string]func() error{
		"nil Client.Do":                 func() error { return nilClient.Do(ctx, "GET", "/account", nil, nil) },
		"zero Client.Do":                func() error { return zero.Do(ctx, "GET", "/account", nil, nil) },
		"zero Instances.Get":            func() error { return drop(zero.Instances.Get(ctx, "inst_1")) },
		"zero Instances.Create":         func() error { return drop(zero.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "a"})) },
		"zero Instances.All":            func() error { return firstOf(zero.Instances.All(ctx, nil)) },
		"zero Instances.WaitUntilReady": func() error { return drop(zero.Instances.WaitUntilReady(ctx, "inst_1", fastWait)) },
		"zero Instances.StreamMetrics":  func() error { return firstOf(zero.Instances.StreamMetrics(ctx, "inst_1", nil)) },
		"zero Volumes.WaitUntilDeleted": func() error { return zero.Volumes.WaitUntilDeleted(ctx, "vol_1", fastWait) },
		"zero Resources.All":            func() error { return firstOf(zero.Resources.All(ctx, nil)) },
		"zero Billing.Usage":            func() error { return drop(zero.Billing.Usage(ctx)) },
		"zero Account.Get":              func() error { return drop(zero.Account.Get(ctx)) },
		"zero Firewall.DeleteRule":      func() error { return zero.Firewall.DeleteRule(ctx, "fw_1") },
		"zero Webhooks.Create": func() error {
			return drop(zero.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{
				URL: "https://example.com/hooks", Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret("whsec_0123456789")}))
		},
		"zero Deployments.Create":        func() error { return drop(zero.Deployments.Create(ctx, &lambda.CreateDeploymentRequest{})) },
		"zero Workloads.List":            func() error { return drop(zero.Workloads.List(ctx, nil)) },
		"zero Functions.WaitUntilReady":  func() error { return drop(zero.Functions.WaitUntilReady(ctx, "f", fastWait)) },
		"zero Snapshots.Restore":         func() error { return drop(zero.Snapshots.Restore(ctx, "snap_1")) },
		"zero APIKeys.List":              func() error { return drop(zero.APIKeys.List(ctx, nil)) },
		"zero VPNs.All":                  func() error { return firstOf(zero.VPNs.All(ctx, nil)) },
		"zero Instances.Metrics":         func() error { return drop(zero.Instances.Metrics(ctx, "inst_1", nil)) },
		"zero Resources.Get":             func() error { return drop(zero.Resources.Get(ctx, "RES_1", nil)) },
		"zero Billing.AllInvoices":       func() error { return firstOf(zero.Billing.AllInvoices(ctx, nil)) },
		"nil Client.BaseURL is empty":    func() error { return expectEmpty(nilClient.BaseURL()) },
		"nil Client.RateLimit is not ok": func() error { _, ok := nilClient.RateLimit(); return expectFalse(ok) },
		"zero Client.RateLimit is not ok": func() error {
			_, ok := zero.RateLimit()
			return expectFalse(ok)
		},
	}
	for name, call := range calls {
		err := noPanic(call)
		if name[len(name)-5:] == "empty" || name[len(name)-6:] == "not ok" {
			assert.NoError(t, err, name)
			continue
		}
		assertRefused(t, name, err)
		if err != nil {
			assert.Contains(t, err.Error(), "NewClient", "%s: the message says how to make a client", name)
		}
	}
}

func expectEmpty(s string) error {
	if s != "" {
		return fmt.Errorf("got %q, want empty", s)
	}
	return nil
}

func expectFalse(ok bool) error {
	if ok {
		return fmt.Errorf("got true")
	}
	return nil
}
