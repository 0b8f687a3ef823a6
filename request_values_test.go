package lambda_test

import (
	"context"
	"encoding/json"
	"net/url"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// TestNegativePagingIsRefusedBeforeSending: a page, limit or offset below
// zero means nothing (0 already means "the first page", "the API's
// default"), so a list or an iterator refuses it with ErrInvalidRequest
// naming the field, before anything is sent, instead of sending page=-1
// for the API to refuse or, in an iterator, quietly reading it as 0.
func TestNegativePagingIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	drop := func(_ any, err error) error { return err }
	page := func(p, l int) lambda.ListOptions { return lambda.ListOptions{Page: p, Limit: l} }
	tests := []struct {
		name, field string
		call        func(context.Context) error
	}{
		{"Instances.List page", "page", func(ctx context.Context) error {
			return drop(client.Instances.List(ctx, &lambda.ListInstancesOptions{ListOptions: page(-1, 0)}))
		}},
		{"Instances.List limit", "limit", func(ctx context.Context) error {
			return drop(client.Instances.List(ctx, &lambda.ListInstancesOptions{ListOptions: page(1, -20)}))
		}},
		{"Billing.ListInvoices page", "page", func(ctx context.Context) error {
			return drop(client.Billing.ListInvoices(ctx, &lambda.ListInvoicesOptions{ListOptions: page(-3, 10)}))
		}},
		{"Workloads.List limit", "limit", func(ctx context.Context) error {
			return drop(client.Workloads.List(ctx, &lambda.ListWorkloadsOptions{ListOptions: page(0, -1)}))
		}},
		{"Resources.List offset", "offset", func(ctx context.Context) error {
			return drop(client.Resources.List(ctx, &lambda.ListResourcesOptions{OffsetOptions: lambda.OffsetOptions{Offset: -50}}))
		}},
		{"Resources.List limit", "limit", func(ctx context.Context) error {
			return drop(client.Resources.List(ctx, &lambda.ListResourcesOptions{OffsetOptions: lambda.OffsetOptions{Limit: -1}}))
		}},
		{"Volumes.All page", "page", func(ctx context.Context) error {
			return firstErr(client.Volumes.All(ctx, &lambda.ListVolumesOptions{ListOptions: page(-1, 0)}))
		}},
		{"Snapshots.All limit", "limit", func(ctx context.Context) error {
			return firstErr(client.Snapshots.All(ctx, &lambda.ListSnapshotsOptions{ListOptions: page(0, -5)}))
		}},
		{"Resources.All offset", "offset", func(ctx context.Context) error {
			return firstErr(client.Resources.All(ctx, &lambda.ListResourcesOptions{OffsetOptions: lambda.OffsetOptions{Offset: -1}}))
		}},
	}
	for _, tt := range tests {
		err := tt.call(ctx)
		assertRefused(t, tt.name, err)
		var lerr *lambda.Error
		if assert.ErrorAs(t, err, &lerr, tt.name) && assert.NotNil(t, lerr.Details, tt.name) {
			assert.Equal(t, tt.field, lerr.Details.Field, tt.name)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")

	// Zero is the documented default, and nil options are none.
	_, err := client.Instances.List(ctx, &lambda.ListInstancesOptions{})
	assert.NoError(t, err)
	_, err = client.Instances.List(ctx, nil)
	assert.NoError(t, err)
	_, err = client.Resources.List(ctx, nil)
	assert.NoError(t, err)
}

// TestFilterValuesTravelIntact: a filter value holding the query's own
// syntax (&, =, #, +, %, a space), non-ASCII or bytes that are not UTF-8
// reaches the API as that one value of that one parameter: nothing splits
// the query, starts a fragment or is lost. (In the JSON of a filter, bytes
// that are not UTF-8 cannot travel, and are refused.)
func TestFilterValuesTravelIntact(t *testing.T) {
	t.Parallel()
	values := []string{"a&status=stopped", "x=y", "#frag", "a b", "a+b", "100%", "λ-région", "bad\xffutf8", "?q", "/../"}
	for _, v := range values {
		t.Run(v, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t, lambdatest.WithSeedShapes())
			ctx := testCtx(t)
			_, err := client.Functions.List(ctx, &lambda.ListFunctionsOptions{Runtime: v, Tag: v})
			require.NoError(t, err)
			_, err = client.Resources.List(ctx, &lambda.ListResourcesOptions{Filter: map[string]string{"vpc": v}})
			if !utf8.ValidString(v) {
				// JSON cannot carry it: see TestBytesThatAreNotUTF8AreRefusedNotReplaced.
				assert.ErrorIs(t, err, lambda.ErrInvalidRequest)
				return
			}
			require.NoError(t, err)
			reqs := srv.Requests()
			require.Len(t, reqs, 2)
			q, err := url.ParseQuery(reqs[0].RawQuery)
			require.NoError(t, err)
			assert.Equal(t, url.Values{"runtime": {v}, "tag": {v}}, q)
			q, err = url.ParseQuery(reqs[1].RawQuery)
			require.NoError(t, err)
			require.Len(t, q, 1, "filter only: %s", reqs[1].RawQuery)
			var f map[string]string
			require.NoError(t, json.Unmarshal([]byte(q.Get("filter")), &f))
			assert.Equal(t, v, f["vpc"])
		})
	}
}

