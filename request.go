package lambda

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"sync"

	"github.com/google/go-querystring/query"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/lambda/lambda-go/internal/answer"
	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/envelope"
	"github.com/lambda/lambda-go/internal/idempotency"
	"github.com/lambda/lambda-go/internal/retry"
)

// maxResponseBytes caps what is read of one response: a page of 100
// resources is tens of kilobytes; a runaway body must not exhaust memory.
const maxResponseBytes = 16 << 20

var errBodyTooLarge = errors.New("response body exceeds 16 MiB")

// errBadEncoding is a body that does not decode as its Content-Encoding
// says (labelled gzip, but not gzip): the server's fault, not the network's.
var errBadEncoding = errors.New("response body does not match its Content-Encoding")

func badEncoding(err error) bool {
	var corrupt flate.CorruptInputError
	return errors.Is(err, gzip.ErrHeader) || errors.Is(err, gzip.ErrChecksum) || errors.As(err, &corrupt)
}

// call is one API call: what to send and where to put the answer.
type call struct {
	method string
	path   string // relative to the base URL, segments already escaped
	query  url.Values
	body   any // JSON-encoded when non-nil
	out    any // decoded from the response data when non-nil
	opts   []RequestOption
	// secrets the body carries (a webhook's signing secret), redacted
	// like the credential from whatever the call returns or logs.
	secrets []string
	// expandable: the route takes the expand query parameter (WithExpand).
	expandable bool
}

// result is what do learned besides the data.
type result struct {
	meta   envelope.Meta
	status int
}

// checker is a resource that can tell whether the API left out a field it
// must have (see billing.go).
type checker interface{ check() error }

// checked runs v's check, if it has one, and gives a failure the HTTP
// status and request ID of the response it came in.
func checked(v any, res result) error {
	c, ok := v.(checker)
	if !ok {
		return nil
	}
	err := c.check()
	if err == nil {
		return nil // before errors.As, whose target escapes: a sound answer allocates nothing here
	}
	var e *Error
	if errors.As(err, &e) {
		e.HTTPStatus, e.RequestID = res.status, res.meta.RequestID
	}
	return err
}

// respBuffer holds the body of a response. It is pooled with its reading
// function, built once, so a call allocates neither a closure nor a reader.
type respBuffer struct {
	bytes.Buffer
	limited io.LimitedReader
	read    func(*http.Response) error // readFrom, bound to this buffer
}

// readFrom reads resp's body into the buffer, up to maxResponseBytes.
func (rb *respBuffer) readFrom(resp *http.Response) error {
	rb.Reset()
	defer resp.Body.Close()
	rb.limited = io.LimitedReader{R: resp.Body, N: maxResponseBytes + 1}
	n, err := rb.ReadFrom(&rb.limited)
	rb.limited.R = nil // keep no connection alive from the pool
	if err != nil {
		if badEncoding(err) {
			return fmt.Errorf("%w: %w", errBadEncoding, err)
		}
		return err
	}
	if n > maxResponseBytes {
		return errBodyTooLarge
	}
	return nil
}

var bufPool = sync.Pool{New: func() any {
	rb := new(respBuffer)
	rb.read = rb.readFrom
	return rb
}}

// requestOptions applies the options of one call. It is apart from do so
// that the config only moves to the heap (as options' arguments must) when
// there are options.
func requestOptions(opts []RequestOption) (requestConfig, error) {
	rc := requestConfig{maxRetries: -1}
	if len(opts) == 0 {
		return rc, nil
	}
	p := &requestConfig{maxRetries: -1}
	for i, o := range opts {
		if o == nil {
			continue
		}
		c := config{call: p}
		if err := o(&c); err != nil {
			return rc, invalidArgument(err)
		}
		// An option that set anything but the call's part sets up the
		// client (WithBaseURL, WithLogger): refused, not silently ignored.
		if !reflect.DeepEqual(c, config{call: p}) {
			return rc, invalidArgument(fmt.Errorf("lambda: option %d of the call sets up the client (as WithBaseURL or WithLogger do): give it to NewClient; per call only WithMaxRetries, WithAttemptTimeout, WithHeader, WithIdempotencyKey, WithResponseInfo and WithExpand apply", i+1))
		}
	}
	return *p, nil
}

