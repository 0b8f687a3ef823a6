package lambdatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	lambda "github.com/lambda/lambda-go"
)

// ErrNoRoute is matched by errors.Is when no operation of the contract
// matches the method and path of a request (the simulator answers 404 then).
var ErrNoRoute = errors.New("no operation of the API matches the method and path")

// streamOperationID names the WebSocket upgrade, whose handshake has no body
// to check.
const streamOperationID = "streamInstanceMetrics"

// Contract checks HTTP requests and responses against the API's OpenAPI
// description (the embedded openapi.yaml of package lambda).
// It is safe for concurrent use.
type Contract struct {
	doc    *openapi3.T
	router routers.Router
	ops    []Operation
}

var loadContract = sync.OnceValues(func() (*Contract, error) { return parseContract(nil) })

// parseContract parses the embedded openapi.yaml, lets edit change the
// document (nil: none), and builds its router.
func parseContract(edit func(*openapi3.T)) (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(lambda.OpenAPISpec())
	if err != nil {
		return nil, fmt.Errorf("lambdatest: parse openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("lambdatest: invalid openapi.yaml: %w", err)
	}
	if edit != nil {
		edit(doc)
	}
	// The router matches paths only: the host of a loopback simulator is
	// unknown in advance, and the version prefix is stripped before matching
	// (see routePath), so the router's copy of the document has no servers.
	routed := *doc
	routed.Servers = nil
	router, err := legacy.NewRouter(&routed)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: route openapi.yaml: %w", err)
	}
	ops, err := operationsOf(doc)
	if err != nil {
		return nil, fmt.Errorf("lambdatest: openapi.yaml: %w", err)
	}
	return &Contract{doc: doc, router: router, ops: ops}, nil
}

// LoadContract parses and validates the embedded openapi.yaml
// (lambda.OpenAPISpec()). The result is parsed once and shared: it is safe to
// call concurrently and cheap to call again.
func LoadContract() (*Contract, error) { return loadContract() }

// ContractError says which part of a message broke the contract.
type ContractError struct {
	// Field is the request-body field (dotted path, e.g. "instance_type" or
	// "ssh_keys.0"; for responses the path from the top of the body, e.g.
	// "data.instance_type"), the query/path parameter or the header name at
	// fault; "" when not attributable.
	Field string
	// Value is the offending value when known (never for headers).
	Value any
	// Allowed lists the enum's allowed values when the fault is an enum.
	Allowed []string
	// Message is short and human readable; it never contains header values.
	Message string
	// Route is the matched operation, "POST /instances" style; "" if none.
	Route string

	err error // ErrNoRoute when no operation matched
}

// Error describes the fault without the offending value, which may be a
// secret (a webhook secret in a body, say).
func (e *ContractError) Error() string {
	var b strings.Builder
	b.WriteString("contract: ")
	if e.Route != "" {
		b.WriteString(e.Route)
		b.WriteString(": ")
	}
	if e.Field != "" {
		fmt.Fprintf(&b, "%q: ", e.Field)
	}
	b.WriteString(e.Message)
	if len(e.Allowed) > 0 {
		fmt.Fprintf(&b, " (allowed: %s)", strings.Join(e.Allowed, ", "))
	}
	return b.String()
}

// Unwrap returns ErrNoRoute when no operation matched, else nil.
func (e *ContractError) Unwrap() error { return e.err }

// ValidateRequest checks one request. Its path may be on any host and must
// start with /v1 or /v2 (loopback simulators serve both). body is the raw
// request body (may be nil); r.Body is not read. It returns nil or a
// *ContractError; errors.Is(err, ErrNoRoute) reports an unknown operation.
func (c *Contract) ValidateRequest(r *http.Request, body []byte) error {
	route, params, req, cerr := c.find(r, body)
	if cerr != nil {
		return cerr
	}
	name := contractRouteName(route)
	if cerr := unknownQueryParam(route, req); cerr != nil {
		cerr.Route = name
		return cerr
	}
	// kin-openapi's RejectWhenRequestBodyNotSpecified also rejects bodies
	// that are specified (v0.135.0), so the check is done here.
	if route.Operation.RequestBody == nil && len(body) > 0 {
		return &ContractError{Route: name, Message: "this operation takes no request body"}
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    c.options(route),
	}
	if err := openapi3filter.ValidateRequest(req.Context(), input); err != nil {
		return contractErrorOf(err, name)
	}
	return nil
}

