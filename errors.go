package lambda

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/lambda/lambda-go/internal/answer"
	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/envelope"
	"github.com/lambda/lambda-go/internal/retry"
)

// Error is every error the Lambda API returns, and every answer the client
// could not understand. Match its kind with errors.Is and the sentinels
// below; read its fields with errors.As.
type Error struct {
	// HTTPStatus is the response's status; 0 when the client refused the
	// call before sending it (an empty ID, say).
	HTTPStatus int
	// Code is the API's error code, e.g. "not_found" (see the Code constants).
	Code string
	// Message is the API's human-readable explanation.
	Message string
	// Details points at the request field that was refused, when known.
	Details *ErrorDetails
	// RequestID identifies the request for Lambda's support.
	RequestID string
	// RetryAfter is how long to wait before trying again: what the API
	// asked for (on 429 and some 503s), or, on a 429 that did not say, the
	// client's own backoff, so that a rate-limit error always carries a
	// wait. Zero on any other error that did not say.
	RetryAfter time.Duration
	// Body is a short excerpt of a response the client could not read as
	// the API's JSON: an error without the API's error envelope, or a
	// success that is not JSON at all (a proxy's or a captive portal's
	// HTML page, say).
	Body string
	// Permission is, on a 403 forbidden, the permission the credential
	// lacks (e.g. "instances:write"), when the API names it.
	Permission string

	cause error
}

// ErrorDetails says which field of a request was refused and why.
type ErrorDetails struct {
	Field         string
	Value         any
	AllowedValues []string
}

// Error codes of the API, and of answers the client could not understand.
const (
	CodeInvalidRequest     = "invalid_request"
	CodeAuthFailed         = "authentication_failed"
	CodeForbidden          = "forbidden"
	CodeNotFound           = "not_found"
	CodeConflict           = "conflict"
	CodeRateLimitExceeded  = "rate_limit_exceeded"
	CodeServerError        = "server_error"
	CodeServiceUnavailable = "service_unavailable"
	CodeInvalidResponse    = "invalid_response"
)

// Sentinels matched by errors.Is on an *Error, by its code or, for codes
// the client does not know, by its HTTP status.
//
// ErrInvalidRequest is also the one sentinel of every argument the client
// refuses before sending anything: a bad option of NewClient, a bad
// RequestOption (WithHeader(""), WithIdempotencyKey("")), a nil request
// where a method needs one, an empty ID, a filter that does not encode.
// Such an error is an *Error with HTTPStatus 0, Code CodeInvalidRequest and,
// when one argument is at fault, its name in Details.Field.
var (
	ErrInvalidRequest = errors.New("lambda: invalid request")
	ErrUnauthorized   = errors.New("lambda: authentication failed")
	ErrForbidden      = errors.New("lambda: forbidden")
	ErrNotFound       = errors.New("lambda: not found")
	ErrConflict       = errors.New("lambda: conflict")
	ErrRateLimited    = errors.New("lambda: rate limit exceeded")
	ErrServer         = errors.New("lambda: server error")
	// ErrUnavailable is matched by a 503, and by a call that got no answer
	// from the API after all its retries (connection refused, reset or cut,
	// TLS failure, timeout): that error also unwraps to the network error.
	ErrUnavailable = errors.New("lambda: service unavailable")
	// ErrInvalidResponse is matched by an answer the client cannot trust: a
	// body that does not decode, a success without the resource asked for,
	// a list whose server repeats or ignores its paging.
	ErrInvalidResponse = errors.New("lambda: invalid response")
)

var codeSentinels = map[string]error{
	CodeInvalidRequest:     ErrInvalidRequest,
	CodeAuthFailed:         ErrUnauthorized,
	CodeForbidden:          ErrForbidden,
	CodeNotFound:           ErrNotFound,
	CodeConflict:           ErrConflict,
	CodeRateLimitExceeded:  ErrRateLimited,
	CodeServerError:        ErrServer,
	CodeServiceUnavailable: ErrUnavailable,
	CodeInvalidResponse:    ErrInvalidResponse,
}

func statusSentinel(status int) error {
	switch {
	case status == http.StatusBadRequest, status == http.StatusUnprocessableEntity:
		return ErrInvalidRequest
	case status == http.StatusUnauthorized:
		return ErrUnauthorized
	case status == http.StatusForbidden:
		return ErrForbidden
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusConflict:
		return ErrConflict
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status == http.StatusServiceUnavailable:
		return ErrUnavailable
	case status >= 500:
		return ErrServer
	}
	return nil
}

// Is matches the sentinel of the error's code, or of its HTTP status.
func (e *Error) Is(target error) bool {
	if s, ok := codeSentinels[e.Code]; ok {
		return s == target
	}
	return target != nil && statusSentinel(e.HTTPStatus) == target
}

// Unwrap returns the underlying cause of an invalid response or a refused
// argument, if any.
func (e *Error) Unwrap() error { return e.cause }

