package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// WebhookHandler returns an http.Handler that receives the platform's
// webhook deliveries, signed with secret, and passes each accepted event to
// handle with the request's context.
//
// It accepts only POST (405 otherwise), reads at most WithWebhookMaxBodyBytes of
// body (413 beyond), and then checks the delivery as ConstructEvent does: a
// missing or wrong signature is answered 401; a body that is not an event,
// or whose timestamp is older than the redelivery window
// (DefaultWebhookRedeliveryWindow) or further ahead than the tolerance
// (DefaultWebhookTolerance), 400. None of these reach handle.
//
// Delivery is at least once: the platform delivers an event again after any
// answer but 2xx, including when the answer was lost, and two deliveries of
// one event can arrive at the same time. So that handle sees each event once,
// the handler claims each event by its ID in a WebhookEventStore (by default
// one in memory, remembering the last DefaultWebhookStoreSize events; pass a
// shared one with WithWebhookEventStore when several replicas receive) before
// calling handle:
//   - an event processed already is answered 200 without calling handle, so a
//     redelivery or a replay changes nothing;
//   - an event another delivery is processing right now is answered 409, so the
//     platform delivers it again later;
//   - when handle returns nil the answer is 204 and the event is recorded as
//     processed; when it returns an error or panics, the answer is 500, the
//     claim is released, and the platform's redelivery is processed afresh,
//     however late within the redelivery window. The error's text is not sent
//     back; a panic is recovered and logged with the event ID and stack.
//
// An empty secret, a nil handle or an invalid option makes every POST fail
// with 500, since the fault is on this side and redelivery may succeed once it
// is fixed; it is logged when the handler is made and on each delivery, to
// the WithWebhookErrorLog logger or else slog.Default().
//
// Response bodies are only the status text. Use WithWebhookErrorLog to see why a
// delivery was refused.
func WebhookHandler(secret string, handle func(ctx context.Context, ev *Event) error, opts ...WebhookOption) http.Handler {
	cfg, err := newWebhookConfig(opts)
	if handle == nil {
		err = errors.Join(err, errors.New("lambda: WebhookHandler: the handle function is nil"))
	}
	if secret == "" {
		err = errors.Join(err, ErrWebhookNoSecret)
	}
	if cfg.store == nil {
		cfg.store, _ = NewWebhookMemoryStore(DefaultWebhookStoreSize)
	}
	window := cfg.window
	if window <= 0 {
		window = max(DefaultWebhookRedeliveryWindow, cfg.tolerance)
	}
	h := &webhookHandler{secret: secret, handle: handle, cfg: cfg, window: window, configErr: err}
	if err != nil {
		h.faultLog().LogAttrs(context.Background(), slog.LevelError, "lambda: webhook handler misconfigured; every delivery will fail",
			slog.String("error", err.Error()))
	}
	return h
}

type webhookHandler struct {
	secret    string
	handle    func(context.Context, *Event) error
	cfg       *webhookConfig
	window    time.Duration
	configErr error
}

// Format keeps the secrets out of every verb, %+v and %#v included: a
// handler is the kind of value that ends up in a debug print of a router.
func (h *webhookHandler) Format(f fmt.State, _ rune) {
	fmt.Fprint(f, "lambda.WebhookHandler{secret: REDACTED}")
}

func (h *webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		h.refuse(w, r, http.StatusMethodNotAllowed, fmt.Errorf("lambda: webhook sent with method %s, not POST", r.Method))
		return
	}
	if h.configErr != nil {
		h.faultLog().LogAttrs(r.Context(), slog.LevelError, "lambda: webhook refused: the handler is misconfigured",
			slog.String("error", h.configErr.Error()), slog.String("remote_addr", r.RemoteAddr))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.maxBodyBytes))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			h.refuse(w, r, http.StatusRequestEntityTooLarge,
				fmt.Errorf("%w: more than %d bytes", ErrWebhookTooLarge, tooLarge.Limit))
			return
		}
		h.refuse(w, r, http.StatusBadRequest, fmt.Errorf("lambda: reading webhook body: %w", err))
		return
	}
	ev, err := h.cfg.constructEvent(body, r.Header.Get(h.cfg.signatureHeader), h.secret, h.window)
	if err != nil {
		var attrs []slog.Attr
		if ev != nil { // the signature was good, so the ID is the platform's
			attrs = append(attrs, slog.String("event_id", ev.ID))
		}
		h.refuse(w, r, webhookRefusalStatus(err), err, attrs...)
		return
	}
	h.process(w, r, ev)
}

