package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/coder/websocket"

	"github.com/lambda/lambda-go/internal/answer"
	"github.com/lambda/lambda-go/internal/envelope"
	"github.com/lambda/lambda-go/internal/retry"
)

// Defaults of StreamMetricsOptions.
const (
	DefaultStreamMaxReconnects = 5
	DefaultStreamMinBackoff    = 250 * time.Millisecond
	DefaultStreamMaxBackoff    = 10 * time.Second
	DefaultStreamReadLimit     = 64 << 10 // bytes; a sample is about 200
	DefaultStreamIdleTimeout   = 30 * time.Second
)

// ErrStreamDropped is matched by the error that ends a metrics stream whose
// connection was lost and not (or no longer) reconnected.
var ErrStreamDropped = errors.New("lambda: metrics stream connection lost")

// StreamMetricsOptions tunes Instances.StreamMetrics. The zero value, like
// nil, reconnects after a dropped connection with the defaults above.
type StreamMetricsOptions struct {
	// DisableReconnect ends the stream with an error matching
	// ErrStreamDropped as soon as the connection drops.
	DisableReconnect bool
	// MaxReconnects is how many connection attempts in a row may fail
	// before the stream ends with the last failure; a connection that
	// delivers a sample resets the count. 0 means DefaultStreamMaxReconnects;
	// a negative value means no limit (the stream then ends with ctx).
	MaxReconnects int
	// MinBackoff and MaxBackoff bound the pause before each reconnect: it
	// doubles with every failed attempt, with jitter. Zero MinBackoff means
	// DefaultStreamMinBackoff (or MaxBackoff, when that is set and
	// smaller); zero MaxBackoff means DefaultStreamMaxBackoff (or
	// MinBackoff, when that is larger). A negative value, or a MaxBackoff
	// below a MinBackoff both set, is refused with an error matching
	// ErrInvalidRequest. A refused
	// handshake that asks for a longer wait (Retry-After) than MaxBackoff
	// or the client's WithMaxRetryWait, or one past ctx's deadline, is not
	// slept: the stream ends with that error, the wait in Error.RetryAfter.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// ReadLimit caps one message, in bytes; 0 means DefaultStreamReadLimit,
	// and a negative value is refused with an error matching
	// ErrInvalidRequest. A larger message ends the stream with
	// ErrInvalidResponse.
	ReadLimit int64
	// IdleTimeout is how long the connection may stay silent while the
	// loop waits for a sample (no message, no answer to a ping) before it
	// is closed and reconnected like a dropped one: counted against
	// MaxReconnects, and logged at warning level with WithLogger. After
	// half of it without a message the client sends a WebSocket ping, so
	// a live server whose samples are sparse is not taken for a dead one;
	// the time the loop's body spends on a sample is not silence. It
	// catches what TCP does not report: a connection that a NAT or load
	// balancer dropped, or a server that hangs without closing. 0 means
	// DefaultStreamIdleTimeout (30 s, within the idle limits of common
	// NATs, which the pings also keep open); a negative value is refused
	// with an error matching ErrInvalidRequest.
	IdleTimeout time.Duration
}

