package lambda_test

import (
	"context"
	"errors"
	"net/http"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// coverageEnv is what one entry of operationCalls gets: a fresh simulator,
// a client of it, and the ID its setup made.
type coverageEnv struct {
	srv *lambdatest.Server
	c   *lambda.Client
	id  string
}

// operationCall reaches one operation of the contract through the SDK.
// setup (optional) makes what the call needs and sets env.id; only the
// requests of call are checked.
type operationCall struct {
	setup func(ctx context.Context, env *coverageEnv) error
	call  func(ctx context.Context, env *coverageEnv) error
}

const (
	coverageClientID     = "cli_coverage"
	coverageClientSecret = "cs_coverage_0f1e2d3c4b"
)

// operationCalls maps every operation ID of openapi.yaml to the SDK call
// that reaches it. TestEveryOperationIsServedAndCalled fails until a new
// operation has an entry here, so an operation cannot ship without a
// handler in the simulator, a way to call it in the SDK, and a test that
// calls it.
func operationCalls() map[string]operationCall {
	drop := func(_ any, err error) error { return err }
	return map[string]operationCall{
		"createInstance": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web",
				InstanceType: lambda.InstanceTypeCompute2x, Region: "us-west-1", Image: "ubuntu-22.04"}))
		}},
		"listInstances": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.List(ctx, nil)) }},
		"getInstance": {setup: seedInstance("running"),
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.Get(ctx, e.id)) }},
		"updateInstance": {setup: seedInstance("running"), call: func(ctx context.Context, e *coverageEnv) error {
			name := "renamed"
			return drop(e.c.Instances.Update(ctx, e.id, &lambda.UpdateInstanceRequest{Name: &name}))
		}},
		"deleteInstance": {setup: seedInstance("running"),
			call: func(ctx context.Context, e *coverageEnv) error { return e.c.Instances.Delete(ctx, e.id) }},
		"startInstance": {setup: seedInstance("stopped"),
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.Start(ctx, e.id)) }},
		"stopInstance": {setup: seedInstance("running"),
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.Stop(ctx, e.id)) }},
		"restartInstance": {setup: seedInstance("running"),
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.Restart(ctx, e.id)) }},
		"resizeInstance": {setup: seedInstance("stopped"), call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Instances.Resize(ctx, e.id, &lambda.ResizeInstanceRequest{InstanceType: lambda.InstanceTypeCompute8x}))
		}},
		"getInstanceNetwork": {setup: seedInstance("running"),
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.Network(ctx, e.id)) }},
		"getInstanceMetrics": {setup: seedInstance("running"),
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Instances.Metrics(ctx, e.id, nil)) }},
		"streamInstanceMetrics": {setup: seedInstance("running"), call: func(ctx context.Context, e *coverageEnv) error {
			for _, err := range e.c.Instances.StreamMetrics(ctx, e.id, nil) {
				return err // the first sample (nil) or the failure
			}
			return errors.New("the stream ended without a sample")
		}},

		"createVolume": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 100, Region: "us-west-1"}))
		}},
		"listVolumes": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Volumes.List(ctx, nil)) }},
		"getVolume": {setup: newVolume,
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Volumes.Get(ctx, e.id)) }},
		"deleteVolume": {setup: newVolume,
			call: func(ctx context.Context, e *coverageEnv) error { return e.c.Volumes.Delete(ctx, e.id) }},
		"attachVolume": {setup: newVolume, call: func(ctx context.Context, e *coverageEnv) error {
			inst := e.srv.SeedInstances(1)[0]
			return drop(e.c.Volumes.Attach(ctx, e.id, &lambda.AttachVolumeRequest{InstanceID: inst}))
		}},
		"detachVolume": {setup: attachedVolume,
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Volumes.Detach(ctx, e.id)) }},
		"resizeVolume": {setup: newVolume, call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Volumes.Resize(ctx, e.id, &lambda.ResizeVolumeRequest{SizeGB: 200}))
		}},

		"createSnapshot": {setup: newVolume, call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "backup", VolumeID: e.id}))
		}},
		"listSnapshots": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Snapshots.List(ctx, nil)) }},
		"getSnapshot": {setup: newSnapshot,
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Snapshots.Get(ctx, e.id)) }},
		"deleteSnapshot": {setup: newSnapshot,
			call: func(ctx context.Context, e *coverageEnv) error { return e.c.Snapshots.Delete(ctx, e.id) }},
		"restoreSnapshot": {setup: newSnapshot,
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Snapshots.Restore(ctx, e.id)) }},

		"createFirewallRule": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: lambda.FirewallProtocolTCP,
				PortRange: "22", Source: "203.0.113.0/24", Action: lambda.FirewallActionAllow}))
		}},
		"listFirewallRules": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Firewall.ListRules(ctx, nil)) }},
		"deleteFirewallRule": {
			setup: func(ctx context.Context, e *coverageEnv) error {
				r, err := e.c.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: lambda.FirewallProtocolTCP,
					PortRange: "22", Source: "203.0.113.0/24", Action: lambda.FirewallActionAllow})
				if err == nil {
					e.id = r.ID
				}
				return err
			},
			call: func(ctx context.Context, e *coverageEnv) error { return e.c.Firewall.DeleteRule(ctx, e.id) },
		},
		"createVPN": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.VPNs.Create(ctx, &lambda.CreateVPNRequest{Name: "office", Region: "eu-west-1"}))
		}},
		"listVPNs": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.VPNs.List(ctx, nil)) }},

		"listFunctions": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Functions.List(ctx, nil)) }},
		"createFunction": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Functions.Create(ctx, &lambda.CreateFunctionRequest{Name: "resize-images",
				Runtime: "Node.js 20", Handler: "index.handler"}))
		}},

		"getUsage": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Billing.Usage(ctx)) }},
		// No method of its own: Billing.Usage asks the older /usage when
		// /billing/usage answers 404, as some platforms' do.
		"getUsageLegacy": {
			setup: func(_ context.Context, e *coverageEnv) error {
				e.srv.InjectFault(lambdatest.Fault{Method: http.MethodGet, Path: "/v1/billing/usage", Status: http.StatusNotFound})
				return nil
			},
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Billing.Usage(ctx)) },
		},
		"listInvoices": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Billing.ListInvoices(ctx, nil)) }},
		"getInvoice": {
			setup: func(ctx context.Context, e *coverageEnv) error {
				page, err := e.c.Billing.ListInvoices(ctx, nil)
				if err == nil && len(page.Items) == 0 {
					err = errors.New("the simulator has no invoice")
				}
				if err == nil {
					e.id = page.Items[0].ID
				}
				return err
			},
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Billing.GetInvoice(ctx, e.id)) },
		},
		"getEstimate": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Billing.Estimate(ctx)) }},

		"getAccount": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Account.Get(ctx)) }},
		"updateAccount": {call: func(ctx context.Context, e *coverageEnv) error {
			company := "Acme"
			return drop(e.c.Account.Update(ctx, &lambda.UpdateAccountRequest{Company: &company}))
		}},
		"getQuota": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Account.Quota(ctx)) }},
		"createAPIKey": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "ci"}))
		}},
		"listAPIKeys": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.APIKeys.List(ctx, nil)) }},
		"deleteAPIKey": {
			setup: func(ctx context.Context, e *coverageEnv) error {
				k, err := e.c.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "ci"})
				if err == nil {
					e.id = k.ID
				}
				return err
			},
			call: func(ctx context.Context, e *coverageEnv) error { return e.c.APIKeys.Delete(ctx, e.id) },
		},
		// No method of its own: a client with WithOAuth2ClientCredentials
		// asks the token endpoint before its first call.
		"requestToken": {call: func(ctx context.Context, e *coverageEnv) error {
			c, err := lambda.NewClient(
				lambda.WithOAuth2ClientCredentials(&clientcredentials.Config{ClientID: coverageClientID,
					ClientSecret: coverageClientSecret, TokenURL: e.srv.TokenURL()}),
				lambda.WithBaseURL(e.srv.BaseURL()), lambda.WithHTTPClient(e.srv.Client()))
			if err != nil {
				return err
			}
			return drop(c.Account.Get(ctx))
		}},

		"createWebhook": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{URL: "https://example.com/hooks",
				Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret("whsec_coverage_0123456789")}))
		}},

		"listResources": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Resources.List(ctx, nil)) }},
		"createResource": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: "us-east-1", InstanceType: "t2.micro", VPC: "vpc-123"}))
		}},
		"getResource": {setup: newResource,
			call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Resources.Get(ctx, e.id, nil)) }},
		"updateResource": {setup: newResource, call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Resources.Update(ctx, e.id, &lambda.UpdateResourceRequest{CPULimit: "4"}))
		}},
		"deleteResource": {setup: newResource,
			call: func(ctx context.Context, e *coverageEnv) error { return e.c.Resources.Delete(ctx, e.id) }},

		"listWorkloads": {call: func(ctx context.Context, e *coverageEnv) error { return drop(e.c.Workloads.List(ctx, nil)) }},
		"createDeployment": {call: func(ctx context.Context, e *coverageEnv) error {
			return drop(e.c.Deployments.Create(ctx, &lambda.CreateDeploymentRequest{Config: "high-performance", Region: "us-west-2", MinInstances: 3}))
		}},
		// No method of its own: the workloads documentation's example URL for
		// what Deployments.Create does at /deployments. Client.Do reaches it
		// with the same body and answer.
		"createDeploymentAtWorkloads": {call: func(ctx context.Context, e *coverageEnv) error {
			var d lambda.Deployment
			return e.c.Do(ctx, http.MethodPost, "/workloads",
				&lambda.CreateDeploymentRequest{Config: "high-performance", Region: "us-west-2", MinInstances: 3}, &d)
		}},
	}
}

