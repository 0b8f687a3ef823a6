package lambda

import (
	"context"
	"iter"
	"net/http"
	"time"
)

// FirewallRule allows or denies traffic from a source to a range of ports.
type FirewallRule struct {
	ID       string           `json:"id"`
	Protocol FirewallProtocol `json:"protocol"`
	// PortRange is a port ("22") or a range ("8000-8080"); empty for icmp
	// and all.
	PortRange   string         `json:"port_range,omitempty"`
	Source      string         `json:"source"` // a CIDR block, e.g. "0.0.0.0/0"
	Action      FirewallAction `json:"action"`
	Description string         `json:"description,omitempty"`
	CreatedAt   time.Time      `json:"created_at"`
}

// FirewallProtocol is the protocol a firewall rule matches.
type FirewallProtocol string

// Firewall protocols.
const (
	FirewallProtocolTCP  FirewallProtocol = "tcp"
	FirewallProtocolUDP  FirewallProtocol = "udp"
	FirewallProtocolICMP FirewallProtocol = "icmp"
	FirewallProtocolAll  FirewallProtocol = "all"
)

// FirewallAction is what a firewall rule does with the traffic it matches.
type FirewallAction string

// Firewall actions.
const (
	FirewallActionAllow FirewallAction = "allow"
	FirewallActionDeny  FirewallAction = "deny"
)

// CreateFirewallRuleRequest is the body of Firewall.CreateRule.
type CreateFirewallRuleRequest struct {
	Protocol FirewallProtocol `json:"protocol"`
	// PortRange is required for tcp and udp: a port ("22") or a range
	// ("8000-8080").
	PortRange   string         `json:"port_range,omitempty"`
	Source      string         `json:"source"` // a CIDR block, IPv4 or IPv6
	Action      FirewallAction `json:"action"`
	Description string         `json:"description,omitempty"`
}

// ListFirewallRulesOptions sorts and pages Firewall.ListRules.
type ListFirewallRulesOptions struct {
	ListOptions
	Sort  string    `url:"sort,omitempty"` // "created_at" or "name"
	Order SortOrder `url:"order,omitempty"`
}

// CreateRule creates a firewall rule.
// A nil req is refused with ErrInvalidRequest, before anything is sent.
func (s *FirewallService) CreateRule(ctx context.Context, req *CreateFirewallRuleRequest, opts ...RequestOption) (*FirewallRule, error) {
	if req == nil {
		return nil, nilRequest("Firewall.CreateRule", "CreateFirewallRuleRequest")
	}
	return send[FirewallRule](ctx, clientOf(s), http.MethodPost, "/firewall/rules", req, opts)
}

// ListRules fetches one page of firewall rules.
func (s *FirewallService) ListRules(ctx context.Context, opts *ListFirewallRulesOptions, ro ...RequestOption) (*Page[FirewallRule], error) {
	return list[FirewallRule](ctx, clientOf(s), "/firewall/rules", opts, ro)
}

// AllRules iterates over every firewall rule, fetching pages as the loop
// needs them. opts is copied: changing it later has no effect.
// The list ends as page/limit lists with a pagination object do (see
// Paging in the package documentation): an item is never
// yielded twice, and a server that repeats or ignores paging ends the loop
// with ErrInvalidResponse.
//
// Deleting items inside the loop skips some: each delete moves the items
// after it onto pages already read (anyone else's deletes do the same).
// Collect the IDs first, then delete; see the example of
// InstancesService.All.
func (s *FirewallService) AllRules(ctx context.Context, opts *ListFirewallRulesOptions, ro ...RequestOption) iter.Seq2[FirewallRule, error] {
	return all(ctx, opts, s.ListRules, ro)
}

// DeleteRule deletes a firewall rule.
// A retry that finds it gone (404) after an earlier attempt that may have
// taken effect (a lost connection, a 5xx) is reported as success, since that
// attempt most likely did it; ResponseInfo.Attempts shows the retry. A 404
// on the first attempt is ErrNotFound.
func (s *FirewallService) DeleteRule(ctx context.Context, id string, opts ...RequestOption) error {
	if err := requireID("firewall rule", id); err != nil {
		return err
	}
	return del(ctx, clientOf(s), path("firewall", "rules", id), opts)
}