// Error formats the error on one line, with the request ID for support.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("lambda: ")
	if e.HTTPStatus != 0 {
		fmt.Fprintf(&b, "%d ", e.HTTPStatus)
	}
	b.WriteString(e.Code)
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Details != nil && e.Details.Field != "" {
		fmt.Fprintf(&b, " (field %s", e.Details.Field)
		if len(e.Details.AllowedValues) > 0 {
			fmt.Fprintf(&b, "; allowed: %s", strings.Join(e.Details.AllowedValues, ", "))
		}
		b.WriteByte(')')
	}
	if e.Permission != "" {
		fmt.Fprintf(&b, " (missing permission %s)", e.Permission)
	}
	if e.RetryAfter > 0 {
		fmt.Fprintf(&b, " (retry after %v)", e.RetryAfter)
	}
	if e.Body != "" {
		fmt.Fprintf(&b, ": %q", e.Body)
	}
	var renewal *auth.Error
	if errors.As(e.cause, &renewal) {
		fmt.Fprintf(&b, " (renewing the token failed: %s)", strings.TrimPrefix(renewal.Error(), "lambda: "))
	}
	if e.RequestID != "" {
		fmt.Fprintf(&b, " [request %s]", e.RequestID)
	}
	return b.String()
}

// invalidField is the error of an argument refused before sending: field
// names it (a JSON field, "id", or the option).
func invalidField(field, message string) error {
	return &Error{Code: CodeInvalidRequest, Message: message, Details: &ErrorDetails{Field: field}}
}

// nilRequest refuses a nil request pointer: a method that sends a body has
// nothing to send without one, and the API would answer 400 anyway.
func nilRequest(method, typ string) error {
	return &Error{Code: CodeInvalidRequest, Message: method + ": the request is nil; pass a *" + typ}
}

// invalidArgument turns an error raised before sending (by an option, say)
// into the *Error every refused argument is, so that each matches
// ErrInvalidRequest, whoever wrote the check.
func invalidArgument(err error) error {
	var e *Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	return &Error{Code: CodeInvalidRequest, Message: strings.TrimPrefix(err.Error(), "lambda: "), cause: err}
}

// newError builds an *Error from an error envelope.
func newError(status int, body envelope.ErrorBody, requestID string, retryAfter time.Duration) *Error {
	e := &Error{HTTPStatus: status, Code: body.Code, Message: body.Message, RequestID: requestID, RetryAfter: retryAfter,
		Permission: body.RequiredPermission}
	if d := body.Details; d != nil {
		e.Details = &ErrorDetails{Field: d.Field, Value: d.Value, AllowedValues: d.AllowedValues}
	}
	if e.RetryAfter == 0 && body.RetryAfter != nil {
		e.RetryAfter, _ = envelope.Seconds(*body.RetryAfter)
	}
	if e.Code == "" {
		e.Code = codeForStatus(status)
	}
	return e
}

// excerptBytes bounds the part of a non-JSON error body kept in an Error.
const excerptBytes = 200

// newErrorFromResponse builds an *Error from an error response, JSON or not,
// and returns what the body said about itself (metadata), if anything.
// A non-JSON body is redacted (red may be nil) before it is cut to its
// excerpt, which could keep half a secret; JSON is redacted once decoded,
// when every escape in its strings is undone.
func newErrorFromResponse(resp *http.Response, a *answer.Answer, body []byte, retryAfter time.Duration, red *redactor) (*Error, envelope.Meta) {
	requestID := a.RequestID
	if retryAfter == 0 && resp.StatusCode == http.StatusTooManyRequests {
		retryAfter, _ = retry.RateLimitWait(a, body, time.Now())
	}
	eb, meta, ok := envelope.DecodeError(body)
	if meta.RequestID != "" {
		requestID = meta.RequestID
	}
	meta.RequestID = requestID
	if !ok {
		e := &Error{HTTPStatus: resp.StatusCode, Code: codeForStatus(resp.StatusCode), RequestID: requestID, RetryAfter: retryAfter}
		e.Message = http.StatusText(resp.StatusCode)
		e.Body = excerpt(body, red)
		return e, meta
	}
	return newError(resp.StatusCode, eb, requestID, retryAfter), meta
}

// excerpt is what an error shows of a text that is not JSON: redacted
// first (red may be nil), then cut, since a cut can keep the start of a
// secret that redaction would no longer recognise.
func excerpt(text []byte, red *redactor) string {
	return envelope.Excerpt([]byte(red.String(string(text))), excerptBytes)
}

// invalidResponse reports a response the client could not understand;
// requestID is the one its body or headers gave.
func invalidResponse(resp *http.Response, requestID string, cause error) *Error {
	e := &Error{Code: CodeInvalidResponse, RequestID: requestID, cause: cause}
	if resp != nil {
		e.HTTPStatus = resp.StatusCode
	}
	switch {
	case errors.Is(cause, envelope.ErrEmpty):
		e.Message = "the response has no body"
	case errors.Is(cause, envelope.ErrNoData), errors.Is(cause, envelope.ErrErrorInSuccess):
		e.Message = cause.Error()
	default:
		// Bounded: encoding/json quotes a number that does not fit whole,
		// and the answer chose how long that is.
		e.Message = "cannot decode the response: " + truncateTo(cause.Error(), 300)
	}
	return e
}

func codeForStatus(status int) string {
	for code, s := range codeSentinels {
		if s == statusSentinel(status) && code != CodeInvalidResponse {
			return code
		}
	}
	return fmt.Sprintf("http_%d", status)
}
