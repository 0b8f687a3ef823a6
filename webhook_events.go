package lambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// ErrWebhookWrongEventType is returned by an Event's data accessor called on
// an event of another kind, such as InstanceData on a "volume.attached" event.
var ErrWebhookWrongEventType = errors.New("lambda: event is not of the requested kind")

// InstanceEventData is the data of an "instance.*" event.
type InstanceEventData struct {
	InstanceID string `json:"instance_id"`
	Name       string `json:"name"`
	Status     string `json:"status"`
}

// VolumeEventData is the data of a "volume.*" event. InstanceID is empty
// when the volume is not attached.
type VolumeEventData struct {
	VolumeID   string `json:"volume_id"`
	InstanceID string `json:"instance_id,omitempty"`
	Status     string `json:"status"`
}

// SnapshotEventData is the data of a "snapshot.*" event.
type SnapshotEventData struct {
	SnapshotID string `json:"snapshot_id"`
	VolumeID   string `json:"volume_id"`
	Status     string `json:"status"`
}

// InstanceData decodes the data of an instance event: one whose type starts
// with "instance.", including types newer than this SDK. On any other event
// it returns an error wrapping ErrWebhookWrongEventType.
func (e *Event) InstanceData() (*InstanceEventData, error) {
	var d InstanceEventData
	if err := e.decodeData("instance", &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// VolumeData decodes the data of a volume event: one whose type starts with
// "volume.". On any other event it returns an error wrapping
// ErrWebhookWrongEventType.
func (e *Event) VolumeData() (*VolumeEventData, error) {
	var d VolumeEventData
	if err := e.decodeData("volume", &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// SnapshotData decodes the data of a snapshot event: one whose type starts
// with "snapshot.". On any other event it returns an error wrapping
// ErrWebhookWrongEventType.
func (e *Event) SnapshotData() (*SnapshotEventData, error) {
	var d SnapshotEventData
	if err := e.decodeData("snapshot", &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// decodeData checks that e is an event about kind and decodes its data into v.
func (e *Event) decodeData(kind string, v any) error {
	if e == nil {
		return fmt.Errorf("%w: the event is nil, not one of the %s.* events", ErrWebhookWrongEventType, kind)
	}
	if !strings.HasPrefix(string(e.Type), kind+".") {
		return fmt.Errorf("%w: event %s has type %q, not one of the %s.* events", ErrWebhookWrongEventType, e.ID, e.Type, kind)
	}
	if data := bytes.TrimSpace(e.Data); len(data) == 0 || string(data) == "null" {
		return fmt.Errorf("%w: %s event %s has no data", ErrWebhookMalformed, e.Type, e.ID)
	}
	if err := json.Unmarshal(e.Data, v); err != nil {
		return fmt.Errorf("%w: data of %s event %s: %w", ErrWebhookMalformed, e.Type, e.ID, err)
	}
	return nil
}
