package lambda_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

// receive makes an event the way a user gets one: signed, then ConstructEvent.
func receive(t *testing.T, typ, data string) *lambda.Event {
	t.Helper()
	body := eventBody("evt_1", typ, "2026-01-24T10:30:00Z", data)
	ev, err := lambda.ConstructEvent(body, hmacSign(body, testSecret), testSecret, lambda.WithWebhookClock(fixedClock))
	require.NoError(t, err)
	return ev
}

func TestEventInstanceData(t *testing.T) {
	t.Parallel()
	for _, typ := range []lambda.EventType{
		lambda.EventInstanceCreated, lambda.EventInstanceStarted, lambda.EventInstanceStopped,
		lambda.EventInstanceRestarted, lambda.EventInstanceResized, lambda.EventInstanceDeleted,
		"instance.migrated", // newer than this SDK: still an instance event
	} {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			ev := receive(t, string(typ), `{"instance_id":"inst_abc123","name":"my-instance","status":"running","extra":1}`)
			d, err := ev.InstanceData()
			require.NoError(t, err)
			assert.Equal(t, &lambda.InstanceEventData{InstanceID: "inst_abc123", Name: "my-instance", Status: "running"}, d)
		})
	}
}

func TestEventVolumeData(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ  lambda.EventType
		data string
		want lambda.VolumeEventData
	}{
		{lambda.EventVolumeCreated, `{"volume_id":"vol_1","status":"available"}`, lambda.VolumeEventData{VolumeID: "vol_1", Status: "available"}},
		{lambda.EventVolumeAttached, `{"volume_id":"vol_1","instance_id":"inst_1","status":"attached"}`, lambda.VolumeEventData{VolumeID: "vol_1", InstanceID: "inst_1", Status: "attached"}},
		{lambda.EventVolumeDetached, `{"volume_id":"vol_1","instance_id":null,"status":"available"}`, lambda.VolumeEventData{VolumeID: "vol_1", Status: "available"}},
		{lambda.EventVolumeResized, `{"volume_id":"vol_1","status":"resizing"}`, lambda.VolumeEventData{VolumeID: "vol_1", Status: "resizing"}},
		{lambda.EventVolumeDeleted, `{"volume_id":"vol_1","status":"deleted"}`, lambda.VolumeEventData{VolumeID: "vol_1", Status: "deleted"}},
	} {
		t.Run(string(tc.typ), func(t *testing.T) {
			t.Parallel()
			d, err := receive(t, string(tc.typ), tc.data).VolumeData()
			require.NoError(t, err)
			assert.Equal(t, &tc.want, d)
		})
	}
}

func TestEventSnapshotData(t *testing.T) {
	t.Parallel()
	for _, typ := range []lambda.EventType{lambda.EventSnapshotCreated, lambda.EventSnapshotRestored} {
		t.Run(string(typ), func(t *testing.T) {
			t.Parallel()
			d, err := receive(t, string(typ), `{"snapshot_id":"snap_1","volume_id":"vol_1","status":"available"}`).SnapshotData()
			require.NoError(t, err)
			assert.Equal(t, &lambda.SnapshotEventData{SnapshotID: "snap_1", VolumeID: "vol_1", Status: "available"}, d)
		})
	}
}

func TestEventDataRefusals(t *testing.T) {
	t.Parallel()
	instance := func(ev *lambda.Event) (any, error) { return ev.InstanceData() }
	volume := func(ev *lambda.Event) (any, error) { return ev.VolumeData() }
	snapshot := func(ev *lambda.Event) (any, error) { return ev.SnapshotData() }

	for _, tc := range []struct {
		name   string
		ev     *lambda.Event
		access func(*lambda.Event) (any, error)
		want   error
	}{
		{"instance data of a volume event", &lambda.Event{ID: "e", Type: lambda.EventVolumeAttached, Data: json.RawMessage(`{}`)}, instance, lambda.ErrWebhookWrongEventType},
		{"volume data of a snapshot event", &lambda.Event{ID: "e", Type: lambda.EventSnapshotCreated, Data: json.RawMessage(`{}`)}, volume, lambda.ErrWebhookWrongEventType},
		{"snapshot data of an instance event", &lambda.Event{ID: "e", Type: lambda.EventInstanceCreated, Data: json.RawMessage(`{}`)}, snapshot, lambda.ErrWebhookWrongEventType},
		{"a type that only starts alike", &lambda.Event{ID: "e", Type: "instances.created", Data: json.RawMessage(`{}`)}, instance, lambda.ErrWebhookWrongEventType},
		{"an unknown kind", &lambda.Event{ID: "e", Type: "gpu.melted", Data: json.RawMessage(`{}`)}, instance, lambda.ErrWebhookWrongEventType},
		{"a nil event", nil, instance, lambda.ErrWebhookWrongEventType},
		{"no data", &lambda.Event{ID: "e", Type: lambda.EventInstanceCreated}, instance, lambda.ErrWebhookMalformed},
		{"null data", &lambda.Event{ID: "e", Type: lambda.EventVolumeCreated, Data: json.RawMessage(` null `)}, volume, lambda.ErrWebhookMalformed},
		{"data not an object", &lambda.Event{ID: "e", Type: lambda.EventSnapshotCreated, Data: json.RawMessage(`"x"`)}, snapshot, lambda.ErrWebhookMalformed},
		{"a field of the wrong type", &lambda.Event{ID: "e", Type: lambda.EventInstanceCreated, Data: json.RawMessage(`{"status":3}`)}, instance, lambda.ErrWebhookMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			d, err := tc.access(tc.ev)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, d)
		})
	}
}
