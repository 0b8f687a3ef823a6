package ratelimit

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
)

func TestGroup(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"/v1/instances":                  "instances",
		"/v1/instances/inst_1/start":     "instances",
		"/api/v2/workloads":              "workloads",
		"/v1/billing/invoices/inv_1":     "billing",
		"/v1":                            "",
		"/instances":                     "",
		"/":                              "",
		"":                               "",
		"/vx/instances":                  "",
		"/v10/deployments":               "deployments",
		"/v1/v2/instances":               "v2",
		"/v1/instances/v2":               "instances",
		"/proxy/v1/resources/RES_1/free": "resources",
		// A version segment is "v" and at least one digit: nothing else is.
		"/v/instances":   "",
		"/12/instances":  "",
		"/api/instances": "",
		"/x1/instances":  "",
	}
	for path, want := range tests {
		if got := Group(path); got != want {
			t.Errorf("Group(%q) = %q, want %q", path, got, want)
		}
	}
}

func figures(limit, remaining int, reset time.Time) *answer.Answer {
	h := http.Header{}
	h.Set("X-RateLimit-Limit", strconv.Itoa(limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	return read(h)
}

// TestBudgetsOneWindowSpentHoldsBackOnlyItsRoutes: the workloads window
// spent, workloads calls wait and instance calls go.
func TestBudgetsOneWindowSpentHoldsBackOnlyItsRoutes(t *testing.T) {
	t.Parallel()
	var b Budgets
	now := time.Now()
	for _, g := range []string{"workloads", "instances"} {
		took, wait := b.Take(g, now)
		if took != nil || wait != 0 {
			t.Fatalf("%s: an unknown window held a call back (%v, %v)", g, took, wait)
		}
	}
	b.Done("workloads", nil, figures(500, 0, now.Add(time.Minute)), now)
	b.Done("instances", nil, figures(10000, 9000, now.Add(time.Hour)), now)
	b.Done("deployments", nil, figures(500, 0, now.Add(time.Minute)), now)

	if _, wait := b.Take("workloads", now); wait <= 0 {
		t.Error("a spent workloads window let a call through")
	}
	if _, wait := b.Take("deployments", now); wait <= 0 {
		t.Error("deployments show the same window as workloads, and it is spent")
	}
	took, wait := b.Take("instances", now)
	if wait != 0 || took == nil {
		t.Fatalf("instances were held back by the workloads window: %v", wait)
	}
	b.Done("instances", took, figures(10000, 8999, now.Add(time.Hour)), now)
	if s, _ := b.SnapshotOf("workloads"); s.Limit != 500 || s.Remaining != 0 {
		t.Errorf("workloads window: %+v", s)
	}
	if s, _ := b.Snapshot(); s.Limit != 10000 || s.Remaining != 8999 {
		t.Errorf("latest answer: %+v", s)
	}
	// The workloads window resets: calls go again.
	if _, wait := b.Take("workloads", now.Add(2*time.Minute)); wait != 0 {
		t.Errorf("after the reset a workloads call still waits %v", wait)
	}
}

// TestBudgetsAGroupThatMovesWindow: when a group's answer shows another
// window than the one its call was counted against, the call ends where it
// was counted, and the group counts against the new window from then on.
func TestBudgetsAGroupThatMovesWindow(t *testing.T) {
	t.Parallel()
	var b Budgets
	now := time.Now()
	b.Done("functions", nil, figures(1000, 10, now.Add(time.Hour)), now)
	took, _ := b.Take("functions", now)
	if took == nil {
		t.Fatal("no window taken")
	}
	b.Done("functions", took, figures(50, 0, now.Add(time.Second)), now)
	if took.inflight != 0 {
		t.Errorf("the old window keeps %d requests in flight", took.inflight)
	}
	if _, wait := b.Take("functions", now); wait <= 0 {
		t.Error("functions did not move to the spent window")
	}
}

// TestBudgetsBoundedAgainstAHostileServer: a new limit on every answer does
// not grow the set of windows without bound.
func TestBudgetsBoundedAgainstAHostileServer(t *testing.T) {
	t.Parallel()
	var b Budgets
	now := time.Now()
	for i := range 10000 {
		b.Done(fmt.Sprint("g", i%7), nil, figures(1000+i, 5, now.Add(time.Hour)), now)
	}
	b.mu.Lock()
	n := len(b.windows)
	b.mu.Unlock()
	if n > maxWindows {
		t.Errorf("%d windows kept", n)
	}
	// An answer without figures ends the call and records nothing.
	took, _ := b.Take("g1", now)
	b.Done("g1", took, read(http.Header{}), now)
	if took != nil && took.inflight != 0 {
		t.Errorf("in flight: %d", took.inflight)
	}
}
