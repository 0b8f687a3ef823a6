package lambda_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

func TestFirewallRulesOnTheWire(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)

	ssh, err := client.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: lambda.FirewallProtocolTCP,
		PortRange: "22", Source: "203.0.113.0/24", Action: lambda.FirewallActionAllow, Description: "ssh"})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/firewall/rules",
		Body: `{"protocol":"tcp","port_range":"22","source":"203.0.113.0/24","action":"allow","description":"ssh"}`})
	assert.Regexp(t, `^fw_`, ssh.ID)
	assert.Equal(t, lambda.FirewallProtocolTCP, ssh.Protocol)
	assert.Equal(t, "22", ssh.PortRange)
	assert.Equal(t, "203.0.113.0/24", ssh.Source)
	assert.Equal(t, lambda.FirewallActionAllow, ssh.Action)
	assert.Equal(t, "ssh", ssh.Description)
	assert.WithinDuration(t, srv.Now(), ssh.CreatedAt, time.Minute)

	// icmp needs no port range: none is sent.
	ping, err := client.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: lambda.FirewallProtocolICMP,
		Source: "0.0.0.0/0", Action: lambda.FirewallActionDeny})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/firewall/rules", Body: `{"protocol":"icmp","source":"0.0.0.0/0","action":"deny"}`})
	assert.Empty(t, ping.PortRange)
	assert.Equal(t, lambda.FirewallActionDeny, ping.Action)

	// The instance's network shows the rules, with its addresses.
	inst := srv.SeedInstances(1)[0]
	nw, err := client.Instances.Network(ctx, inst)
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/instances/" + inst + "/network"})
	assert.Equal(t, inst, nw.InstanceID)
	assert.NotEmpty(t, nw.PublicIP)
	assert.NotEmpty(t, nw.PrivateIP)
	assert.NotEmpty(t, nw.VPCID)
	require.Len(t, nw.FirewallRules, 2)
	assert.Equal(t, *ssh, nw.FirewallRules[0])
	assert.Equal(t, *ping, nw.FirewallRules[1])
	_, err = client.Instances.Network(ctx, "inst_missing")
	require.ErrorIs(t, err, lambda.ErrNotFound)

	require.NoError(t, client.Firewall.DeleteRule(ctx, ssh.ID))
	assertWire(t, srv, wireReq{Method: "DELETE", Path: "/v1/firewall/rules/" + ssh.ID})
	left := drain(t, client.Firewall.AllRules(ctx, nil))
	require.Len(t, left, 1)
	assert.Equal(t, ping.ID, left[0].ID)
	err = client.Firewall.DeleteRule(ctx, ssh.ID)
	require.ErrorIs(t, err, lambda.ErrNotFound)
}

func TestFirewallRulesRefused(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	ctx := testCtx(t)
	tests := []struct {
		name  string
		req   *lambda.CreateFirewallRuleRequest
		field string
	}{
		{"source not a CIDR", &lambda.CreateFirewallRuleRequest{Protocol: "tcp", PortRange: "80", Source: "everyone", Action: "allow"}, "source"},
		{"tcp without ports", &lambda.CreateFirewallRuleRequest{Protocol: "tcp", Source: "0.0.0.0/0", Action: "allow"}, "port_range"},
		{"unknown protocol", &lambda.CreateFirewallRuleRequest{Protocol: "sctp", PortRange: "80", Source: "0.0.0.0/0", Action: "allow"}, "protocol"},
		{"unknown action", &lambda.CreateFirewallRuleRequest{Protocol: "tcp", PortRange: "80", Source: "0.0.0.0/0", Action: "maybe"}, "action"},
	}
	for _, tt := range tests {
		_, err := client.Firewall.CreateRule(ctx, tt.req)
		require.ErrorIs(t, err, lambda.ErrInvalidRequest, tt.name)
		var lerr *lambda.Error
		require.ErrorAs(t, err, &lerr)
		require.NotNil(t, lerr.Details, tt.name)
		assert.Equal(t, tt.field, lerr.Details.Field, tt.name)
	}
	assert.Empty(t, drain(t, client.Firewall.AllRules(ctx, nil)))
}