// do sends c with retries and decodes the answer into c.out.
func (c *Client) do(ctx context.Context, cl call) (_ result, err error) {
	if err := c.usable(ctx); err != nil {
		return result{}, err
	}
	defer func() {
		if err != nil { // only errors can quote a secret back: successes pay nothing
			err = c.redactorFor(cl.secrets).error(err)
		}
	}()
	if err := checkPath(cl.path); err != nil {
		return result{}, err
	}
	rc, err := requestOptions(cl.opts)
	if err != nil {
		return result{}, err
	}
	if rc.expand != nil {
		if !cl.expandable {
			return result{}, invalidField("expand", "WithExpand applies to Resources.Get only: no other call takes expand")
		}
		q := url.Values{}
		for k, vs := range cl.query {
			q[k] = vs
		}
		q.Set("expand", strings.Join(rc.expand, ","))
		cl.query = q
	}

	var body []byte
	if cl.body != nil {
		b, err := json.Marshal(cl.body)
		if err != nil {
			return result{}, invalidArgument(fmt.Errorf("encoding the %s %s request: %w", cl.method, cl.path, err))
		}
		if err := checkUTF8("request body", cl.body, b); err != nil {
			return result{}, err
		}
		body = b
	}
	u := c.base + cl.path
	if len(cl.query) > 0 {
		u += "?" + cl.query.Encode()
	}

	// The call's state travels in its context: the one way go-retryablehttp
	// lets its hooks (the retry policy) and the layers below them see it.
	rcall := &retry.Call{Method: cl.method, Path: cl.path, MaxRetries: rc.maxRetries, MaxRetriesSet: rc.maxRetries >= 0,
		AttemptTimeout: rc.attemptTimeout, AttemptTimeoutSet: rc.timeoutSet, Secrets: cl.secrets}
	ctx = retry.WithCall(ctx, rcall)
	var renewal *auth.Report // why a refused OAuth token could not be renewed
	if c.token != nil {
		renewal = new(auth.Report)
		ctx = auth.WithReport(ctx, renewal)
	}
	var rawBody any
	if body != nil {
		rawBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, cl.method, u, rawBody)
	if err != nil { // the caller's method or path: nothing was sent
		return result{}, invalidArgument(fmt.Errorf("lambda: building %s %s: %w", cl.method, cl.path, err))
	}
	// Every value gets a slice of this request's own, so that a middleware
	// or transport that edits one in place changes no other request. The
	// call's state holds the fixed headers' values: no allocation of their own.
	fixed := rcall.HeaderValues[:]
	fixed[0], fixed[1], fixed[2] = "application/json", c.userAgent, "application/json"
	h := req.Header
	h["Accept"] = fixed[0:1:1]
	h["User-Agent"] = fixed[1:2:2]
	if body != nil {
		h["Content-Type"] = fixed[2:3:3]
	}
	// Every POST carries a key; a call of another method carries the
	// caller's, when given one, rather than drop it in silence.
	key := rc.idempotencyKey
	if key == "" && cl.method == http.MethodPost {
		key = idempotency.NewKey()
	}
	if key != "" {
		fixed[3] = key
		h[idempotency.Header] = fixed[3:4:4]
	}
	for k, vs := range c.header {
		h[k] = append([]string(nil), vs...)
	}
	for k, vs := range rc.header {
		h[k] = append([]string(nil), vs...)
	}

	// Read the body inside the retry loop, so that a connection cut in the
	// middle of a response is retried like any other connection failure.
	buf := bufPool.Get().(*respBuffer)
	buf.Reset()
	defer func() {
		if buf.Cap() <= 1<<20 { // do not keep a huge buffer alive
			bufPool.Put(buf)
		}
	}()
	req.SetResponseHandler(buf.read)

	// The chain (chain.go) sends it: the retry loop, the middleware, the
	// credential, the rate-limit budget, the limiter, the attempt's bound.
	resp, err := c.http.Do(req)
	var a *answer.Answer // what the answer's headers said, read once on its way in
	if resp != nil {
		resp.Body.Close()
		a = rcall.AnswerTo(resp)
	}
	c.warnDeprecated(ctx, cl.method, cl.path, resp)
	if err != nil {
		retry.LogAttempt(ctx, c.logger, "lambda: request", rcall, resp, "", err, 0)
		c.fillInfo(rc.info, resp, a, envelope.Meta{}, rcall.Attempt, cl.secrets)
		return result{}, c.failed(ctx, cl, resp, a, rcall, err)
	}

	if cl.method == http.MethodDelete && resp.StatusCode == http.StatusNotFound && rcall.MayHaveApplied {
		// An earlier attempt may have deleted it and lost the answer: the
		// 404 is the delete's effect, not a failure. Attempts shows the retry.
		meta := envelope.Meta{RequestID: a.RequestID}
		retry.LogAttempt(ctx, c.logger, "lambda: request", rcall, resp, meta.RequestID, nil, 0)
		c.fillInfo(rc.info, resp, a, meta, rcall.Attempt, cl.secrets)
		return result{meta: meta, status: resp.StatusCode}, nil
	}
	res, err := c.decode(resp, a, buf.Bytes(), cl.out, rcall, cl.secrets)
	if renewal != nil && renewal.Err != nil {
		var e *Error
		if errors.As(err, &e) && e.HTTPStatus == http.StatusUnauthorized {
			e.cause = renewal.Err
		}
	}
	// The retry policy logged the attempts before this one.
	retry.LogAttempt(ctx, c.logger, "lambda: request", rcall, resp, res.meta.RequestID, nil, 0)
	c.fillInfo(rc.info, resp, a, res.meta, rcall.Attempt, cl.secrets)
	return res, err
}

