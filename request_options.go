package lambda

import (
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/idempotency"
)

// RequestOption changes one call: pass it to any service method. It is the
// same type as Option, so that the options that make sense for both (such as
// WithMaxRetries, WithAttemptTimeout and WithHeader) are given the same way
// to NewClient and to a call, where the call's value wins. An option given a
// bad argument, an option that only sets up the client (WithBaseURL) given to
// a call, or one that only concerns a call (WithIdempotencyKey) given to
// NewClient, fails before anything is sent with an error matching
// ErrInvalidRequest: no option is ever silently ignored or corrected.
type RequestOption = Option

// requestConfig is what the options given to one call set.
type requestConfig struct {
	idempotencyKey string
	header         http.Header
	info           *ResponseInfo
	maxRetries     int // < 0: the client's
	attemptTimeout time.Duration
	timeoutSet     bool // attemptTimeout was given, 0 (off) included
	expand         []string
}

// perCallOnly is the error of an option of one call given to NewClient.
func perCallOnly(name string) error {
	return fmt.Errorf("lambda: %s concerns one call: give it to the method, not to NewClient", name)
}

// WithExpand asks Resources.Get to embed the nested objects it names (the
// route's expand query parameter): "function" fills Resource.Function of a
// function-type resource. Names add up over several WithExpand. Any other
// call, having no expand, refuses it with ErrInvalidRequest, as does
// NewClient.
func WithExpand(names ...string) RequestOption {
	return func(c *config) error {
		rc := c.call
		if rc == nil {
			return perCallOnly("WithExpand")
		}
		if len(names) == 0 {
			return invalidField("expand", "WithExpand: name at least one nested object, such as \"function\"")
		}
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, ", ") || !utf8.ValidString(n) {
				return invalidField("expand", "WithExpand: each name is one nested object, such as \"function\", not empty, without commas or spaces")
			}
		}
		rc.expand = append(rc.expand, names...)
		return nil
	}
}

// WithIdempotencyKey sends key as the call's Idempotency-Key instead of a
// generated one, so a create repeated by your own code (after a crash, say)
// is recognised by the API. Every retry of the call sends the same key.
// Per-call options apply on every method: given to a call that is not a
// POST, the key is sent too, though only a POST gets one by default, and a
// PATCH is still never retried after a failure that may have applied it.
func WithIdempotencyKey(key string) RequestOption {
	return func(c *config) error {
		rc := c.call
		if rc == nil {
			return perCallOnly("WithIdempotencyKey")
		}
		if strings.TrimSpace(key) == "" || len(key) > 255 || auth.HeaderValueProblem(key) != "" {
			return invalidField("Idempotency-Key", "WithIdempotencyKey: the key must be 1 to 255 characters on one line, without control characters")
		}
		rc.idempotencyKey = key
		return nil
	}
}

// WithHeader adds a header to the call, or, given to NewClient, to every
// call (a call's own value of the same header replaces the client's).
// Credentials cannot be set this way: use the client's options, which keep
// them off other hosts and out of logs. Nor can Idempotency-Key: use
// WithIdempotencyKey, on the call. Nor can the headers the client or
// net/http set themselves: User-Agent (add a suffix with WithUserAgent),
// Content-Type, Accept and Accept-Encoding, Host, Content-Length and
// Transfer-Encoding. A name that is not an HTTP token, or
// a value holding a control character other than tab, fails before anything
// is sent, with an error matching ErrInvalidRequest (as does any refused
// option).
func WithHeader(key, value string) RequestOption {
	return func(c *config) error {
		switch http.CanonicalHeaderKey(key) {
		case "Authorization", "X-Api-Key":
			return invalidField(key, "WithHeader: set "+key+" with WithAPIKey or WithTokenSource")
		case idempotency.Header:
			// The key belongs to one call: on the client it would make every
			// create the same create (the API answers the second with the
			// first one's resource), and an empty one would leave a POST
			// the client retries without any key.
			return invalidField(key, "WithHeader: set "+key+" with WithIdempotencyKey, on the call: the client gives every POST a key of its own")
		case "Host", "Content-Length", "Transfer-Encoding":
			return invalidField(key, "WithHeader: net/http sets "+key+" itself and would ignore this one")
		case "User-Agent":
			return invalidField(key, "WithHeader: the client sends its own User-Agent; add a suffix to it with WithUserAgent")
		case "Content-Type", "Accept":
			return invalidField(key, "WithHeader: the client sends and reads JSON, the only format the API speaks, and says so in "+key)
		case "Accept-Encoding":
			// Setting it turns off net/http's transparent decompression:
			// a compressed answer would then reach the decoder as it came.
			return invalidField(key, "WithHeader: net/http asks for compression and decompresses the answer itself; a value of your own would leave a compressed answer unread")
		case "":
			return invalidField("header", "WithHeader: empty header name")
		}
		if !isToken(key) {
			return invalidField("header", fmt.Sprintf("WithHeader: %q is not a valid header name (letters, digits and !#$%%&'*+-.^_`|~ only)", key))
		}
		if p := auth.HeaderValueProblem(value); p != "" {
			return invalidField(key, fmt.Sprintf("WithHeader: the value of %s %s, which no header can carry", key, p))
		}
		h := &c.header
		if c.call != nil {
			h = &c.call.header
		}
		if *h == nil {
			*h = make(http.Header)
		}
		h.Add(key, value)
		return nil
	}
}

// WithResponseInfo fills *info with what the last response of the call
// said about itself: status, headers, request ID, rate-limit figures and
// the number of attempts. It is filled on errors too; when the last attempt
// got no answer (a connection cut or refused), only Attempts is set.
func WithResponseInfo(info *ResponseInfo) RequestOption {
	return func(c *config) error {
		rc := c.call
		if rc == nil {
			return perCallOnly("WithResponseInfo")
		}
		if info == nil {
			return invalidField("info", "WithResponseInfo: nil destination")
		}
		rc.info = info
		return nil
	}
}

// ResponseInfo describes the response to a call.
type ResponseInfo struct {
	StatusCode int
	Header     http.Header
	RequestID  string
	// ServerTime is the body's metadata.timestamp: when the platform
	// produced the answer, by its clock. It is zero when the answer had no
	// such field (bare and status-shaped answers, non-JSON errors) or it
	// was not an RFC 3339 time.
	ServerTime time.Time
	RateLimit  RateLimit // zero when the response had no X-RateLimit-* headers
	Attempts   int       // how many times the request was sent

	// Deprecated reports that the answer carried a Deprecation header
	// (RFC 9745): the route is deprecated, or will be from Deprecation on.
	// The platform gives 12 months' notice before a route ends; with
	// WithLogger the client also warns once per route.
	Deprecated bool
	// Deprecation is the date of the Deprecation header ("@1688169599"):
	// when the route was or will be deprecated. Zero when the header gave
	// no date, or did not parse.
	Deprecation time.Time
	// Sunset is the date of the Sunset header (RFC 8594, an HTTP date):
	// when the route will stop answering. Zero when there was none.
	Sunset time.Time
	// DeprecationLink is where the API documents the change: the target of
	// a Link header with rel="deprecation" or rel="sunset", when it is an
	// http(s) URL; "" otherwise.
	DeprecationLink string
}
