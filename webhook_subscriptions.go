package lambda

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// WebhookSubscription is a URL subscribed to events. The API never returns
// the signing secret.
type WebhookSubscription struct {
	ID        string      `json:"id"`
	URL       string      `json:"url"`
	Events    []EventType `json:"events"`
	CreatedAt time.Time   `json:"created_at"`
}

// CreateWebhookRequest is the body of Webhooks.Create. Secret is the key
// the platform signs each event with; give the same value to
// WebhookHandler or VerifyWebhookSignature on the receiving side.
type CreateWebhookRequest struct {
	// URL receives the events: https, or http on a loopback host only.
	URL string
	// Events lists the event types to deliver; at least one.
	Events []EventType
	// Secret is the signing key, wrapped so that it never prints: set it
	// with NewSecret.
	Secret Secret
}

// createWebhookBody is the wire form of CreateWebhookRequest: the one place
// the secret is revealed, to send it.
type createWebhookBody struct {
	URL    string      `json:"url"`
	Events []EventType `json:"events"`
	Secret string      `json:"secret"`
}

// Create subscribes a URL to events. The request is checked before it is
// sent; a refusal is an *Error matching ErrInvalidRequest. No error, log
// line or ResponseInfo field ever contains the secret, in any encoding a
// server may quote it back in.
func (s *WebhooksService) Create(ctx context.Context, req *CreateWebhookRequest, opts ...RequestOption) (*WebhookSubscription, error) {
	if req == nil {
		req = &CreateWebhookRequest{}
	}
	if err := req.validate(); err != nil {
		return nil, err
	}
	body := createWebhookBody{URL: req.URL, Events: req.Events, Secret: req.Secret.Reveal()}
	sub := new(WebhookSubscription)
	_, err := clientOf(s).do(ctx, call{method: http.MethodPost, path: "/webhooks", body: body, out: sub, opts: opts,
		secrets: []string{body.Secret}})
	if err != nil {
		sub = nil
	}
	var e *Error
	if errors.As(err, &e) && e.Details != nil && e.Details.Field == "secret" {
		e.Details.Value = nil // a refusal of the secret may quote it back
	}
	return sub, err
}

// validate refuses what the API would: the URL is not echoed either, since
// webhook URLs often carry a token.
func (r *CreateWebhookRequest) validate() error {
	u, err := url.Parse(r.URL)
	switch {
	case err != nil || u.Hostname() == "" || (u.Scheme != "https" && u.Scheme != "http"):
		return invalidField("url", "the webhook URL must be an absolute https URL")
	case u.Scheme == "http" && !isLoopback(strings.ToLower(u.Hostname())):
		return invalidField("url", "the webhook URL must use https (http is accepted on loopback only)")
	case len(r.Events) == 0:
		return invalidField("events", "subscribe to at least one event type")
	case r.Secret.IsZero():
		return invalidField("secret", "the webhook secret is empty")
	}
	for _, e := range r.Events {
		if strings.TrimSpace(string(e)) == "" {
			return invalidField("events", "an event type is empty")
		}
	}
	return nil
}