// failed types the error of a call that ended without a usable answer.
// It is where the errors of the layers below become the caller's: a
// transport returns only its own errors, never a public *Error.
func (c *Client) failed(ctx context.Context, cl call, resp *http.Response, a *answer.Answer, rcall *retry.Call, err error) error {
	if errors.Is(err, errBodyTooLarge) || errors.Is(err, errBadEncoding) {
		return invalidResponse(resp, a.RequestID, err)
	}
	if e := refusal(err); e != nil { // held back by the budget, or a redirect not followed
		return e
	}
	if ctx.Err() != nil || nonRetryable(err) {
		// The caller's context ended, or the client itself refused to go on
		// (no OAuth token, a middleware's own error): not the API's doing.
		return fmt.Errorf("lambda: %s %s: %w", cl.method, cl.path, err)
	}
	return &noAnswerError{method: cl.method, path: cl.path, attempts: rcall.Attempt, err: err}
}

// noAnswerError is a call that got no answer from the API after all its
// attempts: refused, reset or cut connections, TLS failures, timeouts. It
// matches ErrUnavailable and unwraps to the network error of the last one.
type noAnswerError struct {
	method, path string
	attempts     int
	err          error
}

func (e *noAnswerError) Error() string {
	return fmt.Sprintf("lambda: %s %s: no answer from the API after %d attempt(s): %v", e.method, e.path, e.attempts, e.err)
}

func (e *noAnswerError) Is(target error) bool { return target == ErrUnavailable }

func (e *noAnswerError) Unwrap() error { return e.err }

// decode turns a response into data or a typed error.
// do redacts the error it returns.
func (c *Client) decode(resp *http.Response, a *answer.Answer, body []byte, out any, rcall *retry.Call, secrets []string) (res result, err error) {
	headerID := a.RequestID
	if resp.StatusCode >= 300 {
		e, meta := newErrorFromResponse(resp, a, body, rcall.RetryAfter, c.redactorFor(secrets))
		return result{meta: meta}, e
	}
	if resp.StatusCode == http.StatusNoContent {
		res = result{meta: envelope.Meta{RequestID: headerID}, status: resp.StatusCode}
		if out != nil { // a 204 where a resource was expected is no answer
			return res, invalidResponse(resp, headerID, envelope.ErrNoData)
		}
		return res, nil
	}
	if err := checkDecodeCost(body, out); err != nil {
		return result{meta: envelope.Meta{RequestID: headerID}, status: resp.StatusCode}, invalidResponse(resp, headerID, err)
	}
	meta, err := envelope.Decode(body, out)
	if meta.RequestID == "" {
		meta.RequestID = headerID
	}
	res = result{meta: meta, status: resp.StatusCode}
	if err == nil {
		return res, nil
	}
	return res, c.decodeError(resp, meta, body, secrets, err)
}

