package lambda

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestRouteTemplate: a deprecation is warned about once per route, so the
// route must not carry the resource's ID; the contract's templates say
// which segments are IDs.
func TestRouteTemplate(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"/instances", "/instances"},
		{"/instances/inst_1", "/instances/{id}"},
		{"/instances/inst_2/start", "/instances/{id}/start"},
		{"/instances/inst_2/metrics/stream", "/instances/{id}/metrics/stream"},
		{"/account/api-keys/key_9", "/account/api-keys/{id}"},
		{"/account/quota", "/account/quota"},
		{"/billing/invoices/INV-2026-001", "/billing/invoices/{id}"},
		{"/firewall/rules/fw_1", "/firewall/rules/{id}"},
		{"/instances/inst_1/hibernate", "/instances/{id}/{id}"}, // unknown to the contract: IDs still go
		{"/brand-new/res_1", "/{id}/{id}"},
	}
	for _, tc := range tests {
		assert.Equal(t, tc.want, routeTemplate(tc.path), tc.path)
	}
}
