package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"unicode/utf8"
)

// ErrInvalidMoney is wrapped by every error from parsing or decoding a Money,
// so callers can test for it with errors.Is.
var ErrInvalidMoney = errors.New("invalid money")

// ErrCurrencyMismatch is returned by Money.Add and Money.Sub when the two
// amounts are in different currencies: adding dollars to euros needs an
// exchange rate, which the SDK does not have.
var ErrCurrencyMismatch = errors.New("currency mismatch")

// ErrMoneyOverflow is returned by Money.Add and Money.Sub when the exact
// result does not fit in an int64 number of minor units.
var ErrMoneyOverflow = errors.New("money overflow")

// ValueError reports a string the API sent (or a caller passed) that is not a
// valid Money, Quantity or Date. It unwraps to ErrInvalidMoney,
// ErrInvalidQuantity or ErrInvalidDate according to Type.
type ValueError struct {
	Type   string // "money", "quantity" or "date"
	Input  string // the rejected text, as received (raw JSON for a non-string JSON value)
	Reason string // what is wrong with it, for people
}

// maxValueErrorInput bounds how much of a rejected input an error message repeats,
// so a megabyte of garbage does not become a megabyte of log line.
const maxValueErrorInput = 64

// Error names the bad input and says why it was refused.
func (e *ValueError) Error() string {
	in := e.Input
	if len(in) > maxValueErrorInput {
		cut := maxValueErrorInput
		for cut > 0 && !utf8.RuneStart(in[cut]) {
			cut-- // do not split a character in two
		}
		in = in[:cut] + "…"
	}
	return fmt.Sprintf("lambda: invalid %s %q: %s", e.Type, in, e.Reason)
}

// Unwrap returns the sentinel for the kind of value, so that
// errors.Is(err, ErrInvalidMoney) and friends work.
func (e *ValueError) Unwrap() error {
	switch e.Type {
	case "money":
		return ErrInvalidMoney
	case "quantity":
		return ErrInvalidQuantity
	case "date":
		return ErrInvalidDate
	}
	return nil
}

// Money is an exact amount of money, as the API writes it: "$2,345.00",
// "-$12.00" (a credit), "€0.05". It never passes through a float.
//
// The zero value (no currency, no amount) means "absent": it is what a JSON
// null or a missing field leaves, and it marshals back to null.
type Money struct {
	// Currency is the ISO 4217 code: "USD", "EUR" or "GBP" for amounts
	// parsed from the API.
	Currency string
	// Minor is the amount in minor units (cents): "$2,345.00" is 234500 and
	// "-$12.00" is -1200. All three currencies the API uses have two decimals.
	Minor int64
}

// currencySymbols maps the ISO code of each currency the API writes to the
// symbol it puts in front of the amount.
var currencySymbols = []struct{ code, symbol string }{
	{"USD", "$"},
	{"EUR", "€"},
	{"GBP", "£"},
}

func currencySymbolOf(code string) (string, bool) {
	for _, c := range currencySymbols {
		if c.code == code {
			return c.symbol, true
		}
	}
	return "", false
}

// ParseMoney parses an amount as the API writes it: an optional "-", a
// currency symbol ("$" for USD, "€" for EUR, "£" for GBP), the integer part
// either plain ("2345") or grouped by "," every three digits ("2,345"), then
// "." and exactly two digits. Both spellings give the same Money; String
// prints the grouped one.
//
// Refused, with a *ValueError: a missing symbol, spaces anywhere, exponents,
// other than two decimals, misplaced commas ("$2,34.50", "$,100.00"), leading
// zeros ("$01.00"; "$0.05" is fine), non-ASCII digits, amounts beyond int64
// minor units, and "-$0.00": a minus sign marks a credit, so a credit of zero
// is a malformed amount, and accepting it would give zero two spellings.
func ParseMoney(s string) (Money, error) {
	bad := func(reason string) (Money, error) {
		return Money{}, &ValueError{Type: "money", Input: s, Reason: reason}
	}
	rest := s
	neg := strings.HasPrefix(rest, "-")
	if neg {
		rest = rest[1:]
	}
	var m Money
	for _, c := range currencySymbols {
		if strings.HasPrefix(rest, c.symbol) {
			m.Currency = c.code
			rest = rest[len(c.symbol):]
			break
		}
	}
	if m.Currency == "" {
		return bad(`want a currency symbol ("$", "€" or "£") after the optional "-"`)
	}
	dot := len(rest) - 3
	if dot < 1 || rest[dot] != '.' {
		return bad(`want digits, then "." and exactly two decimal digits`)
	}
	intPart, frac := rest[:dot], rest[dot+1:]
	if !isASCIIDigits(frac) {
		return bad("want exactly two decimal digits")
	}
	if reason := checkMoneyGrouping(intPart); reason != "" {
		return bad(reason)
	}

	// Accumulate the magnitude in uint64 so that the most negative int64
	// (whose magnitude is one more than the largest int64) still parses.
	limit := uint64(math.MaxInt64)
	if neg {
		limit++
	}
	var mag uint64
	for _, d := range []byte(strings.ReplaceAll(intPart, ",", "") + frac) {
		v := uint64(d - '0')
		if mag > (limit-v)/10 {
			return bad("amount does not fit in 64-bit minor units")
		}
		mag = mag*10 + v
	}
	if neg && mag == 0 {
		return bad("negative zero is not an amount")
	}
	if neg {
		m.Minor = int64(-mag) // two's complement: exact for every mag ≤ 1<<63
	} else {
		m.Minor = int64(mag)
	}
	return m, nil
}

