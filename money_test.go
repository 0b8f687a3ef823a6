package lambda_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

func moneyUSD(minor int64) lambda.Money { return lambda.Money{Currency: "USD", Minor: minor} }

func TestParseMoney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in        string
		want      lambda.Money
		canonical string // what String prints; "" means the input itself
	}{
		{in: "$2,345.00", want: moneyUSD(234500)},
		{in: "$3,242.50", want: moneyUSD(324250)},
		{in: "$0.05", want: moneyUSD(5)},
		{in: "$0.00", want: moneyUSD(0)},
		{in: "$1.00", want: moneyUSD(100)},
		{in: "$999.99", want: moneyUSD(99999)},
		{in: "$1,000.00", want: moneyUSD(100000)},
		{in: "$12,345,678.90", want: moneyUSD(1234567890)},
		{in: "-$12.00", want: moneyUSD(-1200)},
		{in: "-$0.01", want: moneyUSD(-1)},
		{in: "-$1,234,567.89", want: moneyUSD(-123456789)},
		{in: "€1,234.56", want: lambda.Money{Currency: "EUR", Minor: 123456}},
		{in: "-£0.99", want: lambda.Money{Currency: "GBP", Minor: -99}},
		{in: "$2345.00", want: moneyUSD(234500), canonical: "$2,345.00"},
		{in: "-$1234567.89", want: moneyUSD(-123456789), canonical: "-$1,234,567.89"},
		{in: "$92,233,720,368,547,758.07", want: moneyUSD(math.MaxInt64)},
		{in: "-$92,233,720,368,547,758.08", want: moneyUSD(math.MinInt64)},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := lambda.ParseMoney(tt.in)
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

func TestParseMoneyRefuses(t *testing.T) {
	t.Parallel()
	tests := []string{
		"",
		"2345",
		"2,345.00",
		"$",
		"-",
		"-$",
		"$.00",
		"$1",
		"$1.",
		"$1234", // no "." before the two decimals: not $1.34 with a digit dropped
		"$1.5",
		"$1.500",
		"$1e9",
		"$1e9.00",
		"$ 1.00",
		" $1.00",
		"$1.00 ",
		"$1.00\n",
		"$1,00.00",
		"$2,34.5",
		"$2,34.50",
		"$,100.00",
		"$100,.00",
		"$1,,000.00",
		"$1000,000.00",
		"$1,0000.00",
		"$01.00",
		"$00.00",
		"$0,123.00",
		"-$0.00",
		"--$1.00",
		"$-1.00",
		"+$1.00",
		"$+1.00",
		"1.00$",
		"USD 1.00",
		"¥1.00",
		"$1,000.0a",
		"$١.٠٠", // Arabic-Indic digits
		"$１.００", // full-width digits
		"$1.00.00",
		"$92,233,720,368,547,758.08",     // MaxInt64 + 1
		"-$92,233,720,368,547,758.09",    // MinInt64 - 1
		"$100,000,000,000,000,000.00",    // far beyond int64
		"$18,446,744,073,709,551,616.00", // wraps a uint64 to zero
		"$NaN",
		"$Inf.00",
	}
	for _, in := range tests {
		t.Run(in, func(t *testing.T) {
			t.Parallel()
			got, err := lambda.ParseMoney(in)
			require.Error(t, err)
			assert.Equal(t, lambda.Money{}, got)
			assert.ErrorIs(t, err, lambda.ErrInvalidMoney)
			var ve *lambda.ValueError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "money", ve.Type)
			assert.Equal(t, in, ve.Input)
			assert.NotEmpty(t, ve.Reason)
			assert.Contains(t, err.Error(), fmt.Sprintf("%q", in), "the message names the input")
		})
	}
}

func TestValueErrorTruncatesLongInput(t *testing.T) {
	t.Parallel()
	in := "$" + strings.Repeat("9", 10000) + ".00"
	_, err := lambda.ParseMoney(in)
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 200)
	var ve *lambda.ValueError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, in, ve.Input, "the error value keeps the whole input")
}

func TestMoneyString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		m    lambda.Money
		want string
	}{
		{moneyUSD(0), "$0.00"},
		{moneyUSD(5), "$0.05"},
		{moneyUSD(-5), "-$0.05"},
		{moneyUSD(10), "$0.10"},
		{moneyUSD(99999), "$999.99"},
		{moneyUSD(100000), "$1,000.00"},
		{moneyUSD(-1200), "-$12.00"},
		{moneyUSD(math.MaxInt64), "$92,233,720,368,547,758.07"},
		{moneyUSD(math.MinInt64), "-$92,233,720,368,547,758.08"},
		{lambda.Money{Currency: "EUR", Minor: 100}, "€1.00"},
		{lambda.Money{Currency: "CHF", Minor: -123456}, "-CHF 1,234.56"},
		{lambda.Money{}, "0.00"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			t.Parallel()
			assert.Equal(t, tt.want, tt.m.String())
		})
	}
}

