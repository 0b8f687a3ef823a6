package lambda_test

import (
	"encoding/json"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

func TestParseQuantity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		want      lambda.Quantity
		canonical string // what String prints; "" means the input itself
	}{
		{in: "42.3 GBh", want: lambda.Quantity{Value: 42.3, Unit: "GBh"}},
		{in: "0 GBh", want: lambda.Quantity{Value: 0, Unit: "GBh"}},
		{in: "0.5 GB/h", want: lambda.Quantity{Value: 0.5, Unit: "GB/h"}},
		{in: "1000000 GBh", want: lambda.Quantity{Value: 1e6, Unit: "GBh"}},
		{in: "12 vCPUh", want: lambda.Quantity{Value: 12, Unit: "vCPUh"}},
		{in: "42.30 GBh", want: lambda.Quantity{Value: 42.3, Unit: "GBh"}, canonical: "42.3 GBh"},
		{in: "7.000 h", want: lambda.Quantity{Value: 7, Unit: "h"}, canonical: "7 h"},
		{in: "0.1 GBh", want: lambda.Quantity{Value: 0.1, Unit: "GBh"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := lambda.ParseQuantity(tt.in)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			want := tt.canonical
			if want == "" {
				want = tt.in
			}
			assert.Equal(t, want, got.String())
		})
	}
}

func TestParseQuantityRefuses(t *testing.T) {
	t.Parallel()
	tests := []string{
		"",
		"GBh",
		" GBh",
		"42.3",
		"42.3 ",
		"42.3GBh",
		"42.3  GBh",
		"42.3 GB h",
		"42.3\tGBh",
		" 42.3 GBh",
		"42.3 GBh ",
		"NaN GBh",
		"Inf GBh",
		"+Inf GBh",
		"1e3 GBh",
		"1E3 GBh",
		"0x10 GBh",
		"1_000 GBh",
		"1,000 GBh",
		"-1 GBh",
		"+1 GBh",
		".5 GBh",
		"5. GBh",
		"01 GBh",
		"4.2.3 GBh",
		"42.3 GB2",
		"42.3 /h",
		"42.3 GBh!",
		"42.3 Gбh",                        // Cyrillic letter
		"４２ GBh",                          // full-width digits
		strings.Repeat("9", 400) + " GBh", // beyond float64
		"0." + strings.Repeat("0", 400) + "1 GBh", // below float64: would read as 0
		"0." + strings.Repeat("0", 330) + "7 GBh", // below the smallest subnormal
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := lambda.ParseQuantity(in)
			require.ErrorIs(t, err, lambda.ErrInvalidQuantity)
			assert.Equal(t, lambda.Quantity{}, got)
			var ve *lambda.ValueError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "quantity", ve.Type)
			assert.Equal(t, in, ve.Input)
		})
	}
}

func TestQuantityJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json    string
		want    lambda.Quantity
		wantErr bool
	}{
		{json: `"42.3 GBh"`, want: lambda.Quantity{Value: 42.3, Unit: "GBh"}},
		{json: `null`},
		{json: `42.3`, wantErr: true},
		{json: `""`, wantErr: true},
		{json: `"42.3"`, wantErr: true},
		{json: `"NaN GBh"`, wantErr: true},
		{json: `{"value":42.3,"unit":"GBh"}`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			t.Parallel()
			var got lambda.Quantity
			err := json.Unmarshal([]byte(tt.json), &got)
			if tt.wantErr {
				require.ErrorIs(t, err, lambda.ErrInvalidQuantity)
				assert.Equal(t, lambda.Quantity{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestQuantityMarshal(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q       lambda.Quantity
		want    string
		wantErr bool
	}{
		{q: lambda.Quantity{Value: 42.3, Unit: "GBh"}, want: `"42.3 GBh"`},
		{q: lambda.Quantity{Value: 1e21, Unit: "GBh"}, want: `"1000000000000000000000 GBh"`},
		{q: lambda.Quantity{Value: math.Copysign(0, -1), Unit: "GBh"}, want: `"0 GBh"`},
		{q: lambda.Quantity{}, want: `null`},
		{q: lambda.Quantity{Value: 1}, wantErr: true},
		{q: lambda.Quantity{Value: -1, Unit: "GBh"}, wantErr: true},
		{q: lambda.Quantity{Value: math.NaN(), Unit: "GBh"}, wantErr: true},
		{q: lambda.Quantity{Value: math.Inf(1), Unit: "GBh"}, wantErr: true},
		{q: lambda.Quantity{Value: 1, Unit: "G h"}, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(tt.q)
			if tt.wantErr {
				require.ErrorIs(t, err, lambda.ErrInvalidQuantity)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(b))
		})
	}
}

func TestQuantityText(t *testing.T) {
	t.Parallel()
	var q lambda.Quantity
	require.NoError(t, q.UnmarshalText([]byte("42.3 GBh")))
	assert.Equal(t, lambda.Quantity{Value: 42.3, Unit: "GBh"}, q)
	text, err := q.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "42.3 GBh", string(text))
	require.ErrorIs(t, q.UnmarshalText(nil), lambda.ErrInvalidQuantity)
	assert.Equal(t, lambda.Quantity{Value: 42.3, Unit: "GBh"}, q, "a failed parse leaves the value alone")
	assert.True(t, lambda.Quantity{}.IsZero())
	assert.False(t, lambda.Quantity{Unit: "GBh"}.IsZero())
}

// quantityGrammar is the API's quantity format written independently of
// ParseQuantity, as an oracle for the fuzz test.
var quantityGrammar = regexp.MustCompile(`^((0|[1-9][0-9]*)(\.[0-9]+)?) ([A-Za-z][A-Za-z/]*)$`)

// FuzzParseQuantity checks that ParseQuantity never panics, accepts exactly
// the grammar (minus numbers beyond float64), and that every accepted input
// prints to a string that parses back to the identical value.
func FuzzParseQuantity(f *testing.F) {
	for _, s := range []string{
		"42.3 GBh", "0 GBh", "0.5 GB/h", "42.30 GBh", "1000000 GBh", "GBh", "42.3", "42.3GBh",
		"42.3  GBh", "NaN GBh", "Inf GBh", "1e3 GBh", "-1 GBh", ".5 GBh", "01 GBh", "",
		strings.Repeat("9", 309) + " GBh", "0." + strings.Repeat("0", 400) + "1 GBh",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		q, err := lambda.ParseQuantity(in)

		wantOK := false
		if g := quantityGrammar.FindStringSubmatch(in); g != nil {
			v, perr := strconv.ParseFloat(g[1], 64)
			// A non-zero number that a float64 rounds to 0 is refused too.
			underflow := v == 0 && strings.Trim(strings.ReplaceAll(g[1], ".", ""), "0") != ""
			wantOK = perr == nil && !underflow
			if wantOK && err == nil {
				require.Equal(t, lambda.Quantity{Value: v, Unit: g[4]}, q)
			}
		}
		if !wantOK {
			require.ErrorIs(t, err, lambda.ErrInvalidQuantity, "accepted %q", in)
			var ve *lambda.ValueError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, in, ve.Input)
			require.Equal(t, lambda.Quantity{}, q)
			return
		}
		require.NoError(t, err, "refused %q", in)
		require.False(t, math.IsNaN(q.Value) || math.IsInf(q.Value, 0) || q.Value < 0)

		out := q.String()
		again, err := lambda.ParseQuantity(out)
		require.NoError(t, err, "String() of %q is %q, which does not parse", in, out)
		require.Equal(t, math.Float64bits(q.Value), math.Float64bits(again.Value), "%q → %q", in, out)
		require.Equal(t, q.Unit, again.Unit)
		require.Equal(t, out, again.String(), "String is canonical")

		text, err := q.MarshalText()
		require.NoError(t, err)
		require.Equal(t, out, string(text))
	})
}

// TestQuantityString: String prints what ParseQuantity reads, and the
// absent Quantity as "0", with no dangling space.
func TestQuantityString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		q    lambda.Quantity
		want string
	}{
		{lambda.Quantity{Value: 42.3, Unit: "GBh"}, "42.3 GBh"},
		{lambda.Quantity{Value: 1e21, Unit: "GBh"}, "1000000000000000000000 GBh"},
		{lambda.Quantity{Value: math.Copysign(0, -1), Unit: "GBh"}, "0 GBh"},
		{lambda.Quantity{}, "0"},
		{lambda.Quantity{Value: 3}, "3"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.q.String(), "%#v", tt.q)
	}
}
