package envelope

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestDecodeErrorEnvelopes: where the error of an envelope that failed is
// read from, in each shape the API uses, and the bound on its size.
func TestDecodeErrorEnvelopes(t *testing.T) {
	t.Parallel()
	atBound := `"` + strings.Repeat("m", MaxErrorBytes-2) + `"`
	pastBound := `"` + strings.Repeat("m", MaxErrorBytes-1) + `"`
	tests := []struct {
		name, body    string
		code, message string
		err           error // instead of an *APIError
	}{
		{"canonical", `{"success":false,"error":{"code":"not_found","message":"gone"}}`, "not_found", "gone", nil},
		{"error as a string", `{"success":false,"error":"gone"}`, "unknown_error", "gone", nil},
		{"status envelope, members beside", `{"status":"error","message":"gone","code":"not_found"}`, "not_found", "gone", nil},
		{"error null, members beside", `{"success":false,"error":null,"message":"gone","code":"not_found"}`, "not_found", "gone", nil},
		{"JSend's numeric code is not kept", `{"status":"error","message":"gone","code":404}`, "unknown_error", "gone", nil},
		{"a message beside at the bound is read", `{"status":"error","message":` + atBound + `}`, "unknown_error", strings.Repeat("m", MaxErrorBytes-2), nil},
		{"a message beside past the bound is not", `{"status":"error","message":` + pastBound + `}`, "unknown_error", "", nil},
		{"a code beside past the bound is not", `{"status":"error","message":"gone","code":` + pastBound + `}`, "unknown_error", "", nil},
		{"an error object at the bound is read", `{"success":false,"error":` + atBound + `}`, "unknown_error", strings.Repeat("m", MaxErrorBytes-2), nil},
		{"an error object past the bound is not", `{"success":false,"error":` + pastBound + `}`, "", "", ErrErrorTooLarge},
	}
	for _, tt := range tests {
		var out map[string]any
		_, err := Decode([]byte(tt.body), &out)
		if tt.err != nil {
			if !errors.Is(err, tt.err) {
				t.Errorf("%s: err %v, want %v", tt.name, err, tt.err)
			}
			continue
		}
		var api *APIError
		if !errors.As(err, &api) || api.Body.Code != tt.code || api.Body.Message != tt.message {
			t.Errorf("%s: err %v; want code %q, message of %d bytes", tt.name, err, tt.code, len(tt.message))
		}
	}
}

// TestDecodeSuccessShapes: a success with "error": null is a success; a
// status other than "success" or "error" makes no status envelope; a bare
// resource's own "data" member is not its data.
func TestDecodeSuccessShapes(t *testing.T) {
	t.Parallel()
	var n int
	if _, err := Decode([]byte(`{"success":true,"data":7,"error":null}`), &n); err != nil || n != 7 {
		t.Errorf(`"error": null in a success: %d, %v`, n, err)
	}
	for _, status := range []string{"pending", "", "Success"} {
		if IsStatusEnvelope([]byte(`{"status":"`+status+`","data":1}`), status) {
			t.Errorf("status %q taken for a status envelope", status)
		}
	}
	type resource struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
	r := resource{Name: "left over"}
	if _, err := Decode([]byte(`{"id":"res_1","data":{"id":"inner","name":"inner"}}`), &r); err != nil || r != (resource{ID: "res_1"}) {
		t.Errorf("a bare resource with a data member: %+v, %v", r, err)
	}
}

// TestDecodeWrappedLists: a list wrapped in an object with one array
// member fits a slice; an object with none or two, or data of another
// kind, is the decoding error it was.
func TestDecodeWrappedLists(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body string
		want string // the list, or "error"
	}{
		{`{"success":true,"data":{"workloads":[1,2]}}`, "[1 2]"},
		{`{"status":"success","data":{"total":2,"workloads":[1,2]}}`, "[1 2]"},
		{`{"success":true,"data":{"a":[1],"b":[2]}}`, "error"},
		{`{"success":true,"data":{"total":2}}`, "error"},
		{`{"success":true,"data":"many"}`, "error"},
	}
	for _, tt := range tests {
		var out []int
		_, err := Decode([]byte(tt.body), &out)
		got := "error"
		if err == nil {
			got = fmt.Sprint(out)
		}
		if got != tt.want {
			t.Errorf("%s: %s (err %v), want %s", tt.body, got, err, tt.want)
		}
	}
	var obj struct{ Total int }
	if _, err := Decode([]byte(`{"success":true,"data":{"total":2,"workloads":"x"}}`), &obj); err != nil || obj.Total != 2 {
		t.Errorf("an object is not unwrapped: %+v, %v", obj, err)
	}
}

// TestDecodeErrorBodies: what DecodeError reads from an error response,
// and what it refuses to decode.
func TestDecodeErrorBodies(t *testing.T) {
	t.Parallel()
	big := `"` + strings.Repeat("m", MaxErrorBytes+1) + `"` // past the bound, quoted or not
	tests := []struct {
		body    string
		ok      bool
		message string
	}{
		{`{"error":{"code":"x","message":"gone"}}`, true, "gone"},
		{`{"error":"gone"}`, true, "gone"},
		{`{"message":"gone"}`, true, "gone"},
		{`{"error":` + big + `}`, false, ""},
		{`{"message":` + big + `}`, false, ""},
		{`{"error":{"message":"gone"},"message":` + big + `}`, false, ""},
		{`{"detail":"gone"}`, false, ""},
		{`["gone"]`, false, ""},
		{``, false, ""},
	}
	for _, tt := range tests {
		e, _, ok := DecodeError([]byte(tt.body))
		if ok != tt.ok || e.Message != tt.message {
			t.Errorf("DecodeError(%.40q) = %.40q, %v; want %q, %v", tt.body, e.Message, ok, tt.message, tt.ok)
		}
	}
}

// TestSecondsBounds: a wire figure of seconds is a wait from zero to a
// year (366 days) inclusive.
func TestSecondsBounds(t *testing.T) {
	t.Parallel()
	year := 366 * 24 * time.Hour
	tests := []struct {
		in   float64
		want time.Duration
		ok   bool
	}{
		{0, 0, true},
		{0.5, 500 * time.Millisecond, true},
		{year.Seconds(), year, true},
		{year.Seconds() + 1, 0, false},
		{-0.001, 0, false},
	}
	for _, tt := range tests {
		if got, ok := Seconds(tt.in); got != tt.want || ok != tt.ok {
			t.Errorf("Seconds(%v) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}