func TestMoneyArithmetic(t *testing.T) {
	t.Parallel()
	eur := lambda.Money{Currency: "EUR", Minor: 100}
	tests := []struct {
		name    string
		op      func() (lambda.Money, error)
		want    lambda.Money
		wantErr error
	}{
		{"add", func() (lambda.Money, error) { return moneyUSD(234500).Add(moneyUSD(324250)) }, moneyUSD(558750), nil},
		{"add a credit", func() (lambda.Money, error) { return moneyUSD(234500).Add(moneyUSD(-1200)) }, moneyUSD(233300), nil},
		{"sub", func() (lambda.Money, error) { return moneyUSD(100).Sub(moneyUSD(250)) }, moneyUSD(-150), nil},
		{"zero takes the currency", func() (lambda.Money, error) { return lambda.Money{}.Add(eur) }, eur, nil},
		{"to zero", func() (lambda.Money, error) { return eur.Sub(lambda.Money{}) }, eur, nil},
		{"currency mismatch add", func() (lambda.Money, error) { return moneyUSD(1).Add(eur) }, lambda.Money{}, lambda.ErrCurrencyMismatch},
		{"currency mismatch sub", func() (lambda.Money, error) { return eur.Sub(moneyUSD(0)) }, lambda.Money{}, lambda.ErrCurrencyMismatch},
		{"overflow add", func() (lambda.Money, error) { return moneyUSD(math.MaxInt64).Add(moneyUSD(1)) }, lambda.Money{}, lambda.ErrMoneyOverflow},
		{"overflow add negative", func() (lambda.Money, error) { return moneyUSD(math.MinInt64).Add(moneyUSD(-1)) }, lambda.Money{}, lambda.ErrMoneyOverflow},
		{"overflow sub", func() (lambda.Money, error) { return moneyUSD(math.MinInt64).Sub(moneyUSD(1)) }, lambda.Money{}, lambda.ErrMoneyOverflow},
		{"overflow sub negative", func() (lambda.Money, error) { return moneyUSD(0).Sub(moneyUSD(math.MinInt64)) }, lambda.Money{}, lambda.ErrMoneyOverflow},
		{"edge add", func() (lambda.Money, error) { return moneyUSD(math.MaxInt64).Add(moneyUSD(math.MinInt64)) }, moneyUSD(-1), nil},
		{"edge sub", func() (lambda.Money, error) { return moneyUSD(-1).Sub(moneyUSD(math.MaxInt64)) }, moneyUSD(math.MinInt64), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.op()
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMoneyIsZeroMeansAbsent(t *testing.T) {
	t.Parallel()
	assert.True(t, lambda.Money{}.IsZero(), "the zero Money is absent")
	assert.False(t, moneyUSD(0).IsZero(), "$0.00 is an amount, not an absence")
	assert.False(t, lambda.Money{Currency: "EUR"}.IsZero(), "€0.00 is an amount")
	assert.False(t, moneyUSD(-1).IsZero())
}

// A user's struct tagged omitzero keeps a real $0.00 (a free month) through
// encoding: omitzero asks IsZero, and only the absent Money{} is zero.
func TestMoneyZeroAmountSurvivesOmitzero(t *testing.T) {
	t.Parallel()
	type invoice struct {
		Total lambda.Money `json:"total,omitzero"`
	}
	out, err := json.Marshal(invoice{Total: moneyUSD(0)})
	require.NoError(t, err)
	assert.JSONEq(t, `{"total":"$0.00"}`, string(out))
	var back invoice
	require.NoError(t, json.Unmarshal(out, &back))
	assert.Equal(t, moneyUSD(0), back.Total)
	assert.False(t, back.Total.IsZero())
}

func TestMoneyJSON(t *testing.T) {
	t.Parallel()
	tests := []struct {
		json    string
		want    lambda.Money
		wantErr bool
	}{
		{json: `"$2,345.00"`, want: moneyUSD(234500)},
		{json: `"-$12.00"`, want: moneyUSD(-1200)},
		{json: `"\u00243,242.50"`, want: moneyUSD(324250)},
		{json: `null`, want: lambda.Money{}},
		{json: `2345`, wantErr: true},
		{json: `23.45`, wantErr: true},
		{json: `""`, wantErr: true},
		{json: `"2345"`, wantErr: true},
		{json: `"$1.5"`, wantErr: true},
		{json: `true`, wantErr: true},
		{json: `{"amount":"$1.00"}`, wantErr: true},
		{json: `["$1.00"]`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.json, func(t *testing.T) {
			t.Parallel()
			var got lambda.Money
			err := json.Unmarshal([]byte(tt.json), &got)
			if tt.wantErr {
				require.ErrorIs(t, err, lambda.ErrInvalidMoney)
				var ve *lambda.ValueError
				require.ErrorAs(t, err, &ve)
				// A non-string names the raw JSON, a bad string names its text.
				assert.Contains(t, []string{tt.json, strings.Trim(tt.json, `"`)}, ve.Input)
				assert.Contains(t, err.Error(), fmt.Sprintf("%q", ve.Input))
				assert.Equal(t, lambda.Money{}, got)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestMoneyJSONNullKeepsValue(t *testing.T) {
	t.Parallel()
	m := moneyUSD(7)
	require.NoError(t, json.Unmarshal([]byte(`null`), &m))
	assert.Equal(t, moneyUSD(7), m, "null leaves the value alone, as encoding/json does for other types")
}

func TestMoneyMarshal(t *testing.T) {
	t.Parallel()
	b, err := json.Marshal(moneyUSD(234500))
	require.NoError(t, err)
	assert.Equal(t, `"$2,345.00"`, string(b))

	b, err = json.Marshal(lambda.Money{})
	require.NoError(t, err)
	assert.Equal(t, `null`, string(b))

	b, err = json.Marshal(lambda.Money{Currency: "EUR", Minor: -5})
	require.NoError(t, err)
	assert.Equal(t, `"-€0.05"`, string(b), "non-ASCII symbols are written as UTF-8, not escaped")

	for _, m := range []lambda.Money{{Currency: "CHF", Minor: 100}, {Minor: 100}} {
		_, err = json.Marshal(m)
		require.ErrorIs(t, err, lambda.ErrInvalidMoney, "%#v", m)
		_, err = m.MarshalText()
		require.ErrorIs(t, err, lambda.ErrInvalidMoney, "%#v", m)
	}
	_, err = lambda.Money{}.MarshalText()
	require.ErrorIs(t, err, lambda.ErrInvalidMoney, "text has no null")
}

func TestMoneyText(t *testing.T) {
	t.Parallel()
	var m lambda.Money
	require.NoError(t, m.UnmarshalText([]byte("£1,000.00")))
	assert.Equal(t, lambda.Money{Currency: "GBP", Minor: 100000}, m)
	text, err := m.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "£1,000.00", string(text))

	err = m.UnmarshalText([]byte(""))
	require.ErrorIs(t, err, lambda.ErrInvalidMoney, "empty text is not a silent zero")
	assert.Equal(t, lambda.Money{Currency: "GBP", Minor: 100000}, m, "a failed parse leaves the value alone")

	// As a map key, encoding/json uses the text form.
	b, err := json.Marshal(map[lambda.Money]int{moneyUSD(100): 1})
	require.NoError(t, err)
	assert.Equal(t, `{"$1.00":1}`, string(b))
}

// valueTypesRow is how a caller's own struct holds the value types.
type valueTypesRow struct {
	Amount        lambda.Money    `json:"amount"`
	Date          lambda.Date     `json:"date"`
	GigabytesHour lambda.Quantity `json:"gigabytes_hour"`
}

func TestValueTypesInAStruct(t *testing.T) {
	t.Parallel()
	var row valueTypesRow
	in := `{"amount":"$3,242.50","date":"2024-12-31","gigabytes_hour":"42.3 GBh"}`
	require.NoError(t, json.Unmarshal([]byte(in), &row))
	assert.Equal(t, valueTypesRow{
		Amount:        moneyUSD(324250),
		Date:          lambda.Date{Year: 2024, Month: 12, Day: 31},
		GigabytesHour: lambda.Quantity{Value: 42.3, Unit: "GBh"},
	}, row)

	out, err := json.Marshal(row)
	require.NoError(t, err)
	assert.JSONEq(t, in, string(out))

	out, err = json.Marshal(valueTypesRow{})
	require.NoError(t, err)
	assert.JSONEq(t, `{"amount":null,"date":null,"gigabytes_hour":null}`, string(out))
}

func TestValueTypesInAStructRefuseBadFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		json    string
		wantErr error
	}{
		{"amount as number", `{"amount":3242.50}`, lambda.ErrInvalidMoney},
		{"amount malformed", `{"amount":"$3,242.5"}`, lambda.ErrInvalidMoney},
		{"amount without symbol", `{"amount":"3242.50"}`, lambda.ErrInvalidMoney},
		{"date as timestamp", `{"date":"2024-12-31T00:00:00Z"}`, lambda.ErrInvalidDate},
		{"date not in calendar", `{"date":"2024-02-30"}`, lambda.ErrInvalidDate},
		{"date as number", `{"date":20241231}`, lambda.ErrInvalidDate},
		{"quantity without unit", `{"gigabytes_hour":"42.3"}`, lambda.ErrInvalidQuantity},
		{"quantity as number", `{"gigabytes_hour":42.3}`, lambda.ErrInvalidQuantity},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var row valueTypesRow
			err := json.Unmarshal([]byte(tt.json), &row)
			require.Error(t, err)
			assert.True(t, errors.Is(err, tt.wantErr), "got %v", err)
		})
	}
}

// moneyGrammar is the API's money format written independently of
// ParseMoney, as an oracle for the fuzz test: the integer part is "0", or
// has no leading zero and is either plain or grouped by three.
var moneyGrammar = regexp.MustCompile(`^(-?)[$€£](0|[1-9][0-9]*|[1-9][0-9]{0,2}(,[0-9]{3})+)\.([0-9]{2})$`)

// FuzzParseMoney checks that ParseMoney never panics, accepts exactly the
// grammar (minus negative zero and amounts beyond int64), and that every
// accepted input prints back canonically and parses to the same value.
func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{
		"$2,345.00", "$3,242.50", "-$12.00", "$0.05", "$2345.00", "€1,234.56", "-£0.99",
		"$92,233,720,368,547,758.07", "-$92,233,720,368,547,758.08", "$92,233,720,368,547,758.08",
		"-$0.00", "$01.00", "$1,00.00", "$,100.00", "$1e9", "$1.5", "$ 1.00", "2345", "$", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		m, err := lambda.ParseMoney(in)

		wantOK := false
		if g := moneyGrammar.FindStringSubmatch(in); g != nil {
			mag, _ := new(big.Int).SetString(strings.ReplaceAll(g[2], ",", "")+g[4], 10)
			if g[1] == "-" {
				mag.Neg(mag)
			}
			wantOK = mag.IsInt64() && !(g[1] == "-" && mag.Sign() == 0)
			if wantOK && err == nil {
				require.Equal(t, mag.Int64(), m.Minor, "value of %q", in)
			}
		}
		if !wantOK {
			require.Error(t, err, "accepted %q", in)
			require.ErrorIs(t, err, lambda.ErrInvalidMoney)
			var ve *lambda.ValueError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, in, ve.Input)
			require.Equal(t, lambda.Money{}, m)
			return
		}
		require.NoError(t, err, "refused %q", in)

		out := m.String()
		if strings.Contains(in, ",") || out == in {
			require.Equal(t, in, out, "a canonical input prints back exactly")
		} else {
			require.Equal(t, in, strings.ReplaceAll(out, ",", ""), "an ungrouped input prints back grouped")
		}
		again, err := lambda.ParseMoney(out)
		require.NoError(t, err, "String() of %q is %q, which does not parse", in, out)
		require.Equal(t, m, again)
	})
}

