package lambda

import (
	"context"
	"fmt"
	"net/url"
	"strings"
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
// sent as GET). body, when not nil, is sent as JSON (a json.RawMessage
// goes as it is). out, when not nil, receives the answer's data, which must
// be present: a pointer to a struct, a slice for a list (the items of one
// page), or *json.RawMessage to keep it raw. The options are those of every
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
	var q url.Values
	if u.RawQuery != "" {
		if q, err = url.ParseQuery(u.RawQuery); err != nil {
			return invalidArgument(fmt.Errorf("Do: the query of %q does not parse: %w", truncateForError(path), err))
		}
	}
	_, err = c.do(ctx, call{method: strings.ToUpper(method), path: p, query: q, body: body, out: out, opts: opts})
	return err
}

// truncateForError keeps a caller's string short in an error message.
func truncateForError(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
