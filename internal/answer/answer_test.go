package answer

import (
	"net/http"
	"testing"
	"time"
)

func TestReadRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		header map[string]string
		want   RateLimit
		ok     bool
		window string
	}{
		{"none", nil, RateLimit{}, false, ""},
		{"all", map[string]string{"X-RateLimit-Limit": "10000", "X-RateLimit-Remaining": "9543", "X-RateLimit-Reset": "1706097600"},
			RateLimit{Limit: 10000, Remaining: 9543, Reset: time.Unix(1706097600, 0)}, true, "10000"},
		{"remaining missing is unknown, not zero", map[string]string{"X-RateLimit-Limit": "50"}, RateLimit{Limit: 50, Remaining: -1}, true, "50"},
		{"garbage", map[string]string{"X-RateLimit-Limit": "lots", "X-RateLimit-Remaining": "-3", "X-RateLimit-Reset": "soon"}, RateLimit{}, false, ""},
		{"no limit names no window", map[string]string{"X-RateLimit-Remaining": "3"}, RateLimit{Remaining: 3}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			got := Read(h)
			if got.HasRateLimit != tt.ok || got.RateLimit != tt.want || got.Window != tt.window {
				t.Fatalf("Read = %+v; want %+v, %v, window %q", got, tt.want, tt.ok, tt.window)
			}
		})
	}
}

func TestReadTheOtherHeaders(t *testing.T) {
	t.Parallel()
	h := http.Header{}
	h.Set("X-Request-Id", "req_1")
	h.Set("Retry-After", "7")
	h.Set("Date", "Wed, 24 Jan 2024 10:30:00 GMT")
	a := Read(h)
	if a.RequestID != "req_1" || a.RetryAfter != "7" || a.Date != "Wed, 24 Jan 2024 10:30:00 GMT" {
		t.Fatalf("Read = %+v", a)
	}
	if zero := Read(nil); zero != (Answer{}) {
		t.Fatalf("Read(nil) = %+v, want the zero Answer", zero)
	}
}

func TestServerNow(t *testing.T) {
	t.Parallel()
	local := time.Unix(5000, 0)
	tests := []struct {
		date string
		want time.Time
	}{
		{"", local},
		{"not a date", local},
		{time.Unix(1400, 0).UTC().Format(http.TimeFormat), time.Unix(1400, 0)},
	}
	for _, tt := range tests {
		a := Answer{Date: tt.date}
		if got := a.ServerNow(local); !got.Equal(tt.want) {
			t.Errorf("ServerNow with Date %q = %v, want %v", tt.date, got, tt.want)
		}
	}
}

// TestReadFigureEdges: zero is a figure (none left), not a missing one; a
// reset alone is figures; a reset of 0 or garbage is no reset; a negative
// figure is garbage.
func TestReadFigureEdges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		limit, remaining, reset string
		has                     bool
		want                    RateLimit
	}{
		{"50", "0", "", true, RateLimit{Limit: 50, Remaining: 0}},
		{"", "", "1706097600", true, RateLimit{Remaining: -1, Reset: time.Unix(1706097600, 0)}},
		{"50", "5", "0", true, RateLimit{Limit: 50, Remaining: 5}},
		{"50", "-1", "", true, RateLimit{Limit: 50, Remaining: -1}},
		{"", "-1", "", false, RateLimit{}},
		{"", "", "soon", false, RateLimit{}},
	}
	for _, tt := range tests {
		h := http.Header{}
		for k, v := range map[string]string{"X-RateLimit-Limit": tt.limit, "X-RateLimit-Remaining": tt.remaining, "X-RateLimit-Reset": tt.reset} {
			if v != "" {
				h.Set(k, v)
			}
		}
		a := Read(h)
		if a.HasRateLimit != tt.has || a.RateLimit != tt.want {
			t.Errorf("%q/%q/%q: %v %+v, want %v %+v", tt.limit, tt.remaining, tt.reset, a.HasRateLimit, a.RateLimit, tt.has, tt.want)
		}
	}
}