// ValidateResponse checks the response (status, headers and raw body) that
// the server gave to r. Statuses the operation does not document fail.
func (c *Contract) ValidateResponse(r *http.Request, status int, header http.Header, body []byte) error {
	route, params, req, cerr := c.find(r, nil)
	if cerr != nil {
		return cerr
	}
	name := contractRouteName(route)
	if status == http.StatusNoContent && len(body) > 0 {
		return &ContractError{Route: name, Message: "a 204 response must have no body"}
	}
	if header == nil {
		header = http.Header{}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      route,
			Options:    c.options(route),
		},
		Status:  status,
		Header:  header,
		Body:    io.NopCloser(bytes.NewReader(body)),
		Options: c.options(route),
	}
	if err := openapi3filter.ValidateResponse(req.Context(), input); err != nil {
		cerr := contractErrorOf(err, name)
		if cerr.Message == msgUndocumentedStatus {
			cerr.Message = fmt.Sprintf("response status %d is not documented for this operation", status)
		}
		return cerr
	}
	if id := bodyRequestID(body); id != "" && id != header.Get("X-Request-Id") {
		return &ContractError{Route: name, Field: "X-Request-Id",
			Message: "header differs from metadata.request_id of the body"}
	}
	return nil
}

// bodyRequestID returns metadata.request_id of a JSON object body, or "".
func bodyRequestID(body []byte) string {
	var v struct {
		Metadata struct {
			RequestID string `json:"request_id"`
		} `json:"metadata"`
	}
	if json.Unmarshal(body, &v) != nil {
		return ""
	}
	return v.Metadata.RequestID
}

// options are fresh per call: kin-openapi may keep state in them.
func (c *Contract) options(route *routers.Route) *openapi3filter.Options {
	return &openapi3filter.Options{
		AuthenticationFunc:    openapi3filter.NoopAuthenticationFunc,
		IncludeResponseStatus: true,
		SkipSettingDefaults:   true,
		ExcludeRequestBody:    route.Operation.OperationID == streamOperationID,
	}
}

// find matches r to an operation and returns a copy of r whose path lost its
// version prefix and whose body is body.
func (c *Contract) find(r *http.Request, body []byte) (*routers.Route, map[string]string, *http.Request, *ContractError) {
	noRoute := func(msg string) *ContractError {
		return &ContractError{Message: msg, err: ErrNoRoute}
	}
	if r == nil || r.URL == nil {
		return nil, nil, nil, noRoute("no request")
	}
	// The router splits on "/": give it the escaped path, so that an ID
	// holding an escaped "/" stays one segment, as the platform sees it.
	path, ok := contractPath(canonicalPath(r.URL.EscapedPath()))
	if !ok {
		return nil, nil, nil, noRoute(fmt.Sprintf("path %q is not under /v1 or /v2", truncate(r.URL.EscapedPath())))
	}
	req := r.Clone(r.Context())
	u := *r.URL
	u.Path, u.RawPath = path, ""
	req.URL = &u
	req.Body = io.NopCloser(bytes.NewReader(body))
	req.ContentLength = int64(len(body))
	req.GetBody = nil
	route, params, err := c.router.FindRoute(req)
	if err != nil || route == nil {
		return nil, nil, nil, noRoute(fmt.Sprintf("no operation %s %s", r.Method, truncate(path)))
	}
	return route, params, req, nil
}

// contractPath strips the /v1 or /v2 prefix of an API path.
func contractPath(p string) (string, bool) {
	rest, ok := unversioned(p)
	// Empty segments and a trailing slash are different paths, which the
	// path-pattern router would otherwise forgive.
	if ok && !strings.HasSuffix(rest, "/") && !strings.Contains(rest, "//") {
		return rest, true
	}
	return "", false
}

// contractRouteName names an operation "POST /instances" style.
func contractRouteName(route *routers.Route) string { return route.Method + " " + route.Path }

// unknownQueryParam reports a query parameter the operation does not declare:
// kin-openapi ignores those, but a misspelled SDK tag (per_page) must fail.
func unknownQueryParam(route *routers.Route, req *http.Request) *ContractError {
	known := map[string]bool{}
	for _, ps := range []openapi3.Parameters{route.PathItem.Parameters, route.Operation.Parameters} {
		for _, p := range ps {
			if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
				known[p.Value.Name] = true
			}
		}
	}
	q := req.URL.Query()
	names := make([]string, 0, len(q))
	for name := range q {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if !known[name] {
			return &ContractError{Field: name, Value: q.Get(name), Message: "unknown query parameter"}
		}
	}
	return nil
}

const msgUndocumentedStatus = "response status not documented for this operation"

var (
	unsupportedProp = regexp.MustCompile(`^property "(.*)" is unsupported$`)
	headerReason    = regexp.MustCompile(`header "?([A-Za-z0-9-]+)"?`)
)

