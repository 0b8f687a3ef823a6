package lambdatest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"
)

// reply is a response built in memory: it is validated, stored for
// idempotent replay and only then written.
type reply struct {
	status  int
	header  http.Header
	body    []byte
	written bool // the handler already wrote to the connection (WebSocket)
}

// apiError is the error every handler returns; it becomes the error envelope.
type apiError struct {
	status     int
	code       string
	message    string
	field      string
	value      any
	allowed    []string
	retryAfter int
	permission string // on a 403: the permission the credential lacks
}

func (e *apiError) Error() string { return e.code + ": " + e.message }

// codeForStatus maps an HTTP status to the error code the contract (openapi.yaml) gives it.
func codeForStatus(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid_request"
	case http.StatusUnauthorized:
		return "authentication_failed"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusTooManyRequests:
		return "rate_limit_exceeded"
	case http.StatusServiceUnavailable:
		return "service_unavailable"
	}
	if status >= 500 {
		return "server_error"
	}
	return "invalid_request"
}

func errorf(status int, format string, args ...any) *apiError {
	return &apiError{status: status, code: codeForStatus(status), message: fmt.Sprintf(format, args...)}
}

// fieldError is a 400 invalid_request about one field of the request.
func fieldError(field string, value any, format string, args ...any) *apiError {
	e := errorf(http.StatusBadRequest, format, args...)
	e.field, e.value = field, value
	return e
}

func notFound(kind, id string) *apiError {
	return errorf(http.StatusNotFound, "%s %q not found", kind, id)
}

func conflict(format string, args ...any) *apiError {
	return errorf(http.StatusConflict, format, args...)
}

type wireMetadata struct {
	RequestID string `json:"request_id"`
	Timestamp string `json:"timestamp,omitempty"`
}

type wirePagination struct {
	Page       int  `json:"page"`
	Limit      int  `json:"limit"`
	TotalItems int  `json:"total_items"`
	TotalPages int  `json:"total_pages"`
	HasNext    bool `json:"has_next"`
	HasPrev    bool `json:"has_prev"`
}

type wireEnvelope struct {
	Success    bool            `json:"success"`
	Data       any             `json:"data"`
	Metadata   wireMetadata    `json:"metadata"`
	Pagination *wirePagination `json:"pagination,omitempty"`
}

type wireErrorDetails struct {
	Field         string   `json:"field,omitempty"`
	Value         any      `json:"value,omitempty"`
	AllowedValues []string `json:"allowed_values,omitempty"`
}

type wireErrorBody struct {
	Code       string            `json:"code"`
	Message    string            `json:"message"`
	Details    *wireErrorDetails `json:"details,omitempty"`
	RetryAfter *int              `json:"retry_after,omitempty"`
	// RequiredPermission names, on a 403, the permission the credential lacks.
	RequiredPermission string `json:"required_permission,omitempty"`
}

type wireErrorEnvelope struct {
	Success  bool          `json:"success"`
	Error    wireErrorBody `json:"error"`
	Metadata wireMetadata  `json:"metadata"`
}

type wireStatusShape struct {
	Status string `json:"status"`
	Data   any    `json:"data"`
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		// Only our own wire structs are marshalled; failing here is a bug.
		panic("lambdatest: marshal response: " + err.Error())
	}
	return b
}

func jsonReply(status int, v any) reply {
	return reply{status: status, header: http.Header{"Content-Type": {"application/json"}}, body: mustJSON(v)}
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// envelope answers the canonical {"success": true, "data": …} shape.
func (c *call) envelope(status int, data any) reply {
	return jsonReply(status, wireEnvelope{Success: true, Data: data,
		Metadata: wireMetadata{RequestID: c.reqID, Timestamp: stamp(c.now)}})
}

func (c *call) ok(data any) reply      { return c.envelope(http.StatusOK, data) }
func (c *call) created(data any) reply { return c.envelope(http.StatusCreated, data) }

// list answers one page of a canonical list with its pagination object.
func (c *call) list(data any, p wirePagination) reply {
	r := jsonReply(http.StatusOK, wireEnvelope{Success: true, Data: data,
		Metadata: wireMetadata{RequestID: c.reqID, Timestamp: stamp(c.now)}, Pagination: &p})
	return r
}

// listAsDocumented answers a list on one of the routes of the resources and
// functions documentation (GET /functions, GET /billing/invoices): a bare
// JSON array under WithSeedShapes, the canonical list otherwise.
func (c *call) listAsDocumented(data any, p wirePagination) reply {
	if c.s.cfg.asDocumented {
		return c.bare(http.StatusOK, data)
	}
	return c.list(data, p)
}

// createdAsDocumented answers the creation on one of the routes of the
// resources and functions documentation (POST /functions): a bare JSON
// object under WithSeedShapes, the canonical envelope otherwise.
func (c *call) createdAsDocumented(data any) reply {
	if c.s.cfg.asDocumented {
		return c.bare(http.StatusCreated, data)
	}
	return c.created(data)
}

// bare answers a JSON value with no envelope (the older /usage and
// /resources routes).
func (c *call) bare(status int, v any) reply { return jsonReply(status, v) }

// statusShape answers {"status": "success", "data": …} (/workloads, /deployments).
func (c *call) statusShape(status int, data any) reply {
	return jsonReply(status, wireStatusShape{Status: "success", Data: data})
}

func noContent() reply { return reply{status: http.StatusNoContent, header: http.Header{}} }

// errorReply renders e as the error envelope, stamped at now: the API documentation's
// error envelope carries metadata.timestamp as its success envelope does.
func errorReply(reqID string, now time.Time, e *apiError) reply {
	body := wireErrorBody{Code: e.code, Message: e.message, RequiredPermission: e.permission}
	if e.field != "" || e.value != nil || len(e.allowed) > 0 {
		body.Details = &wireErrorDetails{Field: e.field, Value: e.value, AllowedValues: e.allowed}
	}
	r := jsonReply(e.status, wireErrorEnvelope{Error: body, Metadata: wireMetadata{RequestID: reqID, Timestamp: stamp(now)}})
	if e.status == http.StatusTooManyRequests {
		ra := max(e.retryAfter, 1)
		body.RetryAfter = &ra
		r = jsonReply(e.status, wireErrorEnvelope{Error: body, Metadata: wireMetadata{RequestID: reqID, Timestamp: stamp(now)}})
		r.header.Set("Retry-After", fmt.Sprint(ra))
	}
	return r
}
