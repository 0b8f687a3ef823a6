package lambda_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// idCalls calls every service method that takes an ID, with that ID.
// TestEveryIDMethodIsInTheTable fails when a method is missing, so a new
// method cannot skip the hostile IDs below.
func idCalls(ctx context.Context, client *lambda.Client) map[string]func(id string) error {
	drop := func(_ any, err error) error { return err }
	first := func(seq func(func(lambda.MetricSample, error) bool)) error {
		for _, err := range seq {
			return err
		}
		return errors.New("the stream ended without an error")
	}
	return map[string]func(id string) error{
		"APIKeys.Delete":             func(id string) error { return client.APIKeys.Delete(ctx, id) },
		"Billing.GetInvoice":         func(id string) error { return drop(client.Billing.GetInvoice(ctx, id)) },
		"Firewall.DeleteRule":        func(id string) error { return client.Firewall.DeleteRule(ctx, id) },
		"Functions.WaitUntilReady":   func(id string) error { return drop(client.Functions.WaitUntilReady(ctx, id)) },
		"Instances.Get":              func(id string) error { return drop(client.Instances.Get(ctx, id)) },
		"Instances.Update":           func(id string) error { return drop(client.Instances.Update(ctx, id, nil)) },
		"Instances.Delete":           func(id string) error { return client.Instances.Delete(ctx, id) },
		"Instances.Start":            func(id string) error { return drop(client.Instances.Start(ctx, id)) },
		"Instances.Stop":             func(id string) error { return drop(client.Instances.Stop(ctx, id)) },
		"Instances.Restart":          func(id string) error { return drop(client.Instances.Restart(ctx, id)) },
		"Instances.Resize":           func(id string) error { return drop(client.Instances.Resize(ctx, id, nil)) },
		"Instances.Network":          func(id string) error { return drop(client.Instances.Network(ctx, id)) },
		"Instances.Metrics":          func(id string) error { return drop(client.Instances.Metrics(ctx, id, nil)) },
		"Instances.WaitUntilReady":   func(id string) error { return drop(client.Instances.WaitUntilReady(ctx, id)) },
		"Instances.WaitUntilStopped": func(id string) error { return drop(client.Instances.WaitUntilStopped(ctx, id)) },
		"Instances.WaitUntilDeleted": func(id string) error { return client.Instances.WaitUntilDeleted(ctx, id) },
		"Instances.StreamMetrics":    func(id string) error { return first(client.Instances.StreamMetrics(ctx, id, nil)) },
		"Resources.Get":              func(id string) error { return drop(client.Resources.Get(ctx, id, nil)) },
		"Resources.Update":           func(id string) error { return drop(client.Resources.Update(ctx, id, nil)) },
		"Resources.Delete":           func(id string) error { return client.Resources.Delete(ctx, id) },
		"Resources.WaitUntilReady":   func(id string) error { return drop(client.Resources.WaitUntilReady(ctx, id)) },
		"Resources.WaitUntilDeleted": func(id string) error { return client.Resources.WaitUntilDeleted(ctx, id) },
		"Snapshots.Get":              func(id string) error { return drop(client.Snapshots.Get(ctx, id)) },
		"Snapshots.Delete":           func(id string) error { return client.Snapshots.Delete(ctx, id) },
		"Snapshots.Restore":          func(id string) error { return drop(client.Snapshots.Restore(ctx, id)) },
		"Snapshots.WaitUntilReady":   func(id string) error { return drop(client.Snapshots.WaitUntilReady(ctx, id)) },
		"Snapshots.WaitUntilDeleted": func(id string) error { return client.Snapshots.WaitUntilDeleted(ctx, id) },
		"Volumes.Get":                func(id string) error { return drop(client.Volumes.Get(ctx, id)) },
		"Volumes.Delete":             func(id string) error { return client.Volumes.Delete(ctx, id) },
		"Volumes.Attach": func(id string) error {
			return drop(client.Volumes.Attach(ctx, id, &lambda.AttachVolumeRequest{InstanceID: "inst_1"}))
		},
		"Volumes.Detach":           func(id string) error { return drop(client.Volumes.Detach(ctx, id)) },
		"Volumes.Resize":           func(id string) error { return drop(client.Volumes.Resize(ctx, id, nil)) },
		"Volumes.WaitUntilReady":   func(id string) error { return drop(client.Volumes.WaitUntilReady(ctx, id)) },
		"Volumes.WaitUntilDeleted": func(id string) error { return client.Volumes.WaitUntilDeleted(ctx, id) },
	}
}