// contractErrorOf turns kin-openapi's error tree into a ContractError naming the
// field at fault. Messages are built from kin-openapi's reasons, which never
// carry values, rather than its Error strings, which dump schema and value.
func contractErrorOf(err error, route string) *ContractError {
	ce := &ContractError{Route: route, Message: "does not match the contract"}
	var me openapi3.MultiError
	if errors.As(err, &me) && len(me) > 0 {
		err = me[0]
	}
	var reqErr *openapi3filter.RequestError
	var respErr *openapi3filter.ResponseError
	switch {
	case errors.As(err, &reqErr):
		switch {
		case reqErr.Parameter != nil:
			p := reqErr.Parameter
			ce.Field = p.Name
			ce.Message = fmt.Sprintf("invalid %s parameter", p.In)
			if errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired) {
				ce.Message = fmt.Sprintf("missing required %s parameter", p.In)
			}
			fillSchema(ce, reqErr.Err, false)
			if p.In == openapi3.ParameterInHeader {
				ce.Value = nil // credentials travel in headers
			}
			return ce
		case reqErr.RequestBody != nil:
			ce.Message = "invalid request body"
			switch {
			case errors.Is(reqErr.Err, openapi3filter.ErrInvalidRequired):
				ce.Message = "request body is required"
			case strings.Contains(reqErr.Reason, "Content-Type"):
				ce.Field = "Content-Type"
				ce.Message = "request body must be application/json"
			default:
				fillSchema(ce, reqErr.Err, true)
			}
			return ce
		default:
			ce.Message = "invalid request"
			fillSchema(ce, reqErr.Err, true)
			return ce
		}
	case errors.As(err, &respErr):
		ce.Message = "invalid response"
		switch {
		case respErr.Reason == "status is not supported":
			ce.Message = msgUndocumentedStatus
		case strings.Contains(respErr.Reason, "header"):
			if m := headerReason.FindStringSubmatch(respErr.Reason); m != nil {
				ce.Field = m[1]
			}
			ce.Message = "invalid response header"
			if strings.HasSuffix(respErr.Reason, "missing") {
				ce.Message = "missing required response header"
			}
			fillSchema(ce, respErr.Err, false)
			ce.Value = nil
		case strings.Contains(respErr.Reason, "decode"):
			ce.Message = "response body is not valid JSON"
		default:
			fillSchema(ce, respErr.Err, true)
		}
		return ce
	}
	fillSchema(ce, err, true)
	return ce
}

// fillSchema copies the deepest schema error's location, value, enum and
// reason into ce. path says whether the error's JSON pointer names the field.
func fillSchema(ce *ContractError, err error, path bool) {
	se := deepestSchemaError(err)
	if se == nil {
		var pe *openapi3filter.ParseError
		if errors.As(err, &pe) {
			ce.Value = pe.Value
			ce.Message += ": cannot be parsed"
		}
		return
	}
	if path {
		ptr := se.JSONPointer()
		if m := unsupportedProp.FindStringSubmatch(se.Reason); m != nil {
			ptr = append(ptr, m[1])
		}
		if len(ptr) > 0 {
			ce.Field = strings.Join(ptr, ".")
		}
	} else if ptr := se.JSONPointer(); len(ptr) > 0 && ce.Field != "" {
		// A parameter that is an array or object: name the element.
		ce.Field += "." + strings.Join(ptr, ".")
	}
	if se.Reason != "" {
		ce.Message = se.Reason
	} else if se.SchemaField != "" {
		ce.Message = fmt.Sprintf("does not match schema %q", se.SchemaField)
	}
	if m := unsupportedProp.FindStringSubmatch(se.Reason); m != nil {
		ce.Message = "unknown field"
		return // the value is the whole object: not useful
	}
	ce.Value = se.Value
	if se.SchemaField == "enum" && se.Schema != nil {
		ce.Message = "value is not one of the allowed values"
		for _, v := range se.Schema.Enum {
			ce.Allowed = append(ce.Allowed, fmt.Sprint(v))
		}
	}
	switch se.SchemaField {
	case "required":
		ce.Message = "required field is missing"
		ce.Value = nil // the value is the enclosing object
	case "format":
		if se.Schema != nil {
			ce.Message = fmt.Sprintf("not a valid %s", se.Schema.Format)
		}
	}
}

// deepestSchemaError finds the schema error with the longest JSON pointer in
// err's tree: for oneOf/anyOf and nested schemas the innermost error names the
// field, while the outer one names only the enclosing object.
func deepestSchemaError(err error) *openapi3.SchemaError {
	var best *openapi3.SchemaError
	var walk func(error, int)
	walk = func(e error, depth int) {
		if e == nil || depth > 32 {
			return
		}
		switch v := e.(type) {
		case *openapi3.SchemaError:
			if best == nil || len(v.JSONPointer()) > len(best.JSONPointer()) {
				best = v
			}
			walk(v.Origin, depth+1)
			return
		case openapi3.MultiError:
			for _, x := range v {
				walk(x, depth+1)
			}
			return
		case interface{ Unwrap() []error }:
			for _, x := range v.Unwrap() {
				walk(x, depth+1)
			}
			return
		}
		walk(errors.Unwrap(e), depth+1)
	}
	walk(err, 0)
	return best
}

// truncate bounds a path quoted in an error message (also used by the
// simulator's 404 answer).
func truncate(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
