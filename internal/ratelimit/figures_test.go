package ratelimit

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// header is an answer's rate-limit headers: "" leaves one out.
func header(limit, remaining, reset string) http.Header {
	h := http.Header{}
	for k, v := range map[string]string{"X-RateLimit-Limit": limit, "X-RateLimit-Remaining": remaining, "X-RateLimit-Reset": reset} {
		if v != "" {
			h.Set(k, v)
		}
	}
	return h
}

// TestTrackerBelievesOnlyWhatTheFiguresSay: a tracker holds calls back only
// on a remaining figure of zero, with a reset it believes; an answer without
// figures changes nothing.
func TestTrackerBelievesOnlyWhatTheFiguresSay(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	date := now.UTC().Format(http.TimeFormat)
	spent := header("50", "0", "1030")
	tests := []struct {
		name    string
		answers []http.Header
		want    time.Duration
	}{
		{"no remaining figure: unknown, not spent", []http.Header{header("50", "", "1030")}, 0},
		{"an answer without figures leaves the spent window spent", []http.Header{spent, {}}, 30 * time.Second},
		{"an answer with garbage figures leaves it spent", []http.Header{spent, header("many", "some", "soon")}, 30 * time.Second},
		{"a reset 366 days away is believed", []http.Header{withDate(header("50", "0", strconv.FormatInt(now.Add(maxReset).Unix(), 10)), date)}, maxReset},
		{"a reset further away is not", []http.Header{withDate(header("50", "0", strconv.FormatInt(now.Add(maxReset+time.Second).Unix(), 10)), date)}, 0},
	}
	for _, tt := range tests {
		var tr Tracker
		for _, h := range tt.answers {
			tr.Observe(read(h), now)
		}
		if got := tr.Exhausted(now); got != tt.want {
			t.Errorf("%s: held back %v, want %v", tt.name, got, tt.want)
		}
		if got := tr.Take(now); got != tt.want {
			t.Errorf("%s: Take held back %v, want %v", tt.name, got, tt.want)
		}
	}
}

func withDate(h http.Header, date string) http.Header {
	h.Set("Date", date)
	return h
}

// TestTrackerAnOlderAnswerCannotRaiseTheFigure: the answer to a request
// that was in flight when the latest figure came may be older than it;
// within one window it cannot raise the figure. An answer of another
// window (another reset or limit), or one to a request sent after the
// latest figure, is taken as it is.
func TestTrackerAnOlderAnswerCannotRaiseTheFigure(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	tests := []struct {
		name    string
		first   http.Header // the figure the request in flight was sent on
		latest  http.Header // another call's answer, newer, while it was in flight
		late    http.Header // the answer of the request in flight
		taken   bool        // the request was sent after the latest figure
		observe bool        // the late answer comes through Observe (a call counted elsewhere)
		want    int
	}{
		{name: "same window, older: capped", late: header("100", "45", "2000"), want: 40},
		{name: "same window, older, through Observe: capped", late: header("100", "45", "2000"), observe: true, want: 40},
		{name: "same window, lower: taken", late: header("100", "30", "2000"), want: 30},
		{name: "none left, older: still none", latest: header("100", "0", "2000"), late: header("100", "5", "2000"), want: 0},
		{name: "another reset: taken", late: header("100", "45", "3000"), want: 45},
		{name: "another limit: taken", late: header("100", "45", "2000"), latest: header("200", "40", "2000"), want: 45},
		{name: "no reset: taken", late: header("100", "45", ""), want: 45},
		{name: "no reset on either: taken", first: header("100", "50", ""), latest: header("100", "40", ""), late: header("100", "45", ""), want: 45},
		{name: "latest without remaining: taken", latest: header("100", "", "2000"), late: header("100", "45", "2000"), want: 45},
		{name: "sent after the figure: taken", late: header("100", "45", "2000"), taken: true, want: 45},
		{name: "an answer without figures: the latest stands", late: http.Header{}, want: 40},
	}
	for _, tt := range tests {
		first, latest := tt.first, tt.latest
		if first == nil {
			first = header("100", "50", "2000")
		}
		if latest == nil {
			latest = header("100", "40", "2000")
		}
		var tr Tracker
		tr.Observe(read(first), now)
		if d := tr.Take(now); d != 0 {
			t.Fatalf("%s: held back %v", tt.name, d)
		}
		tr.Observe(read(latest), now)
		if tt.taken {
			tr.Done(nil, now) // the first request got no answer
			if d := tr.Take(now); d != 0 {
				t.Fatalf("%s: held back %v", tt.name, d)
			}
		}
		if tt.observe {
			tr.Observe(read(tt.late), now)
		} else {
			tr.Done(read(tt.late), now)
		}
		if s, _ := tr.Snapshot(); s.Remaining != tt.want {
			t.Errorf("%s: remaining %d, want %d", tt.name, s.Remaining, tt.want)
		}
	}
}