// process claims ev in the store, runs handle on it, and answers.
func (h *webhookHandler) process(w http.ResponseWriter, r *http.Request, ev *Event) {
	ctx := r.Context()
	evAttrs := []slog.Attr{slog.String("event_id", ev.ID), slog.String("event_type", string(ev.Type))}
	switch err := h.cfg.store.Begin(ctx, ev.ID); {
	case errors.Is(err, ErrWebhookDuplicate):
		h.logAttrs(r, slog.LevelInfo, "lambda: webhook event processed already; acknowledged without calling handle", evAttrs...)
		w.WriteHeader(http.StatusOK)
		return
	case errors.Is(err, ErrWebhookInProgress):
		h.refuse(w, r, http.StatusConflict, err, evAttrs...)
		return
	case err != nil:
		h.refuse(w, r, http.StatusInternalServerError, fmt.Errorf("lambda: webhook event store: %w", err), evAttrs...)
		return
	}
	err := h.run(ctx, ev)
	if ferr := h.cfg.store.Finish(context.WithoutCancel(ctx), ev.ID, err == nil); ferr != nil {
		h.faultLog().LogAttrs(ctx, slog.LevelError, "lambda: webhook event store could not record the outcome",
			append(evAttrs, slog.String("error", ferr.Error()))...)
	}
	if err != nil {
		var p *webhookPanic
		if errors.As(err, &p) {
			h.faultLog().LogAttrs(ctx, slog.LevelError, "lambda: webhook handle function panicked; answering 500 so it is redelivered",
				append(evAttrs, slog.String("panic", fmt.Sprint(p.value)), slog.String("stack", string(p.stack)))...)
			if p.value == http.ErrAbortHandler {
				panic(http.ErrAbortHandler) // the caller asked net/http to abort the answer
			}
		} else {
			h.logAttrs(r, slog.LevelError, "lambda: webhook handle function failed; answering 500 so it is redelivered",
				append(evAttrs, slog.String("error", err.Error()))...)
		}
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// webhookPanic is what run returns when handle panicked.
type webhookPanic struct {
	value any
	stack []byte
}

func (p *webhookPanic) Error() string {
	return fmt.Sprintf("lambda: webhook handle function panicked: %v", p.value)
}

// run calls handle, turning a panic into an error so that the claim is
// released and the platform gets its 500.
func (h *webhookHandler) run(ctx context.Context, ev *Event) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = &webhookPanic{value: v, stack: debug.Stack()}
		}
	}()
	return h.handle(ctx, ev)
}

// webhookRefusalStatus maps a ConstructEvent error to the answer the sender
// gets: 401 for who sent it, 400 for what was sent, 500 for our own faults.
func webhookRefusalStatus(err error) int {
	switch {
	case errors.Is(err, ErrWebhookNotSigned), errors.Is(err, ErrWebhookInvalidSignature):
		return http.StatusUnauthorized
	case errors.Is(err, ErrWebhookMalformed), errors.Is(err, ErrWebhookTooOld):
		return http.StatusBadRequest
	case errors.Is(err, ErrWebhookTooLarge):
		return http.StatusRequestEntityTooLarge
	default:
		return http.StatusInternalServerError
	}
}

func (h *webhookHandler) refuse(w http.ResponseWriter, r *http.Request, status int, err error, attrs ...slog.Attr) {
	level := slog.LevelWarn
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	attrs = append(attrs, slog.Int("status", status), slog.String("error", err.Error()))
	h.logAttrs(r, level, "lambda: webhook refused", attrs...)
	http.Error(w, http.StatusText(status), status)
}

func (h *webhookHandler) logAttrs(r *http.Request, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.cfg.log == nil {
		return
	}
	attrs = append(attrs, slog.String("remote_addr", r.RemoteAddr))
	h.cfg.log.LogAttrs(r.Context(), level, msg, attrs...)
}

// faultLog is where faults on the receiving side go: the configured logger,
// else slog.Default(), because a receiver that can never work, or whose
// function panics, must not fail silently.
func (h *webhookHandler) faultLog() *slog.Logger {
	if h.cfg.log != nil {
		return h.cfg.log
	}
	return slog.Default()
}
