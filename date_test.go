package lambda_test

import (
	"encoding/json"
	"math"
	"testing"
	"time"
	_ "time/tzdata" // the zone rules the tests name, whatever the machine has

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

func TestParseDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want lambda.Date
	}{
		{"2024-12-31", lambda.Date{Year: 2024, Month: time.December, Day: 31}},
		{"2026-11-01", lambda.Date{Year: 2026, Month: time.November, Day: 1}},
		{"2024-02-29", lambda.Date{Year: 2024, Month: time.February, Day: 29}},
		{"2000-02-29", lambda.Date{Year: 2000, Month: time.February, Day: 29}},
		{"0000-01-01", lambda.Date{Year: 0, Month: time.January, Day: 1}},
		{"9999-12-31", lambda.Date{Year: 9999, Month: time.December, Day: 31}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := lambda.ParseDate(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.in, got.String())
			assert.True(t, got.IsValid())
		})
	}
}

func TestParseDateRefuses(t *testing.T) {
	t.Parallel()
	tests := []string{
		"",
		"2024-02-30",
		"2023-02-29",
		"1900-02-29",
		"2024-04-31",
		"2024-13-01",
		"2024-00-10",
		"2024-01-00",
		"2024-01-32",
		"2024-1-05",
		"2024-01-5",
		"24-01-05",
		"02024-01-05",
		"2024/01/05",
		"20240105",
		"2024-12-31T00:00:00Z",
		"2024-12-31 ",
		" 2024-12-31",
		"+024-12-31",
		"-024-12-31",
		"2024-+1-05",
		"2024-12-3１",
		"0000-00-00",
		"null",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := lambda.ParseDate(in)
			require.ErrorIs(t, err, lambda.ErrInvalidDate)
			assert.Equal(t, lambda.Date{}, got)
			var ve *lambda.ValueError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "date", ve.Type)
			assert.Equal(t, in, ve.Input)
		})
	}
}

func TestDateOfAndIn(t *testing.T) {
	t.Parallel()
	tokyo := time.FixedZone("UTC+9", 9*3600)
	instant := time.Date(2024, 12, 31, 20, 0, 0, 0, time.UTC) // already Jan 1 in Tokyo

	assert.Equal(t, lambda.Date{Year: 2024, Month: 12, Day: 31}, lambda.DateOf(instant))
	assert.Equal(t, lambda.Date{Year: 2025, Month: 1, Day: 1}, lambda.DateOf(instant.In(tokyo)))

	d := lambda.Date{Year: 2024, Month: 12, Day: 31}
	start := d.In(tokyo)
	assert.Equal(t, "2024-12-31T00:00:00+09:00", start.Format(time.RFC3339))
	assert.Equal(t, d, lambda.DateOf(start))
	assert.Equal(t, time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), d.In(nil), "nil means UTC, not a panic")
}

// Where daylight saving skips midnight, a day starts at the end of the
// skipped hour, never on the day before. The zone data is embedded
// (time/tzdata), so the test does not depend on the machine's.
func TestDateInWhereMidnightDoesNotExist(t *testing.T) {
	t.Parallel()
	tests := []struct {
		zone string
		day  lambda.Date
		want string
	}{
		{"America/Santiago", lambda.Date{Year: 2024, Month: 9, Day: 8}, "2024-09-08T01:00:00-03:00"},
		{"America/Sao_Paulo", lambda.Date{Year: 2018, Month: 11, Day: 4}, "2018-11-04T01:00:00-02:00"},
		{"Asia/Tehran", lambda.Date{Year: 2022, Month: 3, Day: 22}, "2022-03-22T01:00:00+04:30"},
		{"America/Havana", lambda.Date{Year: 2024, Month: 3, Day: 10}, "2024-03-10T01:00:00-04:00"},
		// Samoa skipped 2011-12-30 altogether: its first instant is the next day's.
		{"Pacific/Apia", lambda.Date{Year: 2011, Month: 12, Day: 30}, "2011-12-31T00:00:00+14:00"},
		// Ordinary days start at midnight, and so does one after a fall-back
		// at midnight (Santiago went from 00:00 -03 back to 23:00 -04).
		{"America/Santiago", lambda.Date{Year: 2024, Month: 9, Day: 9}, "2024-09-09T00:00:00-03:00"},
		{"America/Santiago", lambda.Date{Year: 2024, Month: 4, Day: 7}, "2024-04-07T00:00:00-04:00"},
		{"Europe/Paris", lambda.Date{Year: 2024, Month: 3, Day: 31}, "2024-03-31T00:00:00+01:00"},
	}
	for _, tt := range tests {
		t.Run(tt.zone+"/"+tt.day.String(), func(t *testing.T) {
			t.Parallel()
			loc, err := time.LoadLocation(tt.zone)
			require.NoError(t, err)
			start := tt.day.In(loc)
			assert.Equal(t, tt.want, start.Format(time.RFC3339))
			assert.False(t, lambda.DateOf(start).Before(tt.day), "starts on the day before: %v", start)
			assert.True(t, lambda.DateOf(start.Add(-time.Second)).Before(tt.day), "a second earlier is already on the day")
		})
	}
}

func TestDateCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b          lambda.Date
		before, after bool
	}{
		{lambda.Date{Year: 2024, Month: 12, Day: 31}, lambda.Date{Year: 2025, Month: 1, Day: 1}, true, false},
		{lambda.Date{Year: 2024, Month: 11, Day: 30}, lambda.Date{Year: 2024, Month: 12, Day: 1}, true, false},
		{lambda.Date{Year: 2024, Month: 12, Day: 2}, lambda.Date{Year: 2024, Month: 12, Day: 1}, false, true},
		{lambda.Date{Year: 2024, Month: 12, Day: 1}, lambda.Date{Year: 2024, Month: 12, Day: 1}, false, false},
		{lambda.Date{}, lambda.Date{Year: 1, Month: 1, Day: 1}, true, false},
		// Fields far out of range are still ordered: a difference of
		// them would overflow int and flip the sign.
		{lambda.Date{Year: math.MaxInt}, lambda.Date{Year: -1}, false, true},
		{lambda.Date{Year: math.MinInt}, lambda.Date{Year: 1}, true, false},
		{lambda.Date{Year: 2024, Day: math.MaxInt}, lambda.Date{Year: 2024, Day: -1}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.a.String()+" vs "+tt.b.String(), func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.before, tt.a.Before(tt.b))
			assert.Equal(t, tt.after, tt.a.After(tt.b))
		})
	}
}

func TestDateAddDays(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-12-31", 1, "2025-01-01"},
		{"2025-01-01", -1, "2024-12-31"},
		{"2024-02-28", 1, "2024-02-29"},
		{"2023-02-28", 1, "2023-03-01"},
		{"2024-03-31", 0, "2024-03-31"},
		{"2024-01-01", 366, "2025-01-01"},
		{"2024-03-30", 1, "2024-03-31"}, // a DST change in Europe: still one calendar day
	}
	for _, tt := range tests {
		t.Run(tt.from, func(t *testing.T) {
			t.Parallel()
			d, err := lambda.ParseDate(tt.from)
			require.NoError(t, err)
			assert.Equal(t, tt.want, d.AddDays(tt.n).String())
		})
	}
}

func TestDateJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json    string
		want    lambda.Date
		wantErr bool
	}{
		{json: `"2024-12-31"`, want: lambda.Date{Year: 2024, Month: 12, Day: 31}},
		{json: `null`},
		{json: `""`, wantErr: true},
		{json: `"2024-02-30"`, wantErr: true},
		{json: `"2024-12-31T00:00:00Z"`, wantErr: true},
		{json: `20241231`, wantErr: true},
		{json: `{"year":2024}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			t.Parallel()
			var got lambda.Date
			err := json.Unmarshal([]byte(tt.json), &got)
			if tt.wantErr {
				require.ErrorIs(t, err, lambda.ErrInvalidDate)
				assert.Equal(t, lambda.Date{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestDateMarshal(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(lambda.Date{Year: 2024, Month: 12, Day: 31})
	require.NoError(t, err)
	assert.Equal(t, `"2024-12-31"`, string(b))

	b, err = json.Marshal(lambda.Date{})
	require.NoError(t, err)
	assert.Equal(t, `null`, string(b), "the zero Date is absent")

	for _, d := range []lambda.Date{
		{Year: 2024, Month: 2, Day: 30},
		{Year: 10000, Month: 1, Day: 1},
		{Year: -1, Month: 1, Day: 1},
		{Year: 2024, Month: 13, Day: 1},
	} {
		_, err := json.Marshal(d)
		require.ErrorIs(t, err, lambda.ErrInvalidDate, "%v", d)
	}
	_, err = lambda.Date{}.MarshalText()
	require.ErrorIs(t, err, lambda.ErrInvalidDate, "text has no null")

	var d lambda.Date
	require.NoError(t, d.UnmarshalText([]byte("2026-11-01")))
	text, err := d.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "2026-11-01", string(text))
	assert.Equal(t, "0000-00-00", lambda.Date{}.String())
	assert.True(t, lambda.Date{}.IsZero())
	assert.False(t, d.IsZero())
}

// FuzzParseDate checks ParseDate against time.Parse with the same layout,
// which is just as strict about digits and calendar days, and that an
// accepted date prints back exactly.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{
		"2024-12-31", "2024-02-29", "2023-02-29", "2024-02-30", "0000-01-01", "9999-12-31",
		"2024-13-01", "2024-1-05", "2024-12-31T00:00:00Z", "20241231", "+024-12-31", "", "0000-00-00",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		d, err := lambda.ParseDate(in)
		ref, refErr := time.Parse("2006-01-02", in)
		if refErr != nil {
			require.ErrorIs(t, err, lambda.ErrInvalidDate, "accepted %q, which time.Parse refuses: %v", in, refErr)
			var ve *lambda.ValueError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, in, ve.Input)
			require.Equal(t, lambda.Date{}, d)
			return
		}
		require.NoError(t, err, "refused %q, which time.Parse accepts", in)
		require.Equal(t, lambda.DateOf(ref), d)
		require.True(t, d.IsValid())
		require.Equal(t, in, d.String())
		require.Equal(t, ref, d.In(time.UTC))
		b, err := json.Marshal(d)
		require.NoError(t, err)
		require.Equal(t, `"`+in+`"`, string(b))
	})
}