// StreamMetrics streams an instance's metrics over a WebSocket (wss:// for
// an https:// base URL), one sample per server message, with the client's
// credential and User-Agent on the upgrade request. The connection is
// opened when the loop starts and closed, with a WebSocket close, when the
// loop breaks or ctx ends; no goroutine outlives the loop. A server that
// never answers the close frame holds the loop's end for at most 5 s,
// coder/websocket's bound on the close handshake.
//
// The stream yields an error and ends when ctx ends (the error wraps
// ctx.Err()), when the API refuses the connection with a 4xx other than
// 429 (ErrNotFound for an unknown instance, ErrUnauthorized, …, as a
// typed *Error) or answers it with neither 101 nor an error status (a
// proxy's 200 page: ErrInvalidResponse), when the connection drops and
// reconnecting is disabled or failed MaxReconnects times in a row, or when
// a message exceeds the read limit. It ends without an error when the
// server closes the stream normally. A dropped connection, a 429 or a 5xx
// is otherwise retried after a jittered exponential backoff; so is a
// connection silent for the options' IdleTimeout, and a handshake that
// outlasts the client's WithAttemptTimeout. A sample may come bare or in
// the API's envelope, in a text or a binary message. A message that is
// not a JSON sample (one that does not decode, null, {}, an object with
// none of a sample's fields, a sample without its timestamp) is yielded
// as an error matching ErrInvalidResponse and skipped, never as a zero
// sample; so is an error envelope, whose error also matches the sentinel
// of the API's code (ErrNotFound, …). The stream goes on unless the loop
// breaks, since one bad message says nothing about the next.
func (s *InstancesService) StreamMetrics(ctx context.Context, id string, opts *StreamMetricsOptions, ro ...RequestOption) iter.Seq2[MetricSample, error] {
	cerr := checkStreamOptions(opts)
	cfg := streamConfig(opts)
	c := clientOf(s)
	return func(yield func(MetricSample, error) bool) {
		if cerr == nil {
			cerr = c.usable(ctx)
		}
		if cerr != nil {
			yield(MetricSample{}, cerr)
			return
		}
		ms, err := newMetricStream(c, id, cfg, ro)
		if err != nil {
			yield(MetricSample{}, c.credentialRedactor().error(err))
			return
		}
		// Every error the stream yields is redacted, as a call's are.
		ms.run(ctx, func(sample MetricSample, err error) bool {
			if err != nil {
				err = c.credentialRedactor().error(err)
			}
			return yield(sample, err)
		})
	}
}

// checkStreamOptions refuses every bad value: streamConfig fills in
// defaults for zero values only, and never corrects one.
func checkStreamOptions(opts *StreamMetricsOptions) error {
	if opts == nil {
		return nil
	}
	negative := func(field string, v any) error {
		return invalidField(field, fmt.Sprintf("StreamMetricsOptions.%s is negative (%v)", field, v))
	}
	switch {
	case opts.IdleTimeout < 0:
		return negative("IdleTimeout", opts.IdleTimeout)
	case opts.MinBackoff < 0:
		return negative("MinBackoff", opts.MinBackoff)
	case opts.MaxBackoff < 0:
		return negative("MaxBackoff", opts.MaxBackoff)
	case opts.ReadLimit < 0:
		return negative("ReadLimit", opts.ReadLimit)
	case opts.MinBackoff > 0 && opts.MaxBackoff > 0 && opts.MaxBackoff < opts.MinBackoff:
		return invalidField("MaxBackoff", fmt.Sprintf("StreamMetricsOptions.MaxBackoff (%v) is below MinBackoff (%v)",
			opts.MaxBackoff, opts.MinBackoff))
	}
	return nil
}

// streamConfig copies opts with the defaults filled in.
func streamConfig(opts *StreamMetricsOptions) StreamMetricsOptions {
	o := deref(opts)
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = DefaultStreamIdleTimeout
	}
	if o.MaxReconnects == 0 {
		o.MaxReconnects = DefaultStreamMaxReconnects
	}
	if o.MinBackoff == 0 {
		o.MinBackoff = DefaultStreamMinBackoff
		if o.MaxBackoff > 0 {
			o.MinBackoff = min(o.MinBackoff, o.MaxBackoff)
		}
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = max(DefaultStreamMaxBackoff, o.MinBackoff)
	}
	if o.ReadLimit <= 0 {
		o.ReadLimit = DefaultStreamReadLimit
	}
	return o
}

// metricStream is one StreamMetrics loop: where to connect and how.
type metricStream struct {
	id      string
	path    string // relative to the base URL, as path built it
	url     string
	cfg     StreamMetricsOptions
	dialOpt websocket.DialOptions
	timeout time.Duration // the handshake's bound: the http.Client's Timeout
	maxWait time.Duration // the client's WithMaxRetryWait
	info    *ResponseInfo
	logger  *slog.Logger
	client  *Client // for its redactor, in log lines
}