func TestFirewallListAndAllRulesPageThrough(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	var ids []string
	for i := range 25 {
		r, err := client.Firewall.CreateRule(ctx, &lambda.CreateFirewallRuleRequest{Protocol: lambda.FirewallProtocolTCP,
			PortRange: fmt.Sprintf("%d-%d", 8000+i, 8100+i), Source: "10.0.0.0/8", Action: lambda.FirewallActionAllow})
		require.NoError(t, err)
		ids = append(ids, r.ID)
	}
	page, err := client.Firewall.ListRules(ctx, &lambda.ListFirewallRulesOptions{ListOptions: lambda.ListOptions{Page: 2, Limit: 10},
		Sort: "created_at", Order: lambda.SortDescending})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/firewall/rules", Query: "page=2&limit=10&sort=created_at&order=desc"})
	require.Len(t, page.Items, 10)
	assert.Equal(t, ids[14], page.Items[0].ID)
	assert.Equal(t, "8014-8114", page.Items[0].PortRange)

	srv.ResetRequests()
	all := drain(t, client.Firewall.AllRules(ctx, &lambda.ListFirewallRulesOptions{ListOptions: lambda.ListOptions{Limit: 10}}))
	got := make([]string, len(all))
	for i, r := range all {
		got[i] = r.ID
	}
	assert.Equal(t, ids, got)
	assert.Len(t, srv.Requests(), 3)
}

func TestVPNsOnTheWire(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	vpn, err := client.VPNs.Create(ctx, &lambda.CreateVPNRequest{Name: "office", Region: "eu-west-1"})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "POST", Path: "/v1/vpn", Body: `{"name":"office","region":"eu-west-1"}`})
	assert.Regexp(t, `^vpn_`, vpn.ID)
	assert.Equal(t, "office", vpn.Name)
	assert.Equal(t, "eu-west-1", vpn.Region)
	assert.Equal(t, lambda.VPNStatusPending, vpn.Status)
	assert.WithinDuration(t, srv.Now(), vpn.CreatedAt, time.Minute)

	active := eventually(t, func() (*lambda.VPN, error) {
		p, err := client.VPNs.List(ctx, &lambda.ListVPNsOptions{Status: lambda.VPNStatusActive})
		if err != nil || len(p.Items) == 0 {
			return &lambda.VPN{}, err
		}
		return &p.Items[0], nil
	}, func(v *lambda.VPN) bool { return v.ID == vpn.ID })
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/vpn", Query: "status=active"})
	assert.Equal(t, lambda.VPNStatusActive, active.Status)

	_, err = client.VPNs.Create(ctx, &lambda.CreateVPNRequest{Name: "no-region"})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
}

func TestVPNsListAndAllPageThrough(t *testing.T) {
	t.Parallel()
	// VPNs stay pending for the whole test, so a status filter is stable.
	client, srv := newSim(t, lambdatest.WithTransitionDelay(time.Minute))
	ctx := testCtx(t)
	var ids []string
	for i := range 25 {
		region := "us-east-1"
		if i%2 == 0 {
			region = "eu-west-1"
		}
		v, err := client.VPNs.Create(ctx, &lambda.CreateVPNRequest{Name: fmt.Sprintf("vpn-%02d", i), Region: region})
		require.NoError(t, err)
		ids = append(ids, v.ID)
	}
	page, err := client.VPNs.List(ctx, &lambda.ListVPNsOptions{ListOptions: lambda.ListOptions{Page: 2, Limit: 10},
		Region: "eu-west-1", Status: lambda.VPNStatusPending, Sort: "name", Order: lambda.SortAscending})
	require.NoError(t, err)
	assertWire(t, srv, wireReq{Method: "GET", Path: "/v1/vpn",
		Query: "page=2&limit=10&region=eu-west-1&status=pending&sort=name&order=asc"})
	require.Len(t, page.Items, 3, "13 in eu-west-1: 10, then 3")
	assert.Equal(t, "vpn-20", page.Items[0].Name)
	assert.False(t, page.Pagination.HasNext)

	srv.ResetRequests()
	all := drain(t, client.VPNs.All(ctx, &lambda.ListVPNsOptions{ListOptions: lambda.ListOptions{Limit: 10}}))
	got := make([]string, len(all))
	for i, v := range all {
		got[i] = v.ID
	}
	assert.Equal(t, ids, got)
	assert.Len(t, srv.Requests(), 3)
}
