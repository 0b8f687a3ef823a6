package lambda

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ErrInvalidQuantity is wrapped by every error from parsing or decoding a
// Quantity, so callers can test for it with errors.Is.
var ErrInvalidQuantity = errors.New("invalid quantity")

// Quantity is a measured amount of usage with its unit, as the API writes
// it: "42.3 GBh". Unlike Money it is a float, because usage is measured, not
// counted in cents.
//
// The zero value (no unit) means "absent": it is what a JSON null or a
// missing field leaves, and it marshals back to null.
type Quantity struct {
	Value float64 // finite and never negative when parsed
	Unit  string  // ASCII letters and "/", starting with a letter: "GBh", "GB/h"
}

// ParseQuantity parses "<number> <unit>" with exactly one space between: the
// number is plain decimal digits with an optional fraction ("42", "42.3",
// "0.5"), the unit is ASCII letters and "/" starting with a letter.
//
// Refused, with a *ValueError: a missing number or unit, no space or more
// than one ("42.3GBh", "42.3  GBh"), a sign ("-1 GBh", "+1 GBh"; usage is
// never negative), exponents ("1e3 GBh"), "NaN" and "Inf", a bare "." (".5",
// "5."), leading zeros ("01 GBh"), and numbers too large for a float64 or so
// small that a float64 would hold them as 0 (a usage that was measured as
// non-zero never reads as none).
func ParseQuantity(s string) (Quantity, error) {
	bad := func(reason string) (Quantity, error) {
		return Quantity{}, &ValueError{Type: "quantity", Input: s, Reason: reason}
	}
	num, unit, ok := strings.Cut(s, " ")
	if !ok {
		return bad(`want a number, one space, then a unit, as in "42.3 GBh"`)
	}
	intPart, frac, hasDot := strings.Cut(num, ".")
	switch {
	case intPart == "" || !isASCIIDigits(intPart) || (hasDot && (frac == "" || !isASCIIDigits(frac))):
		return bad(`want a plain decimal number such as "42" or "42.3"`)
	case len(intPart) > 1 && intPart[0] == '0':
		return bad("leading zeros are not allowed")
	case !isQuantityUnit(unit):
		return bad(`want a unit of ASCII letters and "/" after one space`)
	}
	v, err := strconv.ParseFloat(num, 64)
	if err != nil || math.IsInf(v, 0) {
		return bad("number out of range")
	}
	// ParseFloat rounds a value below the smallest float64 to 0 without an
	// error; a measured non-zero usage must not read as none at all.
	if v == 0 && strings.Trim(intPart+frac, "0") != "" {
		return bad("number too small for a float64: it would read as 0")
	}
	return Quantity{Value: v, Unit: unit}, nil
}

func isQuantityUnit(s string) bool {
	if s == "" || !isASCIILetter(s[0]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isASCIILetter(s[i]) && s[i] != '/' {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') }

// String prints q in the API's format with the shortest number that parses
// back to the same float64: "42.3 GBh", "1000000 GBh" (never an exponent,
// never "-0"). A Quantity without a unit, the zero Quantity included,
// prints its number alone ("0"), which does not parse back, and
// MarshalText refuses it.
func (q Quantity) String() string {
	num := strconv.FormatFloat(q.Value+0, 'f', -1, 64) // +0 turns -0 into 0
	if q.Unit == "" {
		return num
	}
	return num + " " + q.Unit
}

// IsZero reports whether q is the zero Quantity: no value and no unit.
func (q Quantity) IsZero() bool { return q == Quantity{} }

// MarshalText writes q as the API does. It fails for a value that ParseQuantity
// would refuse (negative, NaN, infinite) or a malformed unit, so that what is
// written can always be read back.
func (q Quantity) MarshalText() ([]byte, error) {
	if q.Value < 0 || math.IsNaN(q.Value) || math.IsInf(q.Value, 0) || !isQuantityUnit(q.Unit) {
		return nil, fmt.Errorf("lambda: cannot marshal quantity %v %q: %w", q.Value, q.Unit, ErrInvalidQuantity)
	}
	return []byte(q.String()), nil
}

// UnmarshalText parses text with ParseQuantity.
func (q *Quantity) UnmarshalText(text []byte) error {
	v, err := ParseQuantity(string(text))
	if err != nil {
		return err
	}
	*q = v
	return nil
}

// MarshalJSON writes q as a JSON string, or null for the zero Quantity.
func (q Quantity) MarshalJSON() ([]byte, error) {
	if q.IsZero() {
		return []byte("null"), nil
	}
	text, err := q.MarshalText()
	if err != nil {
		return nil, err
	}
	return json.Marshal(string(text))
}

// UnmarshalJSON accepts a JSON string in the format of ParseQuantity. A JSON
// null leaves q unchanged; a number or any other JSON value is an error.
func (q *Quantity) UnmarshalJSON(data []byte) error {
	s, isNull, err := valueJSONString(data, "quantity")
	if err != nil || isNull {
		return err
	}
	return q.UnmarshalText([]byte(s))
}
