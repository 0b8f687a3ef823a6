package ratelimit

import (
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
)

// read is what the client's rate-limit layer hands the trackers: the
// answer's headers, read once.
func read(h http.Header) *answer.Answer {
	a := answer.Read(h)
	return &a
}

func TestTrackerExhausted(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	var tr Tracker
	if d := tr.Exhausted(now); d != 0 {
		t.Fatalf("fresh tracker: %v", d)
	}
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "50")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", "1030")
	tr.Observe(read(h), now)
	if d := tr.Exhausted(now); d != 30*time.Second {
		t.Fatalf("exhausted: %v, want 30s", d)
	}
	if d := tr.Exhausted(time.Unix(1031, 0)); d != 0 {
		t.Fatalf("after reset: %v", d)
	}
	h.Set("X-RateLimit-Remaining", "1")
	tr.Observe(read(h), now)
	if d := tr.Exhausted(now); d != 0 {
		t.Fatalf("one left: %v", d)
	}
}

func TestTrackerConcurrent(t *testing.T) {
	t.Parallel()
	var tr Tracker
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := http.Header{}
			h.Set("X-RateLimit-Remaining", string(rune('0'+i%10)))
			tr.Observe(read(h), time.Now())
			tr.Snapshot()
		}()
	}
	wg.Wait()
}

func TestTrackerMeasuresResetOnTheServersClock(t *testing.T) {
	t.Parallel()
	local := time.Unix(5000, 0) // this machine's clock is an hour ahead of the server's
	h := http.Header{}
	h.Set("X-RateLimit-Limit", "50")
	h.Set("X-RateLimit-Remaining", "0")
	h.Set("X-RateLimit-Reset", "1402") // two seconds after the server's Date
	h.Set("Date", time.Unix(1400, 0).UTC().Format(http.TimeFormat))
	var tr Tracker
	tr.Observe(read(h), local)
	if d := tr.Exhausted(local); d != 2*time.Second {
		t.Fatalf("exhausted for %v, want 2s despite the skew", d)
	}
}

func TestTrackerCountsEveryRequestInFlight(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	answer := func(remaining string) http.Header {
		h := http.Header{}
		h.Set("X-RateLimit-Limit", "4")
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", "4600")
		return h
	}
	var tr Tracker
	tr.Observe(read(answer("3")), now)
	for range 3 { // A, B, C go out
		if d := tr.Take(now); d != 0 {
			t.Fatalf("refused with requests left: %v", d)
		}
	}
	if d := tr.Take(now); d == 0 {
		t.Fatal("a fourth request went out on a figure of 3")
	}
	// C reaches the server first and is told 2 are left: A and B, still in
	// flight, will use them, so nothing is left for anyone else.
	tr.Done(read(answer("2")), now)
	if d := tr.Take(now); d == 0 {
		t.Fatal("an answer that overtook earlier requests let one more out")
	}
	tr.Done(nil, now) // A got no answer
	tr.Done(read(answer("0")), now)
	if d := tr.Take(now); d == 0 {
		t.Fatal("went out with none left")
	}
}

// TestTrackerNeverRaisesTheFigureOfAWindow: answers are handled in any
// order, so a later-handled answer from earlier in the same window (the
// same reset) can say more requests are left than one already handled. The
// server's count only falls within a window: the lowest figure stands.
func TestTrackerNeverRaisesTheFigureOfAWindow(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	answer := func(remaining, reset string) http.Header {
		h := http.Header{}
		h.Set("X-RateLimit-Limit", "4")
		h.Set("X-RateLimit-Remaining", remaining)
		h.Set("X-RateLimit-Reset", reset)
		return h
	}
	var tr Tracker
	tr.Observe(read(answer("3", "4600")), now)
	for range 3 { // A, B, C go out; the server counts C, B, A
		if d := tr.Take(now); d != 0 {
			t.Fatalf("refused with requests left: %v", d)
		}
	}
	tr.Done(read(answer("1", "4600")), now) // B's answer is handled first
	tr.Done(read(answer("2", "4600")), now) // then C's, counted before B's
	if d := tr.Take(now); d == 0 {
		t.Fatal("an earlier answer handled late let a request out the server has no room for")
	}
	if s, _ := tr.Snapshot(); s.Remaining != 1 {
		t.Errorf("Snapshot().Remaining = %d, want the lowest figure of the window, 1", s.Remaining)
	}
	// A new window (another reset) starts from its own figure.
	tr.Done(read(answer("40", "8200")), now)
	if d := tr.Take(now); d != 0 {
		t.Fatalf("a new window's figure was not taken: wait %v", d)
	}
}
