package lambda

import (
	"cmp"
	"errors"
	"fmt"
	"time"
)

// ErrInvalidDate is wrapped by every error from parsing or decoding a Date,
// so callers can test for it with errors.Is.
var ErrInvalidDate = errors.New("invalid date")

// Date is a calendar date, such as an invoice date or the first day of a
// billing period. It is not an instant: "2024-12-31" is the same date in
// every time zone, which a time.Time at midnight UTC is not. Use In to get
// the instant the date starts in a given location.
//
// The zero value means "absent": it is what a JSON null or a missing field
// leaves, and it marshals back to null.
type Date struct {
	Year  int        // 0 to 9999 for a date the API can carry
	Month time.Month // 1 to 12
	Day   int        // 1 to the length of the month
}

const calendarDateLayout = "2006-01-02"

// ParseDate parses a date in the strict form YYYY-MM-DD, with exactly four,
// two and two ASCII digits, naming a real calendar day: "2024-02-29" is
// fine, "2023-02-29", "2024-13-01", "2024-1-5" and "2024-12-31T00:00:00Z" are
// refused with a *ValueError.
func ParseDate(s string) (Date, error) {
	bad := func(reason string) (Date, error) {
		return Date{}, &ValueError{Type: "date", Input: s, Reason: reason}
	}
	if len(s) != len(calendarDateLayout) || s[4] != '-' || s[7] != '-' ||
		!isASCIIDigits(s[0:4]) || !isASCIIDigits(s[5:7]) || !isASCIIDigits(s[8:10]) {
		return bad("want YYYY-MM-DD")
	}
	d := Date{Year: parseDateDigits(s[0:4]), Month: time.Month(parseDateDigits(s[5:7])), Day: parseDateDigits(s[8:10])}
	if !d.IsValid() {
		return bad("no such day in the calendar")
	}
	return d, nil
}

// parseDateDigits converts a short string already checked to be ASCII digits.
func parseDateDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// In returns the instant d starts in loc: its first instant whose date in
// loc is d. That is midnight on most days, but where daylight saving skips
// midnight (2024-09-08 in America/Santiago starts at 01:00) it is the end of
// the skipped hour, and for a day that loc skipped altogether (2011-12-30 in
// Pacific/Apia) it is the start of the next day there. A nil loc means UTC
// (time.Date would panic).
func (d Date) In(loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	t := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
	if !DateOf(t).Before(d) {
		return t
	}
	// time.Date resolved a midnight that does not exist to an instant on the
	// day before. Zone offsets change on whole seconds, and the day starts
	// within two days after t, so search those seconds for the first one
	// whose date in loc is d or later.
	lo, hi := t.Unix(), t.Unix()+2*24*3600
	for lo < hi {
		mid := lo + (hi-lo)/2
		if DateOf(time.Unix(mid, 0).In(loc)).Before(d) {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return time.Unix(lo, 0).In(loc)
}

// String prints d as YYYY-MM-DD. The zero Date prints as "0000-00-00".
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// IsValid reports whether d names a real calendar day in years 0 to 9999,
// the range YYYY-MM-DD can write.
func (d Date) IsValid() bool {
	if d.Year < 0 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return DateOf(d.In(time.UTC)) == d // time.Date normalises Feb 30 to Mar 1
}

// Before reports whether d is earlier than o.
func (d Date) Before(o Date) bool { return d.compare(o) < 0 }

// After reports whether d is later than o.
func (d Date) After(o Date) bool { return d.compare(o) > 0 }

// compare orders by comparison, not by difference: a difference of fields
// far out of range would overflow and flip its sign.
func (d Date) compare(o Date) int {
	if c := cmp.Compare(d.Year, o.Year); c != 0 {
		return c
	}
	if c := cmp.Compare(d.Month, o.Month); c != 0 {
		return c
	}
	return cmp.Compare(d.Day, o.Day)
}

// AddDays returns the date n days after d (before it if n is negative),
// across month and year ends: Date{2024, 12, 31}.AddDays(1) is 2025-01-01.
func (d Date) AddDays(n int) Date {
	// UTC has no daylight-saving days of 23 or 25 hours to skew the sum.
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 0, 0, 0, 0, time.UTC))
}

// MarshalText writes d as YYYY-MM-DD. It fails for a date that is not
// IsValid, the zero Date included, so that what is written can be read back.
func (d Date) MarshalText() ([]byte, error) {
	if !d.IsValid() {
		return nil, fmt.Errorf("lambda: cannot marshal date %s: %w", d, ErrInvalidDate)
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses text with ParseDate.
func (d *Date) UnmarshalText(text []byte) error {
	v, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes d as a JSON string "YYYY-MM-DD", or null for the zero
// Date: a date that was absent stays absent on the way back out.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	text, err := d.MarshalText()
	if err != nil {
		return nil, err
	}
	return append(append([]byte{'"'}, text...), '"'), nil
}

// UnmarshalJSON accepts a JSON string in the format of ParseDate. A JSON
// null leaves d unchanged; a number, a timestamp or any other JSON value is
// an error.
func (d *Date) UnmarshalJSON(data []byte) error {
	s, isNull, err := valueJSONString(data, "date")
	if err != nil || isNull {
		return err
	}
	return d.UnmarshalText([]byte(s))
}
