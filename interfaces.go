package lambda

import (
	"context"
	"iter"
)

// One interface per service, for callers who stub the SDK in unit tests, as
// godo and hcloud-go users do: depend on InstancesAPI where your code calls
// client.Instances, pass client.Instances in production and a stub of your
// own in a test. Each service satisfies its interface (checked below at
// compile time), and each interface holds every method of its service, so
// a stub written against it stays complete. The README's "Testing your own
// code" says when to stub one and when to run lambdatest instead.

// InstancesAPI is the method set of InstancesService, for stubbing client.Instances.
type InstancesAPI interface {
	All(ctx context.Context, opts *ListInstancesOptions, ro ...RequestOption) iter.Seq2[Instance, error]
	Create(ctx context.Context, req *CreateInstanceRequest, opts ...RequestOption) (*Instance, error)
	Delete(ctx context.Context, id string, opts ...RequestOption) error
	Get(ctx context.Context, id string, opts ...RequestOption) (*Instance, error)
	List(ctx context.Context, opts *ListInstancesOptions, ro ...RequestOption) (*Page[Instance], error)
	Metrics(ctx context.Context, id string, opts *MetricsOptions, ro ...RequestOption) (*Metrics, error)
	Network(ctx context.Context, id string, opts ...RequestOption) (*Network, error)
	Resize(ctx context.Context, id string, req *ResizeInstanceRequest, opts ...RequestOption) (*Instance, error)
	Restart(ctx context.Context, id string, opts ...RequestOption) (*Instance, error)
	Start(ctx context.Context, id string, opts ...RequestOption) (*Instance, error)
	Stop(ctx context.Context, id string, opts ...RequestOption) (*Instance, error)
	StreamMetrics(ctx context.Context, id string, opts *StreamMetricsOptions, ro ...RequestOption) iter.Seq2[MetricSample, error]
	Update(ctx context.Context, id string, req *UpdateInstanceRequest, opts ...RequestOption) (*Instance, error)
	WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error
	WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Instance, error)
	WaitUntilStopped(ctx context.Context, id string, opts ...WaitOption) (*Instance, error)
}

// VolumesAPI is the method set of VolumesService, for stubbing client.Volumes.
type VolumesAPI interface {
	All(ctx context.Context, opts *ListVolumesOptions, ro ...RequestOption) iter.Seq2[Volume, error]
	Attach(ctx context.Context, id string, req *AttachVolumeRequest, opts ...RequestOption) (*Volume, error)
	Create(ctx context.Context, req *CreateVolumeRequest, opts ...RequestOption) (*Volume, error)
	Delete(ctx context.Context, id string, opts ...RequestOption) error
	Detach(ctx context.Context, id string, opts ...RequestOption) (*Volume, error)
	Get(ctx context.Context, id string, opts ...RequestOption) (*Volume, error)
	List(ctx context.Context, opts *ListVolumesOptions, ro ...RequestOption) (*Page[Volume], error)
	Resize(ctx context.Context, id string, req *ResizeVolumeRequest, opts ...RequestOption) (*Volume, error)
	WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error
	WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Volume, error)
}

// SnapshotsAPI is the method set of SnapshotsService, for stubbing client.Snapshots.
type SnapshotsAPI interface {
	All(ctx context.Context, opts *ListSnapshotsOptions, ro ...RequestOption) iter.Seq2[Snapshot, error]
	Create(ctx context.Context, req *CreateSnapshotRequest, opts ...RequestOption) (*Snapshot, error)
	Delete(ctx context.Context, id string, opts ...RequestOption) error
	Get(ctx context.Context, id string, opts ...RequestOption) (*Snapshot, error)
	List(ctx context.Context, opts *ListSnapshotsOptions, ro ...RequestOption) (*Page[Snapshot], error)
	Restore(ctx context.Context, id string, opts ...RequestOption) (*Snapshot, error)
	WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error
	WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Snapshot, error)
}

// FirewallAPI is the method set of FirewallService, for stubbing client.Firewall.
type FirewallAPI interface {
	AllRules(ctx context.Context, opts *ListFirewallRulesOptions, ro ...RequestOption) iter.Seq2[FirewallRule, error]
	CreateRule(ctx context.Context, req *CreateFirewallRuleRequest, opts ...RequestOption) (*FirewallRule, error)
	DeleteRule(ctx context.Context, id string, opts ...RequestOption) error
	ListRules(ctx context.Context, opts *ListFirewallRulesOptions, ro ...RequestOption) (*Page[FirewallRule], error)
}

// VPNsAPI is the method set of VPNsService, for stubbing client.VPNs.
type VPNsAPI interface {
	All(ctx context.Context, opts *ListVPNsOptions, ro ...RequestOption) iter.Seq2[VPN, error]
	Create(ctx context.Context, req *CreateVPNRequest, opts ...RequestOption) (*VPN, error)
	List(ctx context.Context, opts *ListVPNsOptions, ro ...RequestOption) (*Page[VPN], error)
}