func newMetricStream(c *Client, id string, cfg StreamMetricsOptions, ro []RequestOption) (*metricStream, error) {
	if err := requireID("instance", id); err != nil {
		return nil, err
	}
	rc, err := requestOptions(ro)
	if err != nil {
		return nil, err
	}
	p := path("instances", id, "metrics", "stream")
	if err := checkPath(p); err != nil {
		return nil, err
	}
	u := c.base + p
	if rest, ok := strings.CutPrefix(u, "https://"); ok {
		u = "wss://" + rest
	} else if rest, ok := strings.CutPrefix(u, "http://"); ok {
		u = "ws://" + rest
	}
	// The client's own http.Client carries the credential, on the API's
	// origin only. coder/websocket wants no Timeout on it: the handshake is
	// bounded here instead, and the stream itself by ctx.
	hc := *c.httpClient
	hc.Timeout = 0
	header := c.header.Clone()
	if header == nil {
		header = http.Header{}
	}
	for k, vs := range rc.header {
		header[k] = append([]string(nil), vs...)
	}
	header["User-Agent"] = []string{c.userAgent}
	return &metricStream{
		id: id, path: p, url: u, cfg: cfg, timeout: c.httpClient.Timeout, maxWait: c.policy.MaxWait, info: rc.info, logger: c.logger, client: c,
		dialOpt: websocket.DialOptions{HTTPClient: &hc, HTTPHeader: header},
	}, nil
}

// run connects, reads, and reconnects until the stream ends.
func (ms *metricStream) run(ctx context.Context, yield func(MetricSample, error) bool) {
	failures := 0 // connection attempts in a row that failed
	for connection := 1; ; connection++ {
		start := time.Now()
		conn, err := ms.dial(ctx)
		if err == nil {
			ms.log(ctx, slog.LevelDebug, "lambda: metrics stream connected", slog.Int("connection", connection),
				slog.Bool("reconnect", connection > 1), slog.Duration("duration", time.Since(start)))
			delivered, stopped, rerr := ms.pump(ctx, conn, yield)
			if stopped || rerr == nil {
				return
			}
			if delivered {
				failures = 0
			}
			err = rerr
		}
		switch {
		case ctx.Err() != nil:
			yield(MetricSample{}, ms.ctxErr(ctx))
			return
		case ms.cfg.DisableReconnect || !reconnectable(err) ||
			(ms.cfg.MaxReconnects > 0 && failures >= ms.cfg.MaxReconnects):
			yield(MetricSample{}, err)
			return
		}
		failures++
		wait, ok := ms.backoff(ctx, failures, err)
		if !ok { // the API asked for a longer wait than the stream may sleep
			yield(MetricSample{}, err)
			return
		}
		ms.log(ctx, slog.LevelInfo, "lambda: metrics stream lost, reconnecting", slog.Int("failures", failures),
			slog.Duration("wait", wait), slog.String("error", ms.errorText(err)))
		if retry.Sleep(ctx, wait) != nil {
			yield(MetricSample{}, ms.ctxErr(ctx))
			return
		}
	}
}

// errorText is err's message with the client's credential redacted: a
// refused handshake's message quotes the server, which may echo it.
func (ms *metricStream) errorText(err error) string {
	return ms.client.credentialRedactor().String(err.Error())
}

// log writes a line about the stream to the client's logger, if any.
// Errors in it are the client's own, which never quote the credential.
func (ms *metricStream) log(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if ms.logger == nil || !ms.logger.Enabled(ctx, level) {
		return
	}
	ms.logger.LogAttrs(ctx, level, msg, append([]slog.Attr{slog.String("instance", ms.id)}, attrs...)...)
}

