package retry

import (
	"net/http"
	"testing"
	"time"
)

// oneYear is the longest wait a server may ask for: the same one-year cap
// envelope.Seconds puts on error.retry_after.
const oneYear = 366 * 24 * time.Hour

var retryAfterSeeds = []string{
	"", "0", "1", " 120 ", "0.5", "-1", "1e3", "0x10", "Inf", "Infinity", "NaN", "+3", "99999999999",
	"31622400", "31622401", "soon", "Sat, 24 Jan 2026 10:30:30 GMT", "Sat, 24 Jan 2026 10:00:00 GMT",
	"Fri, 31 Dec 9999 23:59:59 GMT", "Mon, 01 Jan 0001 00:00:00 GMT", "Sunday, 25-Jan-26 10:30:30 GMT",
	"Sun Jan 25 10:30:30 2026", "\x00", "１２",
}

// FuzzParseRetryAfter: whatever the header says and whatever the clock
// reads, the wait is never negative, never above the cap, and zero when
// the value is refused.
func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range retryAfterSeeds {
		f.Add(s, int64(1769250600))
	}
	f.Add("Fri, 31 Dec 9999 23:59:59 GMT", int64(-1<<62))
	f.Add("1", int64(1<<62))
	f.Fuzz(func(t *testing.T, v string, nowUnix int64) {
		d, ok := ParseRetryAfter(v, time.Unix(nowUnix, 0))
		checkWait(t, d, ok, "ParseRetryAfter(%q)", v)
	})
}

// FuzzRateLimitWait: the same for the wait of a 429, from every source it
// may come from (Retry-After, Date, error.retry_after, X-RateLimit-Reset).
func FuzzRateLimitWait(f *testing.F) {
	body := `{"success":false,"error":{"code":"rate_limit_exceeded","retry_after":7}}`
	f.Add("3", "", "", body, int64(1769250600))
	f.Add("", "", "1769251200", body, int64(1769250600))
	f.Add("later", "Sat, 24 Jan 2026 10:30:00 GMT", "1769251200", `{"error":{"retry_after":1e300}}`, int64(1769250600))
	f.Add("", "Mon, 01 Jan 0001 00:00:00 GMT", "9223372036854775807", `<html>`, int64(0))
	f.Add("Fri, 31 Dec 9999 23:59:59 GMT", "garbage", "-5", `{"error":{"retry_after":-1}}`, int64(1769250600))
	f.Add("", "", "", `{"error":{"retry_after":31622401}}`, int64(1769250600))
	f.Add("", "", "99999999999", ``, int64(1769250600))
	f.Fuzz(func(t *testing.T, retryAfter, date, reset, body string, nowUnix int64) {
		h := http.Header{}
		for k, v := range map[string]string{"Retry-After": retryAfter, "Date": date, "X-Ratelimit-Reset": reset} {
			if v != "" {
				h.Set(k, v)
			}
		}
		d, ok := RateLimitWait(read(h), []byte(body), time.Unix(nowUnix, 0))
		checkWait(t, d, ok, "RateLimitWait(%v, %q)", h, body)
	})
}

func checkWait(t *testing.T, d time.Duration, ok bool, format string, args ...any) {
	t.Helper()
	switch {
	case d < 0:
		t.Fatalf(format+" = %v: negative", append(args, d)...)
	case d > oneYear:
		t.Fatalf(format+" = %v: above the one-year cap", append(args, d)...)
	case !ok && d != 0:
		t.Fatalf(format+" = %v, false: a refused value must give no wait", append(args, d)...)
	}
}