// TestBudgetsAnOlderAnswerOfTheSameWindow: as for a Tracker, through
// Budgets: the answer of a call counted against a window, older than the
// window's latest figure, cannot raise it.
func TestBudgetsAnOlderAnswerOfTheSameWindow(t *testing.T) {
	t.Parallel()
	var b Budgets
	now := time.Now()
	reset := now.Add(time.Hour)
	b.Done("instances", nil, figures(100, 50, reset), now)
	took, _ := b.Take("instances", now)
	if took == nil {
		t.Fatal("no window taken")
	}
	b.Done("instances", nil, figures(100, 40, reset), now) // another call's, newer
	b.Done("instances", took, figures(100, 45, reset), now)
	if s, _ := b.SnapshotOf("instances"); s.Remaining != 40 {
		t.Errorf("remaining %d, want 40: an older answer raised the figure", s.Remaining)
	}
}

// TestBudgetsWait: Wait is how long Take would hold a call back, and takes
// nothing.
func TestBudgetsWait(t *testing.T) {
	t.Parallel()
	var b Budgets
	now := time.Unix(1_000_000, 0)
	if d := b.Wait("workloads", now); d != 0 {
		t.Fatalf("an unknown group waits %v", d)
	}
	b.Done("workloads", nil, figures(500, 0, now.Add(time.Minute)), now)
	b.Done("instances", nil, figures(1000, 1, now.Add(time.Hour)), now)
	if d := b.Wait("workloads", now); d != time.Minute {
		t.Errorf("a spent window: wait %v, want 1m", d)
	}
	for range 3 {
		if d := b.Wait("instances", now); d != 0 {
			t.Fatalf("one request left: wait %v", d)
		}
	}
	if took, d := b.Take("instances", now); took == nil || d != 0 {
		t.Errorf("Wait took the last request: Take gives %v, %v", took, d)
	}
}

// TestBudgetsAnswerWithoutFigures: the answer (or the failure) of a call
// without figures ends the call where it was counted, and neither creates
// a window nor moves the group.
func TestBudgetsAnswerWithoutFigures(t *testing.T) {
	t.Parallel()
	now := time.Now()
	for _, a := range []http.Header{nil, {}, header("", "0", "")} {
		var b Budgets
		b.Done("instances", nil, figures(100, 1, now.Add(time.Hour)), now)
		took, _ := b.Take("instances", now)
		if a == nil {
			b.Done("instances", took, nil, now)
		} else {
			b.Done("instances", took, read(a), now)
		}
		if took.inflight != 0 {
			t.Errorf("%v: %d requests still in flight", a, took.inflight)
		}
		b.mu.Lock()
		n, key := len(b.windows), b.groups["instances"]
		b.mu.Unlock()
		if n != 1 || key != "100" {
			t.Errorf("%v: %d windows, instances count against %q; want 1, \"100\"", a, n, key)
		}
	}
	var b Budgets
	if _, ok := b.Snapshot(); ok {
		t.Error("Snapshot before any answer: ok")
	}
	if _, ok := b.SnapshotOf("instances"); ok {
		t.Error("SnapshotOf before any answer: ok")
	}
}

// TestBudgetsKeepTheWindowsInUse: however many limits a server makes up,
// the set of windows stays bounded after every answer, and a window a
// group counts against is never forgotten while there is room: a spent
// window keeps holding its calls back.
func TestBudgetsKeepTheWindowsInUse(t *testing.T) {
	t.Parallel()
	now := time.Unix(1_000_000, 0)
	var b Budgets
	b.Done("workloads", nil, figures(500, 0, now.Add(time.Minute)), now)
	for i := range 200 {
		// One other group whose window changes on every answer: the
		// windows it leaves behind are unused.
		b.Done("other", nil, figures(1000+i, 5, now.Add(time.Hour)), now)
		b.mu.Lock()
		n := len(b.windows)
		b.mu.Unlock()
		if n > maxWindows {
			t.Fatalf("after answer %d: %d windows kept", i, n)
		}
		if d := b.Wait("workloads", now); d != time.Minute {
			t.Fatalf("after answer %d: the spent workloads window was forgotten (wait %v)", i, d)
		}
	}
	// Every window in use: past the bound, they are all dropped at once.
	var full Budgets
	for i := range 3 * maxWindows {
		full.Done(fmt.Sprint("g", i), nil, figures(1000+i, 5, now.Add(time.Hour)), now)
		full.mu.Lock()
		n := len(full.windows)
		full.mu.Unlock()
		if n > maxWindows {
			t.Fatalf("after group %d: %d windows kept", i, n)
		}
	}
}