// seedInstance makes an instance in status.
func seedInstance(status string) func(context.Context, *coverageEnv) error {
	return func(_ context.Context, e *coverageEnv) error {
		e.id = e.srv.SeedInstances(1)[0]
		return e.srv.SetInstanceStatus(e.id, status)
	}
}

// newVolume makes an available volume.
func newVolume(ctx context.Context, e *coverageEnv) error {
	v, err := e.c.Volumes.Create(ctx, &lambda.CreateVolumeRequest{Name: "data", SizeGB: 100, Region: "us-west-1"})
	if err != nil {
		return err
	}
	e.id = v.ID
	return e.srv.SetStatus("volumes", v.ID, "available")
}

// attachedVolume makes a volume attached to a running instance.
func attachedVolume(ctx context.Context, e *coverageEnv) error {
	if err := newVolume(ctx, e); err != nil {
		return err
	}
	inst := e.srv.SeedInstances(1)[0]
	if _, err := e.c.Volumes.Attach(ctx, e.id, &lambda.AttachVolumeRequest{InstanceID: inst}); err != nil {
		return err
	}
	return e.srv.SetStatus("volumes", e.id, "attached")
}

// newSnapshot makes an available snapshot of an available volume.
func newSnapshot(ctx context.Context, e *coverageEnv) error {
	if err := newVolume(ctx, e); err != nil {
		return err
	}
	s, err := e.c.Snapshots.Create(ctx, &lambda.CreateSnapshotRequest{Name: "backup", VolumeID: e.id})
	if err != nil {
		return err
	}
	e.id = s.ID
	return e.srv.SetStatus("snapshots", s.ID, "available")
}