// TestBytesThatAreNotUTF8AreRefusedNotReplaced: JSON cannot carry bytes
// that are not UTF-8, and encoding/json replaces each with U+FFFD: a name
// would be created other than the caller wrote it, a filter would match
// nothing, in silence. Both are refused before sending, naming the field.
// A real U+FFFD, and a query parameter (which carries any bytes), go as
// they are.
func TestBytesThatAreNotUTF8AreRefusedNotReplaced(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	drop := func(_ any, err error) error { return err }
	const bad = "web\xff"
	tests := []struct {
		name, field string
		call        func() error
	}{
		{"instance name", "name", func() error {
			return drop(client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: bad, InstanceType: "compute-1x", Region: "us-west-1", Image: "ubuntu-22.04"}))
		}},
		{"instance tag value", "tags.team", func() error {
			return drop(client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: "compute-1x", Region: "us-west-1", Image: "ubuntu-22.04",
				Tags: map[string]string{"team": bad}}))
		}},
		{"ssh key", "ssh_keys[1]", func() error {
			return drop(client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: "compute-1x", Region: "us-west-1", Image: "ubuntu-22.04",
				SSHKeys: []string{"key_1", bad}}))
		}},
		{"update name", "name", func() error {
			return drop(client.Instances.Update(ctx, "inst_1", &lambda.UpdateInstanceRequest{Name: lambda.Ptr(bad)}))
		}},
		{"account company", "company", func() error {
			return drop(client.Account.Update(ctx, &lambda.UpdateAccountRequest{Company: lambda.Ptr(bad)}))
		}},
		{"Do body", "name", func() error {
			return client.Do(ctx, "POST", "/vpn", map[string]any{"name": bad, "region": "us-west-1"}, nil)
		}},
		{"resources filter", "filter.vpc", func() error {
			return drop(client.Resources.List(ctx, &lambda.ListResourcesOptions{Filter: map[string]string{"vpc": bad}}))
		}},
	}
	for _, tt := range tests {
		err := tt.call()
		assertRefused(t, tt.name, err)
		var lerr *lambda.Error
		if assert.ErrorAs(t, err, &lerr, tt.name) && assert.NotNil(t, lerr.Details, tt.name) {
			assert.Equal(t, tt.field, lerr.Details.Field, tt.name)
		}
		assert.NotContains(t, err.Error(), bad, "%s: the error names the field, not the value", tt.name)
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")

	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web\uFFFD", InstanceType: "compute-1x", Region: "us-west-1", Image: "ubuntu-22.04"})
	require.NoError(t, err, "a real U+FFFD is UTF-8")
	assert.Equal(t, "web\uFFFD", inst.Name)
	require.NoError(t, client.Do(ctx, "POST", "/vpn", json.RawMessage(`{"name":"a\ufffd","region":"us-west-1"}`), nil), "an escape of the caller's own")
}

// TestUpdateWithNilTagsClearsThem: Tags pointing at a nil map is, as in Go,
// no tags: it clears them, as a pointer to an empty map does. It used to go
// out as "tags": null, which the API refuses with a 400.
func TestUpdateWithNilTagsClearsThem(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	for name, tags := range map[string]map[string]string{"nil map": nil, "empty map": {}} {
		inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: "compute-1x",
			Region: "us-west-1", Image: "ubuntu-22.04", Tags: map[string]string{"team": "a"}})
		require.NoError(t, err)
		got, err := client.Instances.Update(ctx, inst.ID, &lambda.UpdateInstanceRequest{Tags: &tags})
		require.NoError(t, err, name)
		assert.Empty(t, got.Tags, name)
		reqs := srv.Requests()
		assert.JSONEq(t, `{"tags":{}}`, string(reqs[len(reqs)-1].Body), name)
	}
}
