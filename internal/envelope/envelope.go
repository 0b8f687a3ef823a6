// Package envelope decodes the Lambda API's responses. The canonical shape
// is {"success": true, "data": …, "metadata": …, "pagination": …}; older
// routes answer with a bare JSON value, or with {"status": "success",
// "data": …} where a list may be wrapped in an object with one array field.
package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"time"
	"unicode/utf8"
)

// Pagination is the wire form of a list's page figures.
type Pagination struct {
	Page       int  `json:"page"`
	Limit      int  `json:"limit"`
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	HasNext    bool `json:"has_next"`
	HasPrev    bool `json:"has_prev"`
}

// Meta is what a response says about itself besides its data.
type Meta struct {
	RequestID  string
	Timestamp  time.Time   // metadata.timestamp; zero when absent or not RFC 3339
	Pagination *Pagination // nil when the response had no pagination object
}

// ErrorBody is the wire form of an API error.
type ErrorBody struct {
	Code       string   `json:"code"`
	Message    string   `json:"message"`
	Details    *Details `json:"details"`
	RetryAfter *float64 `json:"retry_after"`
	// RequiredPermission names, on a 403, the permission the credential lacks.
	RequiredPermission string `json:"required_permission"`
}

// Details points at the part of a request that was refused.
type Details struct {
	Field         string
	Value         any
	AllowedValues []string
}

// UnmarshalJSON reads details leniently: they are a courtesy, and a field
// of an unexpected type (allowed_values holding numbers, say) must not cost
// the error its code and message. A value that is not a string is kept as
// its JSON text.
func (d *Details) UnmarshalJSON(b []byte) error {
	var raw struct {
		Field         json.RawMessage `json:"field"`
		Value         any             `json:"value"`
		AllowedValues json.RawMessage `json:"allowed_values"`
	}
	if json.Unmarshal(b, &raw) != nil {
		return nil // not an object: no details
	}
	d.Field, d.Value = text(raw.Field), raw.Value
	var list []json.RawMessage
	if json.Unmarshal(raw.AllowedValues, &list) == nil {
		for _, v := range list {
			d.AllowedValues = append(d.AllowedValues, text(v))
		}
	}
	return nil
}