// newResource makes a resource.
func newResource(ctx context.Context, e *coverageEnv) error {
	r, err := e.c.Resources.Create(ctx, &lambda.CreateResourceRequest{Region: "us-east-1", InstanceType: "t2.micro", VPC: "vpc-123"})
	if err == nil {
		e.id = r.ID
	}
	return err
}

// TestEveryOperationIsServedAndCalled proves, for every operation of
// openapi.yaml, that the simulator has a handler for it, that the SDK has a
// way to call it, and that this test calls it: each entry of
// operationCalls runs against a fresh simulator, must succeed, and must
// have reached that operation (the request log names it). An operation
// added to the contract fails here until it has all three; an entry whose
// operation left the contract fails too.
func TestEveryOperationIsServedAndCalled(t *testing.T) {
	t.Parallel()
	contract, err := lambdatest.LoadContract()
	require.NoError(t, err)
	calls := operationCalls()
	inContract := map[string]bool{}
	for _, op := range contract.Operations() {
		inContract[op.ID] = true
		_, ok := calls[op.ID]
		assert.True(t, ok, "operation %s (%s %s) of openapi.yaml has no entry in operationCalls: "+
			"give it a handler in lambdatest, an SDK method, and an entry that calls it", op.ID, op.Method, op.Path)
	}
	var ids []string
	for id := range calls {
		ids = append(ids, id)
		assert.True(t, inContract[id], "operationCalls has %s, which is no operation of openapi.yaml", id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if !inContract[id] {
			continue
		}
		oc := calls[id]
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t, lambdatest.WithOAuthClient(coverageClientID, coverageClientSecret))
			ctx := testCtx(t)
			env := &coverageEnv{srv: srv, c: client}
			if oc.setup != nil {
				require.NoError(t, oc.setup(ctx, env), "setup")
			}
			srv.ResetRequests()
			require.NoError(t, oc.call(ctx, env))
			reqs := srv.Requests()
			var reached []string
			for _, r := range reqs {
				assert.NotEmpty(t, r.Operation, "%s %s matched no operation", r.Method, r.EscapedPath)
				reached = append(reached, r.Operation)
			}
			assert.Contains(t, reached, id, "the call reached other operations only")
		})
	}
}
