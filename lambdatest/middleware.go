package lambdatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"math"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// maxBody bounds a request body; the API has no large uploads.
const maxBody = 1 << 20

// call is one request on its way through the pipeline.
type call struct {
	s     *Server
	w     http.ResponseWriter
	r     *http.Request
	body  []byte
	reqID string
	key   string // the API key (or "oauth:<client>") that authenticated the request
	route *route // the operation the method and path name; nil when none does
	id    string // the {id} of the path, if any
	now   time.Time
}

func (c *call) fail(e *apiError) reply { return errorReply(c.reqID, c.now, e) }

// decode unmarshals the body into v. The contract has already checked the
// shape, so this mostly guards against an empty or malformed body.
func (c *call) decode(v any) *apiError {
	if len(c.body) == 0 {
		return fieldError("body", nil, "request body is required")
	}
	body := knownMembers(c.body, v)
	err := json.Unmarshal(body, v)
	if err != nil {
		// The contract's integers are JSON Schema's, numbers without a
		// fraction: 10.0 and 1e1 passed it, but encoding/json refuses them
		// for an int field.
		if b, ok := integralNumbers(body); ok {
			err = json.Unmarshal(b, v)
		}
	}
	if err != nil {
		return fieldError("body", nil, "request body is not valid JSON for this operation")
	}
	return nil
}

// knownMembers keeps, of a JSON object, the members whose names are
// exactly the json names of the fields of the struct v points to. JSON
// names are case-sensitive and the contract takes "Name" for an unknown
// field, which the platform ignores; encoding/json would set name from it.
// Anything else (not an object, not a struct) is returned as it is.
func knownMembers(body []byte, v any) []byte {
	t := reflect.TypeOf(v)
	if t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct {
		return body
	}
	var obj map[string]json.RawMessage
	if json.Unmarshal(body, &obj) != nil || obj == nil {
		return body
	}
	known := map[string]bool{}
	for _, f := range reflect.VisibleFields(t.Elem()) {
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		known[name] = true
	}
	n := len(obj)
	maps.DeleteFunc(obj, func(name string, _ json.RawMessage) bool { return !known[name] })
	if len(obj) == n {
		return body
	}
	out, err := json.Marshal(obj)
	if err != nil {
		return body
	}
	return out
}

// integralNumbers rewrites each number of a JSON document whose value is an
// integer ("10.0", "1e1") as that integer ("10"); ok is false when body is
// not one JSON value.
func integralNumbers(body []byte) ([]byte, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var doc any
	if dec.Decode(&doc) != nil || dec.Decode(new(any)) != io.EOF {
		return nil, false
	}
	var walk func(any) any
	walk = func(v any) any {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				v[k] = walk(x)
			}
		case []any:
			for i, x := range v {
				v[i] = walk(x)
			}
		case json.Number:
			// Beyond 2^53 a float64 has no fraction to lose: leave such a
			// number as sent, for the field's own check to refuse.
			if f, err := v.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
				return json.Number(strconv.FormatInt(int64(f), 10))
			}
		}
		return v
	}
	out, err := json.Marshal(walk(doc))
	return out, err == nil
}

func (c *call) query() url.Values { return c.r.URL.Query() }

// readBody reads at most maxBody+1 bytes of r's body, within the body
// deadline: a client that stops sending its body mid-way (a slowloris)
// gets its 400 rather than holding a goroutine for ever. A body read whole
// lifts the deadline, for a handler that waits (an injected Delay) or
// streams; one cut off keeps it, so that net/http, which drains what is
// left of a body before it answers, gives up at once and closes the
// connection after the 400.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	rc := http.NewResponseController(w)
	timed := rc.SetReadDeadline(time.Now().Add(s.bodyTimeout)) == nil
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if timed && err == nil {
		_ = rc.SetReadDeadline(time.Time{})
	}
	return body, err
}

// serveHTTP is the pipeline every request goes through, in order: request
// log (with the operation the route names), request ID, auth, rate limit,
// permissions, injected faults, 404 for no route, contract validation,
// idempotency, handler, response validation. The token endpoint leaves the
// pipeline after the request ID.
func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if s.cfg.adminToken != "" && strings.HasPrefix(r.URL.Path, AdminPrefix) {
		s.serveAdmin(w, r) // steering, not the API: not logged, limited or faulted
		return
	}
	now := s.Now()
	body, err := s.readBody(w, r)
	rt, id, _ := match(s.table, r.Method, r.URL.EscapedPath())
	token := isTokenPath(r.URL.EscapedPath())
	op := ""
	switch {
	case rt != nil:
		op = rt.ID
	case token && r.Method == s.token.Method:
		op = s.token.ID
	}
	s.log.add(r, body, now, op)
	c := &call{s: s, w: w, r: r, body: body, reqID: newID("req_"), now: now, route: rt, id: id}
	w.Header().Set("X-Request-Id", c.reqID)
	// net/http would stamp its own Date from time.Now; the API's clients
	// measure reset times and Retry-After dates against this one.
	w.Header().Set("Date", now.UTC().Format(http.TimeFormat))

	if token { // the authorization server: its own client authentication, no API key
		s.serveToken(w, c)
		return
	}
	who, msg := s.authenticate(r, now)
	if msg != "" {
		s.limiter.peek(w.Header(), r, now)
		s.finish(w, c, c.fail(errorf(http.StatusUnauthorized, "%s", msg)), true)
		return
	}
	c.key = who.key
	s.st.touchKey(who.key, now)
	if e := s.limiter.take(w.Header(), r, who.key, now); e != nil {
		s.finish(w, c, c.fail(e), true)
		return
	}
	if err != nil || len(body) > maxBody {
		s.finish(w, c, c.fail(fieldError("body", nil, "request body unreadable or larger than %d bytes", maxBody)), true)
		return
	}
	if need, ok := permits(who.perms, r.Method, r.URL.EscapedPath()); !ok {
		e := errorf(http.StatusForbidden, "the credential lacks the %q permission", need)
		e.permission = need
		s.finish(w, c, c.fail(e), true)
		return
	}

	f, hasFault := s.faults.take(r)
	if hasFault && !f.AfterHandling && s.applyFault(w, c, f) {
		return
	}
	c.now = s.Now() // a delayed request happens when it is handled
	w.Header().Set("Date", c.now.UTC().Format(http.TimeFormat))
	rep := s.handle(c)
	if rep.written {
		return
	}
	if hasFault && f.AfterHandling && s.applyFault(w, c, f) {
		return
	}
	s.finish(w, c, rep, true)
}

