package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Network is how an instance is connected: its addresses, its VPC and the
// firewall rules that apply to it.
type Network struct {
	InstanceID    string         `json:"instance_id"`
	PublicIP      string         `json:"public_ip,omitempty"`
	PrivateIP     string         `json:"private_ip,omitempty"`
	VPCID         string         `json:"vpc_id"`
	FirewallRules []FirewallRule `json:"firewall_rules"`
}

// MetricSample is one measurement of an instance, from Instances.Metrics or
// one message of Instances.StreamMetrics.
type MetricSample struct {
	Timestamp       time.Time `json:"timestamp"`
	CPUPercent      float64   `json:"cpu_percent"`
	MemoryPercent   float64   `json:"memory_percent"`
	DiskReadBytes   int64     `json:"disk_read_bytes"`
	DiskWriteBytes  int64     `json:"disk_write_bytes"`
	NetworkInBytes  int64     `json:"network_in_bytes"`
	NetworkOutBytes int64     `json:"network_out_bytes"`
}

// Metrics is an instance's samples over a time window, oldest first.
type Metrics struct {
	InstanceID string
	// Period is the time between two samples.
	Period  time.Duration
	Start   time.Time // the window's start, when the API reports it
	End     time.Time // the window's end, when the API reports it
	Samples []MetricSample
}

// The sample periods the API offers.
const (
	MetricsPeriodMinute     = time.Minute
	MetricsPeriodFiveMinute = 5 * time.Minute
	MetricsPeriodHour       = time.Hour
)

// MetricsOptions selects the window and period of Instances.Metrics. Zero
// fields are left to the API: the last hour, one sample a minute.
type MetricsOptions struct {
	Start time.Time
	End   time.Time
	// Period is the time between two samples: MetricsPeriodMinute,
	// MetricsPeriodFiveMinute or MetricsPeriodHour. It is sent in whole
	// seconds; a period with a fraction of a second is refused.
	Period time.Duration
}

// query encodes o as the API's start, end (RFC 3339) and period (seconds).
func (o *MetricsOptions) query() (url.Values, error) {
	q := url.Values{}
	if o == nil {
		return q, nil
	}
	if !o.Start.IsZero() {
		q.Set("start", o.Start.UTC().Format(time.RFC3339))
	}
	if !o.End.IsZero() {
		q.Set("end", o.End.UTC().Format(time.RFC3339))
	}
	if o.Period != 0 {
		if o.Period < 0 || o.Period%time.Second != 0 {
			return nil, &Error{Code: CodeInvalidRequest, Details: &ErrorDetails{Field: "period", Value: o.Period.String()},
				Message: fmt.Sprintf("period %v is not a positive whole number of seconds", o.Period)}
		}
		q.Set("period", strconv.FormatInt(int64(o.Period/time.Second), 10))
	}
	return q, nil
}

// UnmarshalJSON reads the API's period in seconds as a time.Duration; a
// period that is missing, not positive or too long for one is an error.
func (m *Metrics) UnmarshalJSON(b []byte) error {
	var w struct {
		InstanceID string         `json:"instance_id"`
		Period     int64          `json:"period"`
		Start      time.Time      `json:"start"`
		End        time.Time      `json:"end"`
		Samples    []MetricSample `json:"samples"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	period, err := metricsPeriod(w.Period)
	if err != nil {
		return err
	}
	*m = Metrics{InstanceID: w.InstanceID, Period: period, Start: w.Start, End: w.End, Samples: w.Samples}
	return nil
}

// MarshalJSON writes m as the API does, the period in seconds, so that
// json.Unmarshal reads back the same Metrics (the Go field names and a
// period in nanoseconds would not be). A period that is not a whole number
// of seconds is an error: the API's form cannot carry it.
func (m Metrics) MarshalJSON() ([]byte, error) {
	if m.Period%time.Second != 0 {
		return nil, fmt.Errorf("lambda: cannot marshal metrics period %v: not a whole number of seconds", m.Period)
	}
	w := struct {
		InstanceID string         `json:"instance_id"`
		Period     int64          `json:"period"`
		Start      *time.Time     `json:"start,omitempty"`
		End        *time.Time     `json:"end,omitempty"`
		Samples    []MetricSample `json:"samples"`
	}{InstanceID: m.InstanceID, Period: int64(m.Period / time.Second), Samples: m.Samples}
	if !m.Start.IsZero() {
		w.Start = &m.Start
	}
	if !m.End.IsZero() {
		w.End = &m.End
	}
	return json.Marshal(w)
}

// Network fetches an instance's addresses, VPC and firewall rules.
func (s *InstancesService) Network(ctx context.Context, id string, opts ...RequestOption) (*Network, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	return get[Network](ctx, clientOf(s), path("instances", id, "network"), nil, opts)
}

// Metrics fetches an instance's samples over a window; nil options ask for
// the API's defaults (the last hour, one sample a minute).
func (s *InstancesService) Metrics(ctx context.Context, id string, opts *MetricsOptions, ro ...RequestOption) (*Metrics, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	q, err := opts.query()
	if err != nil {
		return nil, err
	}
	return get[Metrics](ctx, clientOf(s), path("instances", id, "metrics"), q, ro)
}
