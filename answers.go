package lambda

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// The checks below refuse a success whose resource lacks what every answer
// of its kind carries, so that no missing field reads as a zero value: an
// instance without an ID could be neither started nor deleted, a quota
// whose limit went missing would read as "none allowed". The generic
// helpers run each check (see checked in request.go), so that the error
// matches ErrInvalidResponse and carries the answer's HTTP status and
// request ID; a list is refused for any one item. Only what every API
// document shows is required: an ID, not a name or a status, since the
// answers of the original documentation carry little more (a created
// function is {"id", "status", "deployment_started"}). Billing's checks
// are in billing.go.

func (r *Instance) check() error     { return requireAnswerID("instance", r.ID) }
func (r *Volume) check() error       { return requireAnswerID("volume", r.ID) }
func (r *Snapshot) check() error     { return requireAnswerID("snapshot", r.ID) }
func (r *FirewallRule) check() error { return requireAnswerID("firewall rule", r.ID) }
func (r *VPN) check() error          { return requireAnswerID("VPN", r.ID) }
func (r *Function) check() error     { return requireAnswerID("function", r.ID) }
func (r *Workload) check() error     { return requireAnswerID("workload", r.ID) }
func (r *Deployment) check() error   { return requireAnswerID("deployment", r.ID) }
func (r *Account) check() error      { return requireAnswerID("account", r.ID) }
func (r *APIKey) check() error       { return requireAnswerID("API key", r.ID) }

func (r *Resource) check() error {
	if err := requireAnswerID("resource", r.ID); err != nil {
		return err
	}
	if r.Function != nil {
		return r.Function.check()
	}
	return nil
}

func (n *Network) check() error {
	if n.InstanceID == "" {
		return missingField("network", "instance_id")
	}
	for i := range n.FirewallRules {
		if err := n.FirewallRules[i].check(); err != nil {
			return err
		}
	}
	return nil
}

func (m *Metrics) check() error {
	if m.InstanceID == "" {
		return missingField("metrics", "instance_id")
	}
	for i := range m.Samples { // a sample without its time ({}, say) is no measurement
		if m.Samples[i].Timestamp.IsZero() {
			return missingField("metrics", fmt.Sprintf("timestamp in sample %d", i))
		}
	}
	return nil // the period is checked as it is decoded
}

func (q *Quota) check() error {
	if q.Plan == "" {
		return missingField("quota", "plan")
	}
	return nil // the limits are checked as they are decoded
}

func requireAnswerID(what, id string) error {
	if id == "" {
		return missingField(what, "id")
	}
	return nil
}

// metricsPeriod is the API's sample period in seconds as a time.Duration:
// one of a few minutes or hours, so a period that is not positive, or too
// long for a time.Duration (which would wrap to a negative one), is an
// answer the client cannot trust.
func metricsPeriod(seconds int64) (time.Duration, error) {
	if seconds <= 0 || seconds > math.MaxInt64/int64(time.Second) {
		return 0, fmt.Errorf("lambda: metrics period %d is not a positive number of seconds", seconds)
	}
	return time.Duration(seconds) * time.Second, nil
}

// UnmarshalJSON refuses a quota item without its used or limit, or with a
// negative one: a limit that went missing must not read as "none allowed".
func (q *QuotaItem) UnmarshalJSON(b []byte) error {
	var w struct {
		Used  *int `json:"used"`
		Limit *int `json:"limit"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	switch {
	case w.Used == nil || w.Limit == nil:
		return fmt.Errorf("lambda: quota item %s lacks used or limit", truncateForError(string(b)))
	case *w.Used < 0 || *w.Limit < 0:
		return fmt.Errorf("lambda: quota item %s has a negative figure", truncateForError(string(b)))
	}
	*q = QuotaItem{Used: *w.Used, Limit: *w.Limit}
	return nil
}

// UnmarshalJSON refuses a quota that lacks one of its items (or has null
// for it), or its requests_per_hour or burst (or has a negative one), for
// the same reason.
func (q *Quota) UnmarshalJSON(b []byte) error {
	type plain Quota // without this method
	var w struct {
		plain
		RequestsPerHour *int       `json:"requests_per_hour"`
		Burst           *int       `json:"burst"`
		Instances       *QuotaItem `json:"instances"`
		Volumes         *QuotaItem `json:"volumes"`
		Snapshots       *QuotaItem `json:"snapshots"`
		Functions       *QuotaItem `json:"functions"`
		StorageGB       *QuotaItem `json:"storage_gb"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	for _, item := range []struct {
		name string
		got  *QuotaItem
	}{{"instances", w.Instances}, {"volumes", w.Volumes}, {"snapshots", w.Snapshots}, {"functions", w.Functions}, {"storage_gb", w.StorageGB}} {
		if item.got == nil { // in a fixed order: the error names the same item each time
			return fmt.Errorf("lambda: quota has no %s", item.name)
		}
	}
	switch {
	case w.RequestsPerHour == nil || w.Burst == nil:
		return fmt.Errorf("lambda: quota lacks requests_per_hour or burst")
	case *w.RequestsPerHour < 0 || *w.Burst < 0:
		return fmt.Errorf("lambda: quota has a negative requests_per_hour or burst")
	}
	*q = Quota(w.plain)
	q.RequestsPerHour, q.Burst = *w.RequestsPerHour, *w.Burst
	q.Instances, q.Volumes, q.Snapshots, q.Functions, q.StorageGB = *w.Instances, *w.Volumes, *w.Snapshots, *w.Functions, *w.StorageGB
	return nil
}

// UnmarshalJSON refuses a usage without its total_executions, or with a
// negative one: none run and none reported are not the same bill.
func (u *Usage) UnmarshalJSON(b []byte) error {
	type plain Usage // without this method
	var w struct {
		plain
		TotalExecutions *int64 `json:"total_executions"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	switch {
	case w.TotalExecutions == nil:
		return fmt.Errorf("lambda: usage has no total_executions")
	case *w.TotalExecutions < 0:
		return fmt.Errorf("lambda: usage has a negative total_executions, %d", *w.TotalExecutions)
	}
	*u = Usage(w.plain)
	u.TotalExecutions = *w.TotalExecutions
	return nil
}
