package lambdatest

import (
	"bytes"
	"encoding/json"
	"mime"
	"net/http"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// The platform is more forgiving than the contract, and code written from
// the API documents relies on it: the API documentation advises an Idempotency-Key only
// "for requests that create resources" and its curl examples for POST
// /v1/instances and POST /v1/webhooks send none; its idempotency example
// sends a JSON body without Content-Type (curl then says
// application/x-www-form-urlencoded); no API document bounds limit or names the
// query parameters a route ignores. So unless WithStrictRequests is given,
// a request is checked against a forgiving reading of the contract:
//
//   - a POST without Idempotency-Key (or with an empty one) is carried
//     out, and is not protected against replays, as on the platform;
//   - a body that is valid JSON is read as JSON whatever its Content-Type;
//   - query parameters are the handlers' business: unknown ones are
//     ignored, limit has no upper bound (a cap would answer fewer items
//     than asked, and the bare-array routes end their paging on a short
//     page), sort takes any field of the listed objects, and a filter
//     value that no object has (status=bogus) matches nothing;
//   - unknown body fields are ignored, as JSON APIs do and as the API documents'
//     SDK examples need (they send fields the API documents do not list for every
//     route): a field the platform does not know cannot change what it
//     does. Required fields, their types and their values are still checked,
//     so a misspelled required field is still a 400 naming it. An operation
//     that takes no body knows no field, so a JSON body sent with it ({},
//     as HTTP libraries send with a bodiless POST) is ignored; a body that
//     is not JSON is still the original API documentation's 400.

// loadPlatformContract is the contract as the platform applies it: request
// bodies may carry unknown fields, and an Idempotency-Key is optional.
var loadPlatformContract = sync.OnceValues(func() (*Contract, error) {
	return parseContract(func(doc *openapi3.T) {
		for name, ref := range doc.Components.Schemas {
			if strings.HasSuffix(name, "Request") && ref.Value != nil {
				ref.Value.AdditionalProperties = openapi3.AdditionalProperties{}
			}
		}
		if p := doc.Components.Parameters["IdempotencyKey"]; p != nil && p.Value != nil {
			p.Value.Required = false
		}
	})
})

// checkRequest checks the request of c against the contract: strictly
// under WithStrictRequests, else as the platform would.
func (s *Server) checkRequest(c *call) error {
	if s.cfg.strict {
		return s.contract.ValidateRequest(c.r, c.body)
	}
	body := c.body
	if !c.route.JSONBody && json.Valid(body) {
		body = nil // every field of it is unknown to the operation, hence ignored
	}
	if c.route.JSONBody && len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		// Read as JSON whatever its label, the body is what is at fault:
		// the original API documentation's 400, not a Content-Type to change.
		return &ContractError{Route: c.route.Method + " " + c.route.Path,
			Message: "Invalid JSON in request body: malformed, non-JSON or incomplete payload"}
	}
	return s.platform.ValidateRequest(platformView(c.r, body), body)
}

// platformView is r as the forgiving check sees it: without its query
// (the handlers read the parameters they know), with a JSON body labelled
// as JSON, and without an empty Idempotency-Key.
func platformView(r *http.Request, body []byte) *http.Request {
	v := r.Clone(r.Context())
	u := *r.URL
	u.RawQuery = ""
	v.URL = &u
	if len(body) > 0 && !isJSON(r.Header.Get("Content-Type")) && json.Valid(body) {
		v.Header.Set("Content-Type", "application/json")
	}
	if strings.TrimSpace(r.Header.Get("Idempotency-Key")) == "" {
		v.Header.Del("Idempotency-Key") // an empty key is no key, as handle reads it
	}
	return v
}

// isJSON reports whether a Content-Type names JSON.
func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}