// FuzzMoneyRoundTrip checks that every Money in a currency the API uses
// prints, marshals and parses back to itself.
func FuzzMoneyRoundTrip(f *testing.F) {
	for _, minor := range []int64{0, 1, -1, 5, 99, 100, 234500, -1200, 99999, 100000, math.MaxInt64, math.MinInt64} {
		f.Add(uint8(0), minor)
	}
	f.Add(uint8(1), int64(123456))
	f.Add(uint8(2), int64(-99))
	currencies := []string{"USD", "EUR", "GBP"}
	f.Fuzz(func(t *testing.T, cur uint8, minor int64) {
		m := lambda.Money{Currency: currencies[int(cur)%len(currencies)], Minor: minor}
		got, err := lambda.ParseMoney(m.String())
		require.NoError(t, err, "%#v prints as %q", m, m.String())
		require.Equal(t, m, got)

		b, err := json.Marshal(m)
		require.NoError(t, err)
		var back lambda.Money
		require.NoError(t, json.Unmarshal(b, &back), "%s", b)
		require.Equal(t, m, back)
	})
}

func TestValueErrorTruncatesOnACharacterBoundary(t *testing.T) {
	t.Parallel()
	in := "$x" + strings.Repeat("€", 100) // byte 64 falls inside a 3-byte "€"
	_, err := lambda.ParseMoney(in)
	require.Error(t, err)
	assert.NotContains(t, err.Error(), `\x`, "no character cut in two")
	assert.Contains(t, err.Error(), "…")
}
