package lambda

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Do calls any route of the API, for one the SDK has no method for yet (a
// v2 preview, say) with everything a service method does: the credential,
// an Idempotency-Key on POST, retries and backoff, rate-limit manners,
// middleware, logging, typed errors and the decoding of all three response
// shapes.
//
// path is relative to the base URL ("/instances/inst_1/start", or without
// the leading slash), with its segments escaped as they are to be sent
// (url.PathEscape each ID) and an optional query ("/instances?status=running");
// an absolute URL, a path with dot segments, and anything else that would
// leave the base URL are refused before sending with an error matching
// ErrInvalidRequest, as is a method that is not an HTTP method ("get" is
// sent as GET). body, when not nil, is sent as JSON: a value is encoded
// with encoding/json, and a json.RawMessage or a []byte, taken to be JSON
// already, goes as it is. A body that cannot be sent as JSON (a []byte that
// is empty or not JSON, an io.Reader, which a retry could not read again, a
// nil pointer, a func) is refused before sending with an error matching
// ErrInvalidRequest.
//
// out, when not nil, receives the answer's data, which must be present: a
// non-nil pointer, to a struct, to a slice for a list (the items of one
// page), to an interface, or a *json.RawMessage to keep it raw. Any other
// out (a struct or a map by value, a nil pointer) could not receive the
// data, and is refused before sending with an error matching
// ErrInvalidRequest, so that a create is never made whose answer would go
// nowhere. Into a resource type of this package, or a slice of them, the
// answer is checked as the service methods check it: an Instance without
// its ID is ErrInvalidResponse, as from Instances.Get.
//
// The options are those of every
// method: WithResponseInfo shows the pagination headers, the request ID and
// the rate-limit figures.
func (c *Client) Do(ctx context.Context, method, path string, body, out any, opts ...RequestOption) error {
	if !isToken(method) {
		return &Error{Code: CodeInvalidRequest, Message: fmt.Sprintf("Do: method %q is not an HTTP method (letters, digits and !#$%%&'*+-.^_`|~ only)",
			truncateForError(method)), Details: &ErrorDetails{Field: "method"}}
	}
	u, err := url.Parse(path)
	switch {
	case err != nil:
		return invalidArgument(fmt.Errorf("Do: path %q does not parse: %w", path, err))
	case u.Scheme != "" || u.Host != "" || u.User != nil || strings.HasPrefix(path, "//"):
		return invalidArgument(fmt.Errorf("Do: path %q is not relative to the base URL; give only the path, such as /instances", truncateForError(path)))
	case u.Fragment != "":
		return invalidArgument(fmt.Errorf("Do: path %q has a fragment", truncateForError(path)))
	}
	p := u.EscapedPath()
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if err := checkPathOf(p, "path"); err != nil {
		return err
	}
	if err := checkOut(out); err != nil {
		return err
	}
	if body, err = doBody(body); err != nil {
		return err
	}
	var q url.Values
	if u.RawQuery != "" {
		if q, err = url.ParseQuery(u.RawQuery); err != nil {
			return invalidArgument(fmt.Errorf("Do: the query of %q does not parse: %w", truncateForError(path), err))
		}
	}
	res, err := c.do(ctx, call{method: strings.ToUpper(method), path: p, query: q, body: body, out: out, opts: opts})
	if err != nil {
		return err
	}
	return checkedOut(out, res)
}

// checkedOut runs the checks a service method runs on what it decodes
// (see checked) on Do's out: a resource of the SDK's, or each of a slice of
// them, so that Do into a *lambda.Instance refuses an instance without an
// ID as Instances.Get does.
func checkedOut(out any, res result) error {
	if out == nil {
		return nil
	}
	if err := checked(out, res); err != nil {
		return err
	}
	v := reflect.ValueOf(out).Elem()
	if v.Kind() != reflect.Slice || !reflect.PointerTo(v.Type().Elem()).Implements(checkerType) {
		return nil
	}
	for i := 0; i < v.Len(); i++ {
		if err := checked(v.Index(i).Addr().Interface(), res); err != nil {
			return err
		}
	}
	return nil
}

var checkerType = reflect.TypeFor[checker]()

// checkOut refuses an out that Do could not decode into: json.Unmarshal
// needs a non-nil pointer, and anything else would drop the answer's data
// in silence (the canonical envelope replaces a non-pointer with a map of
// its own) or fail only after the call was made.
func checkOut(out any) error {
	if out == nil {
		return nil
	}
	if v := reflect.ValueOf(out); v.Kind() != reflect.Pointer || v.IsNil() {
		return &Error{Code: CodeInvalidRequest, Details: &ErrorDetails{Field: "out"},
			Message: fmt.Sprintf("Do: out (argument out) is a %T, which cannot receive the answer: pass a non-nil pointer, or nil to discard the data", out)}
	}
	return nil
}

// doBody turns Do's body into what do sends as JSON: a []byte is taken to
// be JSON already, as a json.RawMessage is (encoding/json would send it as
// a base64 string). It refuses what would go out as something the caller
// did not mean: a reader (encoding/json writes its exported fields, {} for
// most) and a nil pointer (null).
func doBody(body any) (any, error) {
	refuse := func(why string) (any, error) {
		return nil, &Error{Code: CodeInvalidRequest, Details: &ErrorDetails{Field: "body"},
			Message: fmt.Sprintf("Do: body (argument body) is a %T, %s", body, why)}
	}
	switch b := body.(type) {
	case json.RawMessage:
		if len(b) == 0 {
			return refuse("which is empty: pass nil for no body")
		}
	case []byte:
		if len(b) == 0 {
			return refuse("which is empty: pass nil for no body")
		}
		return json.RawMessage(b), nil
	case nil, json.Marshaler:
	case io.Reader:
		return refuse("which a retry could not read again: read it into a json.RawMessage")
	}
	if v := reflect.ValueOf(body); body != nil && v.Kind() == reflect.Pointer && v.IsNil() {
		return refuse("which is nil: pass nil for no body")
	}
	return body, nil
}

// truncateForError keeps a caller's (or an answer's) string short in an
// error message, cut on a character boundary.
func truncateForError(s string) string { return truncateTo(s, 100) }

// truncateTo cuts s to at most n bytes and an ellipsis.
func truncateTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