// FunctionsAPI is the method set of FunctionsService, for stubbing client.Functions.
type FunctionsAPI interface {
	All(ctx context.Context, opts *ListFunctionsOptions, ro ...RequestOption) iter.Seq2[Function, error]
	Create(ctx context.Context, req *CreateFunctionRequest, opts ...RequestOption) (*Function, error)
	List(ctx context.Context, opts *ListFunctionsOptions, ro ...RequestOption) (*Page[Function], error)
	WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Function, error)
}

// BillingAPI is the method set of BillingService, for stubbing client.Billing.
type BillingAPI interface {
	AllInvoices(ctx context.Context, opts *ListInvoicesOptions, ro ...RequestOption) iter.Seq2[Invoice, error]
	Estimate(ctx context.Context, opts ...RequestOption) (*Estimate, error)
	GetInvoice(ctx context.Context, id string, opts ...RequestOption) (*Invoice, error)
	ListInvoices(ctx context.Context, opts *ListInvoicesOptions, ro ...RequestOption) (*Page[Invoice], error)
	Usage(ctx context.Context, opts ...RequestOption) (*Usage, error)
}

// AccountAPI is the method set of AccountService, for stubbing client.Account.
type AccountAPI interface {
	Get(ctx context.Context, opts ...RequestOption) (*Account, error)
	Quota(ctx context.Context, opts ...RequestOption) (*Quota, error)
	Update(ctx context.Context, req *UpdateAccountRequest, opts ...RequestOption) (*Account, error)
}

// APIKeysAPI is the method set of APIKeysService, for stubbing client.APIKeys.
type APIKeysAPI interface {
	All(ctx context.Context, opts *ListAPIKeysOptions, ro ...RequestOption) iter.Seq2[APIKey, error]
	Create(ctx context.Context, req *CreateAPIKeyRequest, opts ...RequestOption) (*APIKey, error)
	Delete(ctx context.Context, id string, opts ...RequestOption) error
	List(ctx context.Context, opts *ListAPIKeysOptions, ro ...RequestOption) (*Page[APIKey], error)
}

// WebhooksAPI is the method set of WebhooksService, for stubbing client.Webhooks.
type WebhooksAPI interface {
	Create(ctx context.Context, req *CreateWebhookRequest, opts ...RequestOption) (*WebhookSubscription, error)
}

// ResourcesAPI is the method set of ResourcesService, for stubbing client.Resources.
type ResourcesAPI interface {
	All(ctx context.Context, opts *ListResourcesOptions, ro ...RequestOption) iter.Seq2[Resource, error]
	Create(ctx context.Context, req *CreateResourceRequest, opts ...RequestOption) (*Resource, error)
	Delete(ctx context.Context, id string, opts ...RequestOption) error
	Get(ctx context.Context, id string, opts ...RequestOption) (*Resource, error)
	List(ctx context.Context, opts *ListResourcesOptions, ro ...RequestOption) (*Page[Resource], error)
	Update(ctx context.Context, id string, req *UpdateResourceRequest, opts ...RequestOption) (*Resource, error)
	WaitUntilDeleted(ctx context.Context, id string, opts ...WaitOption) error
	WaitUntilReady(ctx context.Context, id string, opts ...WaitOption) (*Resource, error)
}

// WorkloadsAPI is the method set of WorkloadsService, for stubbing client.Workloads.
type WorkloadsAPI interface {
	All(ctx context.Context, opts *ListWorkloadsOptions, ro ...RequestOption) iter.Seq2[Workload, error]
	List(ctx context.Context, opts *ListWorkloadsOptions, ro ...RequestOption) (*Page[Workload], error)
}

// DeploymentsAPI is the method set of DeploymentsService, for stubbing client.Deployments.
type DeploymentsAPI interface {
	Create(ctx context.Context, req *CreateDeploymentRequest, opts ...RequestOption) (*Deployment, error)
}

// Every service satisfies its interface.
var (
	_ InstancesAPI   = (*InstancesService)(nil)
	_ VolumesAPI     = (*VolumesService)(nil)
	_ SnapshotsAPI   = (*SnapshotsService)(nil)
	_ FirewallAPI    = (*FirewallService)(nil)
	_ VPNsAPI        = (*VPNsService)(nil)
	_ FunctionsAPI   = (*FunctionsService)(nil)
	_ BillingAPI     = (*BillingService)(nil)
	_ AccountAPI     = (*AccountService)(nil)
	_ APIKeysAPI     = (*APIKeysService)(nil)
	_ WebhooksAPI    = (*WebhooksService)(nil)
	_ ResourcesAPI   = (*ResourcesService)(nil)
	_ WorkloadsAPI   = (*WorkloadsService)(nil)
	_ DeploymentsAPI = (*DeploymentsService)(nil)
)