// text is a JSON string's value, "" for null or nothing, else the JSON text.
func text(raw json.RawMessage) string {
	var s string
	if len(raw) == 0 || string(raw) == "null" || json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// APIError is an error envelope found in a response: with an error status,
// or inside a 2xx response that said "success": false.
type APIError struct {
	Body ErrorBody
	Meta Meta
}

// Error gives the API's code and message.
func (e *APIError) Error() string { return "lambda: API error " + e.Body.Code + ": " + e.Body.Message }

// ErrEmpty reports a response with no body where data was expected.
var ErrEmpty = errors.New("empty response body")

// ErrNoData reports a success that carries no data where data was
// expected: data missing or null, or a bare null.
var ErrNoData = errors.New("the response reports success but carries no data")

// ErrErrorInSuccess reports a response that says success and carries an
// error object: it cannot be both, and the client trusts neither.
var ErrErrorInSuccess = errors.New("the response reports success and carries an error")

// MaxErrorBytes bounds an error the client decodes. The API's errors are a
// few hundred bytes; a bigger one is a hostile or broken answer, and
// decoding it (its allowed values, its details' value) would cost up to a
// hundred times its size: a 15 MiB error made 2 GB of allocations. Such
// an error is not decoded: DecodeError reports it as no error envelope
// (the answer's status stands for it), Decode as ErrErrorTooLarge.
const MaxErrorBytes = 64 << 10

// ErrErrorTooLarge is an error envelope beyond MaxErrorBytes.
var ErrErrorTooLarge = fmt.Errorf("the response carries an error of more than %d KiB, not decoded", MaxErrorBytes>>10)

type metadata struct {
	RequestID string    `json:"request_id"`
	Timestamp timestamp `json:"timestamp"`
}

// timestamp is an RFC 3339 time that decodes to zero, not to an error,
// when it is anything else: a server's clock field is information, and a
// malformed one must not cost the caller the data it came with.
type timestamp time.Time

// UnmarshalJSON parses a JSON string holding an RFC 3339 time.
func (t *timestamp) UnmarshalJSON(b []byte) error {
	*t = timestamp{}
	if len(b) < 2 || b[0] != '"' || b[len(b)-1] != '"' {
		return nil
	}
	if v, err := time.Parse(time.RFC3339Nano, string(b[1:len(b)-1])); err == nil {
		*t = timestamp(v)
	}
	return nil
}

type envelope struct {
	Success    *bool           `json:"success"`
	Status     json.RawMessage `json:"status"`
	Data       any             `json:"data"`
	Metadata   metadata        `json:"metadata"` // a value: one allocation fewer per response
	Pagination *Pagination     `json:"pagination"`
	Error      json.RawMessage `json:"error"`
}

// discard swallows the data of a response whose caller wants none.
type discard struct{}

func (discard) UnmarshalJSON([]byte) error { return nil }

var (
	statusSuccess = []byte(`"success"`)
	statusError   = []byte(`"error"`)
)

var dataKey = []byte(`"data"`)

// Decode decodes a successful response body into out, a non-nil pointer or
// nil to discard the data. A body that is an error envelope gives *APIError.
// When out is not nil, a body without data (empty, a bare null, data
// missing or null) is an error: a success must carry what was asked for.
//
// Which shape a JSON object has:
//   - the canonical envelope, when its "success" member is a boolean;
//   - the status envelope, when IsStatusEnvelope says so;
//   - otherwise a bare resource, even when it has a "status" (an instance
//     in status "error") or a "data" member of its own.
func Decode(body []byte, out any) (Meta, error) {
	b := bytes.TrimSpace(body)
	if len(b) == 0 {
		if out == nil {
			return Meta{}, nil
		}
		return Meta{}, ErrEmpty
	}
	if b[0] != '{' { // a bare array or scalar
		if out == nil {
			return Meta{}, nil
		}
		if string(b) == "null" {
			return Meta{}, ErrNoData
		}
		return Meta{}, json.Unmarshal(b, out)
	}

	// One pass for the canonical envelope: data decodes straight into out,
	// because encoding/json follows a non-nil pointer held by an interface
	// (and sets the interface to nil for a null).
	env := envelope{Data: out}
	if out == nil {
		env.Data = discard{}
	}
	err := json.Unmarshal(b, &env)
	if err != nil && out != nil {
		// A value in data whose own decoding failed (a malformed amount)
		// stops encoding/json there: the members after it ("success",
		// "metadata", "error") were never read, and the answer would lose
		// its request ID, or pass for a bare resource. Read them again,
		// without the data. Only a failed decode pays for this.
		again := envelope{Data: discard{}}
		if json.Unmarshal(b, &again) == nil {
			again.Data = env.Data
			env = again
		}
	}
	meta := Meta{RequestID: env.Metadata.RequestID, Timestamp: time.Time(env.Metadata.Timestamp), Pagination: env.Pagination}

	status := statusOf(env.Status)
	switch {
	case env.Success != nil && !*env.Success:
		return meta, errorEnvelope(b, env.Error, meta)
	case env.Success == nil && status != "" && IsStatusEnvelope(b, status):
		if status == "error" {
			return meta, errorEnvelope(b, env.Error, meta)
		}
	case env.Success == nil: // a bare object; it may have had a "data" field of its own
		if out == nil {
			return meta, nil
		}
		zero(out)
		return Meta{}, json.Unmarshal(b, out)
	}
	// A success envelope: canonical or status.
	if len(env.Error) > 0 && string(env.Error) != "null" {
		return meta, ErrErrorInSuccess
	}
	if out == nil {
		return meta, nil
	}
	if err != nil {
		// A list wrapped as {"workloads": [...]} does not fit a slice.
		return meta, decodeWrapped(b, out, err)
	}
	if env.Data == nil || !hasData(b, out) {
		return meta, ErrNoData
	}
	return meta, nil
}

// statusOf is a status member's string, "" when absent or not a string.
func statusOf(raw json.RawMessage) string {
	switch {
	case bytes.Equal(raw, statusSuccess):
		return "success"
	case bytes.Equal(raw, statusError):
		return "error"
	}
	return ""
}

// envelopeMembers are the members a status envelope may have.
var envelopeMembers = map[string]bool{
	"status": true, "data": true, "error": true, "message": true, "code": true,
	"metadata": true, "pagination": true,
}

// IsStatusEnvelope reports whether the object b, whose "status" is status
// ("success" or "error"), is the status envelope ({"status": "success",
// "data": …} or {"status": "error", "error": …}) rather than a bare resource
// that has a status of its own: it is when it has no member but status,
// data, error, message, code, metadata and pagination. A resource has at
// least one member of its own (its id), so {"id": "inst_1", "status":
// "error"} is a resource, and {"status": "success"} alone is an envelope
// that carries no data.
func IsStatusEnvelope(b []byte, status string) bool {
	if status != "success" && status != "error" {
		return false
	}
	var members map[string]json.RawMessage
	if json.Unmarshal(b, &members) != nil {
		return false
	}
	for k := range members {
		if !envelopeMembers[k] {
			return false
		}
	}
	return true
}

// hasData reports whether the envelope b had a "data" member. It is only
// in doubt when the decoded value is zero: a body without the word "data"
// has none, and a value that is not zero came from somewhere.
func hasData(b []byte, out any) bool {
	if !bytes.Contains(b, dataKey) {
		return false
	}
	if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || !v.Elem().IsZero() {
		return true
	}
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	return json.Unmarshal(b, &env) == nil && len(env.Data) > 0
}

// errorEnvelope decodes the error of b, an envelope that says it failed:
// its "error" member raw, or, without one, the "message" and "code" beside
// the status, where the status envelope's family writes them ({"status":
// "error", "message": "…"}).
func errorEnvelope(b []byte, raw json.RawMessage, meta Meta) error {
	if len(raw) > MaxErrorBytes {
		return ErrErrorTooLarge
	}
	e := &APIError{Meta: meta}
	switch {
	case len(raw) > 0 && raw[0] == '{':
		if err := json.Unmarshal(raw, &e.Body); err != nil {
			return fmt.Errorf("decoding error envelope: %w", err)
		}
	case len(raw) > 0 && raw[0] == '"':
		_ = json.Unmarshal(raw, &e.Body.Message)
	case len(raw) == 0 || string(raw) == "null":
		var beside struct {
			Message json.RawMessage `json:"message"`
			Code    json.RawMessage `json:"code"` // JSend's is a number: kept only when a string
		}
		if json.Unmarshal(b, &beside) == nil && len(beside.Message) <= MaxErrorBytes && len(beside.Code) <= MaxErrorBytes {
			_ = json.Unmarshal(beside.Message, &e.Body.Message)
			_ = json.Unmarshal(beside.Code, &e.Body.Code)
		}
	}
	if e.Body.Code == "" {
		e.Body.Code = "unknown_error"
	}
	return e
}

func decodeWrapped(b []byte, out any, first error) error {
	var env struct {
		Data json.RawMessage `json:"data"`
	}
	if err := json.Unmarshal(b, &env); err != nil || len(env.Data) == 0 || env.Data[0] != '{' {
		return first
	}
	if k := reflect.TypeOf(out).Elem().Kind(); k != reflect.Slice && k != reflect.Array {
		return first
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(env.Data, &fields); err != nil {
		return first
	}
	var list json.RawMessage
	for _, v := range fields {
		if v = bytes.TrimSpace(v); len(v) > 0 && v[0] == '[' {
			if list != nil {
				return first // more than one array: not a wrapped list
			}
			list = v
		}
	}
	if list == nil {
		return first
	}
	zero(out)
	return json.Unmarshal(list, out)
}

func zero(out any) {
	if v := reflect.ValueOf(out); v.Kind() == reflect.Pointer && !v.IsNil() {
		v.Elem().SetZero()
	}
}

// DecodeError reads the body of an error response. ok is false when the
// body is not a JSON error envelope (an HTML page from a proxy, say), or
// its error is beyond MaxErrorBytes.
func DecodeError(body []byte) (e ErrorBody, meta Meta, ok bool) {
	var env struct {
		Error    json.RawMessage `json:"error"`
		Message  string          `json:"message"`
		Metadata *metadata       `json:"metadata"`
	}
	b := bytes.TrimSpace(body)
	if len(b) == 0 || b[0] != '{' || json.Unmarshal(b, &env) != nil {
		return ErrorBody{}, Meta{}, false
	}
	if env.Metadata != nil {
		meta.RequestID, meta.Timestamp = env.Metadata.RequestID, time.Time(env.Metadata.Timestamp)
	}
	switch {
	case len(env.Error) > MaxErrorBytes || len(env.Message) > MaxErrorBytes:
		return ErrorBody{}, meta, false // not decoded: see MaxErrorBytes
	case len(env.Error) > 0 && env.Error[0] == '{':
		if json.Unmarshal(env.Error, &e) != nil {
			return ErrorBody{}, meta, false
		}
	case len(env.Error) > 0 && env.Error[0] == '"':
		_ = json.Unmarshal(env.Error, &e.Message)
	case env.Message != "":
		e.Message = env.Message
	default:
		return ErrorBody{}, meta, false
	}
	return e, meta, true
}

// RetryAfter reads error.retry_after from a 429 body.
func RetryAfter(body []byte) (time.Duration, bool) {
	e, _, ok := DecodeError(body)
	if !ok || e.RetryAfter == nil {
		return 0, false
	}
	return Seconds(*e.RetryAfter)
}

// Seconds converts a wire figure of seconds to a duration, refusing
// negative, non-finite and absurd values (more than a year).
func Seconds(s float64) (time.Duration, bool) {
	if !(s >= 0 && s <= 366*24*3600) { // also false for NaN
		return 0, false
	}
	return time.Duration(s * float64(time.Second)), true
}

// Excerpt returns at most n bytes of a body that is not JSON, as printable
// text, for error messages.
func Excerpt(body []byte, n int) string {
	b := bytes.TrimSpace(body)
	truncated := false
	if len(b) > n {
		b, truncated = b[:n], true
		for len(b) > 0 && !utf8.Valid(b) { // do not cut a character in half
			b = b[:len(b)-1]
		}
	}
	s := []rune(string(b))
	for i, r := range s {
		if r < 0x20 || r == 0x7f {
			s[i] = ' '
		}
	}
	if truncated {
		return string(s) + "…"
	}
	return string(s)
}