// hostileIDs would not travel as one opaque path segment through every
// hop: dot segments, separators (raw, or as a hop that decodes the path
// sees them), already-escaped text, path parameters, control bytes, white
// space, and characters that Unicode normalization turns into any of these.
var hostileIDs = []string{
	"", " ", "\t", ".", "..", "...", " .. ",
	"/", "a/b", "../x", "x/..", "x/network", "..%2f", `\`, `..\x`, `a\b`,
	"%2e%2e", "%2E", ".%2e", "%2F", "a%2Fb", "%252e%252e", "%", "100%",
	"..;", "..;x", "x;y", ";",
	"a?b", "?x=1", "a#b", "#",
	"\x00", "a\x00", "a\nb", "a\rb", "x\r\nX-Evil: 1", "\x1b[31m", "x\x7f", "x\u0085", "\xff\xfe",
	" x", "x ", "a b", "a\u00a0b", "a\u2028b",
	"．．", "\u2025", "\u2026", "x／y", "x＼y", "％2e", "\ufe52\ufe52", "x\u037ey", "x\u2215y",
}

func TestHostileIDsAreRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	for name, call := range idCalls(ctx, client) {
		for _, id := range hostileIDs {
			err := call(id)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest, "%s(%q)", name, id)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr, "%s(%q)", name, id)
			assert.Zero(t, lerr.HTTPStatus, "%s(%q): refused by the client, not the API", name, id)
			require.NotNil(t, lerr.Details, "%s(%q)", name, id)
			assert.Equal(t, "id", lerr.Details.Field, "%s(%q) names the argument", name, id)
			assert.Contains(t, err.Error(), "argument id", "%s(%q)", name, id)
		}
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")
}

// TestOrdinaryIDsTravelAsOneSegment: what is refused is only what could
// change the route; other characters are escaped into one segment.
func TestOrdinaryIDsTravelAsOneSegment(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	for _, id := range []string{"inst_abc123", "λ-1", "a:b@c", "a+b=c&d", "x.y", "..x", "x..", "~$!*'()"} {
		_, err := client.Instances.Get(ctx, id)
		require.ErrorIs(t, err, lambda.ErrNotFound, id)
		r := lastReq(t, srv)
		assert.Equal(t, "/v1/instances/"+id, r.Path, id)
		assert.NotContains(t, strings.TrimPrefix(r.EscapedPath, "/v1/instances/"), "/", id)
		assert.Empty(t, r.RawQuery, id)
	}
}

// TestEveryIDMethodIsInTheTable walks the services on the client: every
// method whose first argument after the context is a string (an ID) must
// be in idCalls, so that the hostile-ID table covers it.
func TestEveryIDMethodIsInTheTable(t *testing.T) {
	t.Parallel()
	client, _ := newSim(t)
	calls := idCalls(context.Background(), client)
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	cv := reflect.ValueOf(client).Elem()
	found := 0
	for i := 0; i < cv.NumField(); i++ {
		f := cv.Type().Field(i)
		if !f.IsExported() || f.Type.Kind() != reflect.Pointer || !strings.HasSuffix(f.Type.Elem().Name(), "Service") {
			continue
		}
		st := f.Type
		for j := 0; j < st.NumMethod(); j++ {
			m := st.Method(j)
			mt := m.Type // receiver first
			if mt.NumIn() < 3 || mt.In(1) != ctxType || mt.In(2).Kind() != reflect.String {
				continue
			}
			found++
			assert.Contains(t, calls, f.Name+"."+m.Name, "a method that takes an ID is missing from idCalls")
		}
	}
	assert.Equal(t, len(calls), found, "idCalls lists a method the services do not have")
}
