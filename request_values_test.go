package lambda_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/lambda/lambda-go"
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