// handle answers 404 to a request no route matched (serveHTTP matched it
// first, for the request log), checks it against the contract, and runs the
// handler (through the idempotency store for POSTs with a key).
func (s *Server) handle(c *call) reply {
	rt := c.route
	if rt == nil {
		return c.fail(errorf(http.StatusNotFound, "no route for %s %s", c.r.Method, truncate(c.r.URL.Path)))
	}
	if err := s.checkRequest(c); err != nil {
		return c.fail(contractError(err))
	}
	if rt.stream {
		return rt.handle(c)
	}
	if k := c.r.Header.Get("Idempotency-Key"); k != "" && c.r.Method == http.MethodPost {
		return s.idem.do(c, k, rt.handle)
	}
	return rt.handle(c)
}

// contractError turns a contract violation into a 400 (or 404 for an
// operation the contract does not know).
func contractError(err error) *apiError {
	if errors.Is(err, ErrNoRoute) {
		return errorf(http.StatusNotFound, "no such operation")
	}
	var ce *ContractError
	if !errors.As(err, &ce) {
		return errorf(http.StatusBadRequest, "invalid request")
	}
	e := errorf(http.StatusBadRequest, "%s", ce.Message)
	if ce.Field != "" {
		e.message = ce.Field + ": " + ce.Message
	}
	e.field, e.value, e.allowed = ce.Field, ce.Value, ce.Allowed
	return e
}

// finish writes rep, after checking it against the contract when
// WithResponseValidation is on.
func (s *Server) finish(w http.ResponseWriter, c *call, rep reply, validate bool) {
	h := w.Header()
	for k, v := range rep.header {
		h[k] = v
	}
	if validate && s.cfg.validateTB != nil {
		if err := s.contract.ValidateResponse(c.r, rep.status, h, rep.body); err != nil && !errors.Is(err, ErrNoRoute) {
			s.cfg.validateTB.Errorf("lambdatest: response to %s %s (status %d) breaks the contract: %v\nbody: %s",
				c.r.Method, c.r.URL.Path, rep.status, err, truncateBody(rep.body))
		}
	}
	w.WriteHeader(rep.status)
	if len(rep.body) > 0 {
		_, _ = w.Write(rep.body) // the client may be gone; nothing to do about it
	}
	if s.cfg.logger != nil {
		s.cfg.logger.Info("lambdatest", "method", c.r.Method, "path", c.r.URL.Path,
			"status", rep.status, "request_id", h.Get("X-Request-Id"))
	}
}

func truncateBody(b []byte) string {
	const max = 600
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// applyFault plays an injected fault and reports whether the request is
// over (answered, dropped, or abandoned because the wait was cut short).
// A fault with only a Delay lets the request go on afterwards.
func (s *Server) applyFault(w http.ResponseWriter, c *call, f Fault) bool {
	if f.Delay > 0 && !s.sleep(c.r.Context(), f.Delay) {
		// The client left or the server is closing: an empty 200 would be
		// a lie, so the connection is cut.
		dropConnection(w)
		return true
	}
	if f.Drop {
		dropConnection(w)
		return true
	}
	if f.Status == 0 {
		return false
	}
	rep := reply{status: f.Status, header: http.Header{}, body: []byte(f.Body)}
	trimmed := strings.TrimSpace(f.Body)
	switch {
	case f.Body == "" && f.Status >= 400:
		rep = c.fail(errorf(f.Status, "injected fault"))
	case f.Body == "":
		// A redirect or another non-error status: headers only (Location, …).
	case strings.HasPrefix(trimmed, "{") || strings.HasPrefix(trimmed, "["):
		rep.header.Set("Content-Type", "application/json")
	default:
		rep.header.Set("Content-Type", http.DetectContentType(rep.body))
	}
	for k, v := range f.Header {
		rep.header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	s.finish(w, c, rep, false)
	return true
}

// dropConnection closes the connection without an answer, as a crashed
// proxy would.
func dropConnection(w http.ResponseWriter) {
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			_ = conn.Close()
			return
		}
	}
	// HTTP/2 or an already hijacked writer: make net/http abort the stream.
	panic(http.ErrAbortHandler)
}