// decodeError types a failed decode. It is apart from decode so that its
// errors.As target, which escapes, is only allocated on failure. A body
// that is not JSON at all (a captive portal's page, a cut answer) is shown
// in an excerpt, as the body of an error status is: it says who answered.
func (c *Client) decodeError(resp *http.Response, meta envelope.Meta, body []byte, secrets []string, err error) error {
	var apiErr *envelope.APIError
	if errors.As(err, &apiErr) {
		return newError(resp.StatusCode, apiErr.Body, meta.RequestID, 0)
	}
	e := invalidResponse(resp, meta.RequestID, err)
	if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
		e.Body = excerpt(body, c.redactorFor(secrets))
	}
	return e
}

// fillInfo fills the caller's ResponseInfo, redacted: a header may echo
// the credential or a secret the call sent.
func (c *Client) fillInfo(info *ResponseInfo, resp *http.Response, a *answer.Answer, meta envelope.Meta, attempts int, secrets []string) {
	if info == nil {
		return
	}
	if resp == nil { // the last attempt got no answer: nothing to describe but the count
		*info = ResponseInfo{Attempts: attempts}
		return
	}
	red := c.redactorFor(secrets)
	defer func() {
		info.Header = red.header(info.Header)
		info.RequestID = red.String(info.RequestID)
		info.DeprecationLink = red.String(info.DeprecationLink)
	}()
	requestID := meta.RequestID
	if requestID == "" {
		requestID = a.RequestID
	}
	var rl RateLimit
	if a.HasRateLimit {
		rl = RateLimit(a.RateLimit)
	}
	*info = ResponseInfo{
		StatusCode: resp.StatusCode,
		Header:     resp.Header,
		RequestID:  requestID,
		ServerTime: meta.Timestamp,
		RateLimit:  rl,
		Attempts:   attempts,
	}
	info.Deprecated, info.Deprecation, info.Sunset, info.DeprecationLink = deprecationOf(resp.Header)
}

// values encodes an options struct with its `url` tags; nil gives none.
// A negative page, limit or offset is refused: it means nothing.
func values(opts any) (url.Values, error) {
	if c, ok := opts.(cursor); ok && !reflect.ValueOf(opts).IsNil() {
		if err := checkPaging(c); err != nil {
			return nil, err
		}
	}
	v, err := query.Values(opts)
	if err != nil {
		return nil, invalidArgument(fmt.Errorf("encoding query options: %w", err))
	}
	return v, nil
}

// get fetches one resource.
func get[T any](ctx context.Context, c *Client, p string, q url.Values, opts []RequestOption) (*T, error) {
	return fetch[T](ctx, c, call{method: http.MethodGet, path: p, query: q, opts: opts})
}

// send sends a body (nil for none) and decodes the resource in the answer.
func send[T any](ctx context.Context, c *Client, method, p string, body any, opts []RequestOption) (*T, error) {
	return fetch[T](ctx, c, call{method: method, path: p, body: body, opts: opts})
}

// fetch makes cl and decodes the resource in the answer.
func fetch[T any](ctx context.Context, c *Client, cl call) (*T, error) {
	v := new(T)
	cl.out = v
	res, err := c.do(ctx, cl)
	if err == nil {
		err = checked(v, res)
	}
	if err != nil {
		return nil, err
	}
	return v, nil
}

// del deletes a resource; the answer carries no data.
func del(ctx context.Context, c *Client, p string, opts []RequestOption) error {
	_, err := c.do(ctx, call{method: http.MethodDelete, path: p, opts: opts})
	return err
}

// list fetches one page of a list.
func list[T any](ctx context.Context, c *Client, p string, opts any, ro []RequestOption) (*Page[T], error) {
	q, err := values(opts)
	if err != nil {
		return nil, err
	}
	return listQuery[T](ctx, c, p, q, ro)
}

// listQuery is list with its query built (Resources adds a filter to it).
func listQuery[T any](ctx context.Context, c *Client, p string, q url.Values, ro []RequestOption) (*Page[T], error) {
	page := &Page[T]{}
	res, err := c.do(ctx, call{method: http.MethodGet, path: p, query: q, out: &page.Items, opts: ro})
	if err != nil {
		return nil, err
	}
	page.answer = res
	for i := range page.Items {
		if err := checked(&page.Items[i], res); err != nil {
			return nil, err
		}
	}
	if pg := res.meta.Pagination; pg != nil {
		page.Pagination = Pagination(*pg)
		page.paginated = true
	}
	return page, nil
}