// dial opens one connection. A refused handshake becomes a typed *Error.
func (ms *metricStream) dial(ctx context.Context) (*websocket.Conn, error) {
	dctx := ctx
	if ms.timeout > 0 {
		var cancel context.CancelFunc
		dctx, cancel = context.WithTimeout(ctx, ms.timeout)
		defer cancel()
	}
	// The handshake is one attempt of a call of its own: the rate-limit
	// layer records its answer's headers there, read once.
	call := &retry.Call{Method: http.MethodGet, Path: ms.path, Attempt: 1}
	conn, resp, err := websocket.Dial(retry.WithCall(dctx, call), ms.url, &ms.dialOpt)
	var a *answer.Answer
	if resp != nil {
		a = call.AnswerTo(resp)
	}
	ms.client.fillInfo(ms.info, resp, a, envelope.Meta{}, 1, nil)
	switch {
	case err == nil:
		conn.SetReadLimit(ms.cfg.ReadLimit)
		return conn, nil
	case resp != nil && resp.StatusCode != http.StatusSwitchingProtocols:
		var body []byte
		if resp.Body != nil { // coder/websocket keeps the first KiB
			body, _ = io.ReadAll(resp.Body)
		}
		e, _ := newErrorFromResponse(resp, a, body, 0, ms.client.credentialRedactor())
		if resp.StatusCode < 400 {
			// A 2xx page (a proxy's, say) or a 3xx not followed is no
			// stream, and no error of the API's: it matches no sentinel.
			e.Code, e.cause = CodeInvalidResponse, err
			e.Message = fmt.Sprintf("the API answered the WebSocket handshake with %d %s, not 101 Switching Protocols",
				resp.StatusCode, http.StatusText(resp.StatusCode))
		}
		return nil, e
	case resp != nil:
		return nil, invalidResponse(resp, a.RequestID, err) // a 101 that broke the protocol
	}
	if e := refusal(err); e != nil { // held back by the budget, or a redirect not followed
		return nil, e
	}
	err = fmt.Errorf("lambda: connecting the metrics stream of instance %s: %w", ms.id, err)
	if ctx.Err() != nil || nonRetryable(err) {
		return nil, err
	}
	// No answer from the API (refused, reset, TLS, timeout): ErrUnavailable,
	// like any call that got none.
	return nil, &noAnswerError{method: http.MethodGet, path: "/instances/" + ms.id + "/metrics/stream", attempts: 1, err: err}
}

// pump reads samples from conn and yields them until the loop breaks
// (stopped), the server closes normally (nil error) or the connection
// fails. It always leaves conn closed and no goroutine behind.
func (ms *metricStream) pump(ctx context.Context, conn *websocket.Conn, yield func(MetricSample, error) bool) (delivered, stopped bool, err error) {
	// Read takes no ctx, because coder/websocket drops the connection
	// without a close frame when a Read's ctx ends: this closes it properly.
	watched := make(chan struct{})
	unwatch := context.AfterFunc(ctx, func() {
		defer close(watched)
		_ = conn.Close(websocket.StatusGoingAway, "client done")
	})
	defer func() {
		if !unwatch() {
			<-watched // ctx ended: the close is underway or done
		} else if stopped {
			_ = conn.Close(websocket.StatusNormalClosure, "")
		} else {
			_ = conn.CloseNow()
		}
	}()
	silence := watchSilence(conn, ms.cfg.IdleTimeout)
	defer silence.stop()
	for {
		silence.waiting(true)
		_, data, err := conn.Read(context.Background())
		silence.waiting(false)
		if err != nil {
			silence.stop() // settles fired: the watch may be closing the connection right now
		}
		switch {
		case errors.Is(err, websocket.ErrMessageTooBig):
			return delivered, false, &Error{Code: CodeInvalidResponse, cause: err,
				Message: fmt.Sprintf("a metrics message exceeds the read limit of %d bytes", ms.cfg.ReadLimit)}
		case err != nil && silence.fired() && ctx.Err() == nil:
			ms.logSilence(ctx)
			return delivered, false, fmt.Errorf("%w (instance %s): silent for %v, closed: %w",
				ErrStreamDropped, ms.id, ms.cfg.IdleTimeout, err)
		case websocket.CloseStatus(err) == websocket.StatusNormalClosure:
			return delivered, false, nil
		case err != nil:
			return delivered, false, fmt.Errorf("%w (instance %s): %w", ErrStreamDropped, ms.id, err)
		case ctx.Err() != nil: // a message that raced the close: the caller is done
			return delivered, false, ctx.Err()
		}
		sample, bad := decodeSample(data, ms.client)
		if bad != nil {
			if !yield(MetricSample{}, bad) {
				return delivered, true, nil
			}
			continue
		}
		delivered = true
		if !yield(sample, nil) {
			return true, true, nil
		}
	}
}

