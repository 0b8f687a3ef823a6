package lambda

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
)

// WebhookHandler returns an http.Handler that receives the platform's
// webhook deliveries, signed with secret, and passes each accepted event to
// handle with the request's context.
//
// It accepts only POST (405 otherwise), reads at most WithWebhookMaxBodyBytes of
// body (413 beyond), and then checks the delivery as ConstructEvent does: a
// missing or wrong signature is answered 401; a body that is not an event,
// or whose timestamp is outside the tolerance, 400. None of these reach
// handle. When handle returns nil the answer is 204 No Content; when it
// returns an error the answer is 500, so that the platform delivers the
// event again, and the error's text is not sent back. An empty secret, a nil
// handle or an invalid option makes every POST fail with 500, since the
// fault is on this side and redelivery may succeed once it is fixed.
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
	if err != nil && cfg.log != nil {
		cfg.log.LogAttrs(context.Background(), slog.LevelError, "lambda: webhook handler misconfigured; every delivery will fail",
			slog.String("error", err.Error()))
	}
	return &webhookHandler{secret: secret, handle: handle, cfg: cfg, configErr: err}
}

type webhookHandler struct {
	secret    string
	handle    func(context.Context, *Event) error
	cfg       *webhookConfig
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
		h.refuse(w, r, http.StatusInternalServerError, h.configErr)
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
	ev, err := h.cfg.constructEvent(body, r.Header.Get(SignatureHeader), h.secret)
	if err != nil {
		h.refuse(w, r, webhookRefusalStatus(err), err)
		return
	}
	if err := h.handle(r.Context(), ev); err != nil {
		h.logAttrs(r, slog.LevelError, "lambda: webhook handle function failed; answering 500 so it is redelivered",
			slog.String("event_id", ev.ID), slog.String("event_type", string(ev.Type)), slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
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

func (h *webhookHandler) refuse(w http.ResponseWriter, r *http.Request, status int, err error) {
	level := slog.LevelWarn
	if status >= http.StatusInternalServerError {
		level = slog.LevelError
	}
	h.logAttrs(r, level, "lambda: webhook refused", slog.Int("status", status), slog.String("error", err.Error()))
	http.Error(w, http.StatusText(status), status)
}

func (h *webhookHandler) logAttrs(r *http.Request, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.cfg.log == nil {
		return
	}
	attrs = append(attrs, slog.String("remote_addr", r.RemoteAddr))
	h.cfg.log.LogAttrs(r.Context(), level, msg, attrs...)
}