// checkMoneyGrouping checks the integer part of an amount, "2345" or "2,345", and
// returns what is wrong with it, or "" if nothing is.
func checkMoneyGrouping(s string) string {
	groups := strings.Split(s, ",")
	for i, g := range groups {
		switch {
		case !isASCIIDigits(g) || g == "":
			return "want ASCII digits, grouped by \",\" every three"
		case i == 0 && len(groups) > 1 && len(g) > 3:
			return "want at most three digits before the first \",\""
		case i > 0 && len(g) != 3:
			return "want exactly three digits after each \",\""
		}
	}
	if len(s) > 1 && s[0] == '0' {
		return "leading zeros are not allowed"
	}
	return ""
}

func isASCIIDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String prints m exactly as the API writes it: "$2,345.00", "-$12.00",
// "$0.05". A currency without a known symbol is printed with its code in
// front ("CHF 1,000.00") and the zero Money as "0.00"; neither of those
// parses back, and MarshalText refuses them.
func (m Money) String() string {
	mag := uint64(m.Minor)
	sign := ""
	if m.Minor < 0 {
		mag = -mag // exact for math.MinInt64 too, in unsigned arithmetic
		sign = "-"
	}
	digits := fmt.Sprintf("%03d", mag) // at least "0.0x"
	intPart, frac := digits[:len(digits)-2], digits[len(digits)-2:]

	var b strings.Builder
	b.WriteString(sign)
	if sym, ok := currencySymbolOf(m.Currency); ok {
		b.WriteString(sym)
	} else if m.Currency != "" {
		b.WriteString(m.Currency + " ")
	}
	for i := 0; i < len(intPart); i++ {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(intPart[i])
	}
	b.WriteByte('.')
	b.WriteString(frac)
	return b.String()
}

// IsZero reports whether m is the zero Money, Money{}, which means "absent".
// A real amount of zero, such as "$0.00" for a free month or a fully credited
// invoice, is not IsZero: it has a currency. That keeps such an amount through
// encoding/json's omitzero, which calls IsZero. To ask whether an amount is
// zero whatever its currency, compare m.Minor with 0.
func (m Money) IsZero() bool { return m == Money{} }

// Add returns m + o. It fails with ErrCurrencyMismatch if the currencies
// differ and with ErrMoneyOverflow if the sum does not fit. The zero Money
// takes the currency of the other operand, so a running total can start
// from `var total Money`.
func (m Money) Add(o Money) (Money, error) {
	cur, err := commonCurrency(m, o)
	if err != nil {
		return Money{}, err
	}
	sum := m.Minor + o.Minor
	if (o.Minor > 0 && sum < m.Minor) || (o.Minor < 0 && sum > m.Minor) {
		return Money{}, fmt.Errorf("lambda: %v + %v: %w", m, o, ErrMoneyOverflow)
	}
	return Money{Currency: cur, Minor: sum}, nil
}

// Sub returns m - o, with the same errors as Add.
func (m Money) Sub(o Money) (Money, error) {
	cur, err := commonCurrency(m, o)
	if err != nil {
		return Money{}, err
	}
	diff := m.Minor - o.Minor
	if (o.Minor > 0 && diff > m.Minor) || (o.Minor < 0 && diff < m.Minor) {
		return Money{}, fmt.Errorf("lambda: %v - %v: %w", m, o, ErrMoneyOverflow)
	}
	return Money{Currency: cur, Minor: diff}, nil
}

func commonCurrency(a, b Money) (string, error) {
	switch {
	case a.Currency == b.Currency:
		return a.Currency, nil
	case a == Money{}:
		return b.Currency, nil
	case b == Money{}:
		return a.Currency, nil
	}
	return "", fmt.Errorf("lambda: %s and %s: %w", a.Currency, b.Currency, ErrCurrencyMismatch)
}

// MarshalText writes m as the API does. It fails for a currency other than
// USD, EUR and GBP, including the zero Money, because the API format has no
// way to write them.
func (m Money) MarshalText() ([]byte, error) {
	if _, ok := currencySymbolOf(m.Currency); !ok {
		return nil, fmt.Errorf("lambda: cannot marshal money in currency %q: %w", m.Currency, ErrInvalidMoney)
	}
	return []byte(m.String()), nil
}

// UnmarshalText parses text with ParseMoney.
func (m *Money) UnmarshalText(text []byte) error {
	v, err := ParseMoney(string(text))
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// MarshalJSON writes m as a JSON string, or null for the zero Money.
func (m Money) MarshalJSON() ([]byte, error) {
	if m == (Money{}) {
		return []byte("null"), nil
	}
	text, err := m.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(text))
}

// UnmarshalJSON accepts a JSON string in the format of ParseMoney. A JSON
// null leaves m unchanged; a number or any other JSON value is an error, so
// an amount can never silently decode to zero.
func (m *Money) UnmarshalJSON(data []byte) error {
	s, isNull, err := valueJSONString(data, "money")
	if err != nil || isNull {
		return err
	}
	return m.UnmarshalText([]byte(s))
}

// valueJSONString decodes a JSON string value for the value types of this file and
// its siblings. It reports null separately, and anything that is not a
// string as a *ValueError of the given type naming the raw JSON.
func valueJSONString(data []byte, typ string) (s string, isNull bool, err error) {
	if string(data) == "null" {
		return "", true, nil
	}
	if len(data) == 0 || data[0] != '"' || json.Unmarshal(data, &s) != nil {
		return "", false, &ValueError{Type: typ, Input: string(data), Reason: "want a JSON string"}
	}
	return s, false, nil
}