// decodeSample reads one message of the stream: a sample, bare or in the
// API's envelope, of either message type. Anything that carries no sample
// is an error matching ErrInvalidResponse, never a zero sample a caller
// would take for a measurement: null, {}, an object with none of a
// sample's fields (a heartbeat, say), a sample without its timestamp, and
// an error envelope, whose error is the cause, so that the API's code
// matches its sentinel too.
func decodeSample(data []byte, c *Client) (MetricSample, *Error) {
	var sample MetricSample
	_, err := envelope.Decode(data, &sample)
	var api *envelope.APIError
	switch {
	case errors.As(err, &api):
		return MetricSample{}, streamErrorMessage(api.Body)
	case err != nil:
		return MetricSample{}, &Error{Code: CodeInvalidResponse, cause: err,
			Message: "a metrics message is not a JSON sample: " + err.Error()}
	case sample.Timestamp.IsZero() && sample != MetricSample{}:
		// As Instances.Metrics refuses it: a measurement without its time
		// would be plotted at year 1.
		return MetricSample{}, &Error{Code: CodeInvalidResponse,
			Message: fmt.Sprintf("a metrics message carries a sample without its timestamp: %q", excerpt(data, c.credentialRedactor()))}
	case sample != MetricSample{}:
		return sample, nil
	}
	if eb, _, ok := envelope.DecodeError(data); ok { // a bare {"error": …}
		return MetricSample{}, streamErrorMessage(eb)
	}
	return MetricSample{}, &Error{Code: CodeInvalidResponse,
		Message: fmt.Sprintf("a metrics message carries no sample: %q", excerpt(data, c.credentialRedactor()))}
}

// streamErrorMessage is the error of a stream message that is the API's
// error envelope: an invalid response, since a stream message should be a
// sample, caused by the API's error, which matches the sentinel of its code.
func streamErrorMessage(eb envelope.ErrorBody) *Error {
	if eb.Code == "" {
		eb.Code = "unknown_error"
	}
	api := newError(0, eb, "", 0)
	return &Error{Code: CodeInvalidResponse, cause: api,
		Message: "a metrics message is an error from the API: " + strings.TrimPrefix(api.Error(), "lambda: ")}
}

// reconnectable reports whether a failure may cure itself: a lost
// connection, a 429 or a 5xx; not a 4xx or a response the client cannot use.
func reconnectable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.HTTPStatus == http.StatusTooManyRequests || e.HTTPStatus >= 500
	}
	return !nonRetryable(err) // an error of the client's own making recurs on every attempt
}

// backoff is the pause before reconnect attempt n (from 1): a random
// duration between half and all of MinBackoff·2^(n-1), capped at
// MaxBackoff, and at least what a 429 or 503 asked for. ok is false when
// what it asked for is longer than MaxBackoff or the client's longest
// retry wait, or would end past ctx's deadline: not to be slept out.
func (ms *metricStream) backoff(ctx context.Context, n int, err error) (time.Duration, bool) {
	hi := retry.Doubling(ms.cfg.MinBackoff, ms.cfg.MaxBackoff, n-1)
	d := hi/2 + rand.N(hi/2+1)
	var e *Error
	if errors.As(err, &e) && e.RetryAfter > d {
		if e.RetryAfter > min(ms.cfg.MaxBackoff, ms.maxWait) {
			return 0, false
		}
		if deadline, ok := ctx.Deadline(); ok && time.Now().Add(e.RetryAfter).After(deadline) {
			return 0, false
		}
		d = e.RetryAfter
	}
	return d, true
}

func (ms *metricStream) ctxErr(ctx context.Context) error {
	return fmt.Errorf("lambda: metrics stream of instance %s: %w", ms.id, ctx.Err())
}
