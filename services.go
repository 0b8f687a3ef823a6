package lambda

// InstancesService manages compute instances: /instances.
type InstancesService service

// VolumesService manages block storage volumes: /volumes.
type VolumesService service

// SnapshotsService manages volume snapshots: /snapshots.
type SnapshotsService service

// FirewallService manages firewall rules: /firewall/rules.
type FirewallService service

// VPNsService manages VPNs: /vpn.
type VPNsService service

// FunctionsService manages serverless functions: /functions.
type FunctionsService service

// BillingService reads usage, invoices and cost estimates: /billing.
type BillingService service

// AccountService reads and updates the account and its quotas: /account.
type AccountService service

// APIKeysService manages the account's API keys: /account/api-keys.
type APIKeysService service

// WebhooksService manages webhook subscriptions: /webhooks.
type WebhooksService service

// ResourcesService manages generic cloud resources: /resources.
type ResourcesService service

// WorkloadsService lists deployed workloads: /workloads.
type WorkloadsService service

// DeploymentsService creates auto-scaled deployments: /deployments.
type DeploymentsService service

// services is the type of every endpoint group.
type services interface {
	*InstancesService | *VolumesService | *SnapshotsService | *FirewallService | *VPNsService |
		*FunctionsService | *BillingService | *AccountService | *APIKeysService | *WebhooksService |
		*ResourcesService | *WorkloadsService | *DeploymentsService
}

// clientOf is the client of s, nil for a nil service: the services of a
// zero lambda.Client{} are nil, and a call through one is refused by
// Client.usable instead of panicking on s.client.
func clientOf[S services](s S) *Client {
	if sv := (*service)(s); sv != nil {
		return sv.client
	}
	return nil
}
