package lambda

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"time"
)

// SignatureHeader is the HTTP header in which the platform sends a webhook's
// signature: "sha256=" followed by the lower-case hex HMAC-SHA256 of the raw
// request body, keyed with the subscription's secret.
const SignatureHeader = "X-Lambda-Signature"

// DefaultWebhookTolerance is how far an event's timestamp may be from now,
// in either direction, before ConstructEvent refuses it as a replay. It is
// also how far in the future WebhookHandler lets a timestamp be (clock skew).
const DefaultWebhookTolerance = 5 * time.Minute

// DefaultWebhookRedeliveryWindow is how old an event WebhookHandler accepts:
// as long as a platform keeps delivering an event its receiver failed (three
// days is the common practice). The handler remembers the events it
// processed, so an old event is processed only if it was not processed yet.
const DefaultWebhookRedeliveryWindow = 72 * time.Hour

// DefaultWebhookMaxBodyBytes is the largest request body WebhookHandler reads.
const DefaultWebhookMaxBodyBytes int64 = 1 << 20

// Errors returned when a webhook is refused. Match them with errors.Is; the
// returned errors wrap them with detail, but never the secret or the
// signature the secret would have produced.
var (
	// ErrWebhookNotSigned means the signature header was empty or absent,
	// and the body had no "signature" member either.
	ErrWebhookNotSigned = errors.New("lambda: webhook is not signed")
	// ErrWebhookInvalidSignature means the signature is malformed or does
	// not match the payload under any accepted secret.
	ErrWebhookInvalidSignature = errors.New("lambda: webhook signature is invalid")
	// ErrWebhookNoSecret means the secret is empty. An empty HMAC key is
	// public, so anyone could sign; such a configuration is refused.
	ErrWebhookNoSecret = errors.New("lambda: no webhook secret configured")
	// ErrWebhookTooOld means the event's timestamp is further from now than
	// the tolerance, in the past or in the future: a replay, or a clock far off.
	ErrWebhookTooOld = errors.New("lambda: webhook timestamp is outside the tolerance")
	// ErrWebhookMalformed means a correctly signed body is not a valid event.
	ErrWebhookMalformed = errors.New("lambda: webhook body is not a valid event")
	// ErrWebhookTooLarge means the request body is over the size cap.
	ErrWebhookTooLarge = errors.New("lambda: webhook body is too large")
)

// webhookSignaturePrefix starts every signature; the API documentation compares it byte for byte.
const webhookSignaturePrefix = "sha256="

// SignWebhookPayload returns the signature the platform sends for payload
// under secret: "sha256=" and the lower-case hex HMAC-SHA256 of payload,
// keyed with the bytes of secret. It is meant for tests that deliver signed
// events to their own handlers. VerifyWebhookSignature refuses an empty
// secret even though this function will sign with one.
func SignWebhookPayload(payload []byte, secret string) string {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(payload)
	return webhookSignaturePrefix + hex.EncodeToString(mac.Sum(nil))
}

// VerifyWebhookSignature checks that signature (the value of the
// SignatureHeader) is the signature of payload, the raw request body, under
// secret. It returns nil exactly when the platform's reference check,
// verifyWebhook(payload, signature, secret) in JavaScript, returns true,
// except that an empty secret is refused with ErrWebhookNoSecret. The
// comparison is byte-exact (upper-case hex, surrounding spaces or a missing
// "sha256=" all fail) and takes constant time.
//
// The errors wrap ErrWebhookNoSecret, ErrWebhookNotSigned or
// ErrWebhookInvalidSignature. It checks neither the event's timestamp nor
// its shape; ConstructEvent does both.
func VerifyWebhookSignature(payload []byte, signature, secret string) error {
	if secret == "" {
		return ErrWebhookNoSecret
	}
	return verifyWebhookSecrets(payload, signature, []string{secret})
}

// verifyWebhookSecrets accepts signature if it was made with any of secrets, none of
// which is empty. Every secret is tried, and the results combined without
// branching, so the time taken does not tell which secret matched.
func verifyWebhookSecrets(payload []byte, signature string, secrets []string) error {
	if signature == "" {
		return ErrWebhookNotSigned
	}
	// The shape check depends only on what the sender sent, so returning
	// early here leaks nothing about the secrets.
	if !wellFormedWebhookSignature(signature) {
		return fmt.Errorf("%w: want %q followed by 64 lower-case hex digits", ErrWebhookInvalidSignature, webhookSignaturePrefix)
	}
	// Decoding the sender's hex rather than encoding each expected MAC keeps
	// secret-derived bytes out of table lookups. Since the shape check allows
	// only lower-case hex, equal MACs mean byte-equal strings, as in the API documentation.
	got, err := hex.DecodeString(signature[len(webhookSignaturePrefix):])
	if err != nil {
		return fmt.Errorf("%w: the hex does not decode", ErrWebhookInvalidSignature)
	}
	match := 0
	for _, secret := range secrets {
		mac := hmac.New(sha256.New, []byte(secret))
		mac.Write(payload)
		match |= subtle.ConstantTimeCompare(got, mac.Sum(nil))
	}
	if match != 1 {
		return fmt.Errorf("%w: it does not match the payload", ErrWebhookInvalidSignature)
	}
	return nil
}

// wellFormedWebhookSignature reports whether s has the only shape the reference
// check can accept: the prefix and 64 lower-case hex digits.
func wellFormedWebhookSignature(s string) bool {
	if len(s) != len(webhookSignaturePrefix)+2*sha256.Size || s[:len(webhookSignaturePrefix)] != webhookSignaturePrefix {
		return false
	}
	for _, c := range []byte(s[len(webhookSignaturePrefix):]) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// EventType names what happened, such as "instance.created". Types this SDK
// does not know are still delivered; compare against the constants below.
type EventType string

// The event types the platform sends.
const (
	EventInstanceCreated   EventType = "instance.created"
	EventInstanceStarted   EventType = "instance.started"
	EventInstanceStopped   EventType = "instance.stopped"
	EventInstanceRestarted EventType = "instance.restarted"
	EventInstanceResized   EventType = "instance.resized"
	EventInstanceDeleted   EventType = "instance.deleted"
	EventVolumeCreated     EventType = "volume.created"
	EventVolumeAttached    EventType = "volume.attached"
	EventVolumeDetached    EventType = "volume.detached"
	EventVolumeResized     EventType = "volume.resized"
	EventVolumeDeleted     EventType = "volume.deleted"
	EventSnapshotCreated   EventType = "snapshot.created"
	EventSnapshotRestored  EventType = "snapshot.restored"
)

// Event is one webhook delivery. Data holds the type-specific object; decode
// it with InstanceData, VolumeData or SnapshotData, or with json.Unmarshal.
type Event struct {
	ID        string          `json:"id"`
	Type      EventType       `json:"type"`
	Timestamp time.Time       `json:"timestamp"`
	Data      json.RawMessage `json:"data"`
	// Signature is the body's own "signature" member, as the API documentation shows it
	// ("sha256=…"), or "" when the body had none. It was checked when no
	// signature header came; see WithWebhookSignatureHeader for the reading.
	Signature string `json:"signature,omitempty"`
}

// ConstructEvent verifies payload, the raw request body, against signature
// (the SignatureHeader value; "" when the request had none, and then the
// body's own "signature" member is checked, see WithWebhookSignatureHeader)
// and secret as VerifyWebhookSignature does,
// then decodes the event and refuses it if its timestamp is more than the
// tolerance (DefaultWebhookTolerance unless changed by WithWebhookTolerance or
// WithoutWebhookTimestampCheck) after now, or older than the tolerance (or
// than WithWebhookRedeliveryWindow, when given). The payload is parsed only
// once its signature is known to be good.
//
// Refusals wrap ErrWebhookNoSecret, ErrWebhookNotSigned,
// ErrWebhookInvalidSignature, ErrWebhookMalformed or ErrWebhookTooOld. An
// invalid option is reported as an error that wraps none of them.
//
// The platform delivers at least once: the same event can arrive again, even
// while an earlier delivery of it is still being processed. ConstructEvent
// remembers nothing, so its short default tolerance is its only defence
// against a replay, and it also refuses a redelivery that comes late. To
// accept late redeliveries yet process each event once, widen the window with
// WithWebhookRedeliveryWindow and claim each event in a WebhookEventStore by
// Event.ID before acting on it, as WebhookHandler does.
func ConstructEvent(payload []byte, signature string, secret string, opts ...WebhookOption) (*Event, error) {
	cfg, err := newWebhookConfig(opts)
	if err != nil {
		return nil, err
	}
	ev, err := cfg.constructEvent(payload, signature, secret, cfg.window)
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// constructEvent is ConstructEvent with the oldest age accepted given (0 for
// the tolerance). When the event decodes but is refused for its age, the event
// comes back beside the error so that a refusal can be logged with its ID.
func (cfg *webhookConfig) constructEvent(payload []byte, signature, secret string, window time.Duration) (*Event, error) {
	if secret == "" {
		return nil, ErrWebhookNoSecret
	}
	secrets := append([]string{secret}, cfg.moreSecrets...)
	signed := payload
	if signature == "" { // no header: the signature may be in the body, as the API documentation shows it
		if sig, rest, err := bodySignature(payload); err == nil {
			signature, signed = sig, rest
		}
	}
	if err := verifyWebhookSecrets(signed, signature, secrets); err != nil {
		return nil, err
	}
	var ev Event
	if err := json.Unmarshal(payload, &ev); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrWebhookMalformed, err)
	}
	switch {
	case ev.ID == "":
		return nil, fmt.Errorf("%w: no id", ErrWebhookMalformed)
	case ev.Type == "":
		return nil, fmt.Errorf("%w: no type", ErrWebhookMalformed)
	}
	if cfg.tolerance > 0 {
		if window <= 0 {
			window = cfg.tolerance
		}
		if err := checkWebhookTime(ev.Timestamp, cfg.now(), cfg.tolerance, window); err != nil {
			return &ev, err
		}
	}
	return &ev, nil
}

// checkWebhookTime refuses a timestamp more than ahead after now or more
// than behind before it: a future timestamp must not be a way around the check.
// The times are compared, not subtracted, so that a timestamp centuries away
// (where time.Time.Sub saturates) is still judged right.
func checkWebhookTime(ts, now time.Time, ahead, behind time.Duration) error {
	if ts.IsZero() {
		return fmt.Errorf("%w: no timestamp, so its age cannot be checked", ErrWebhookMalformed)
	}
	switch {
	case ts.Before(now.Add(-behind)):
		return fmt.Errorf("%w: timestamp %s is %s old, more than %s", ErrWebhookTooOld,
			ts.Format(time.RFC3339Nano), webhookGap(now, ts), behind)
	case ts.After(now.Add(ahead)):
		return fmt.Errorf("%w: timestamp %s is %s in the future, more than %s", ErrWebhookTooOld,
			ts.Format(time.RFC3339Nano), webhookGap(ts, now), ahead)
	}
	return nil
}

// webhookGap prints how far later is after earlier, to the millisecond so
// that an event 5m0.3s old does not read as "5m0s old, more than 5m0s", and
// without the saturated value Sub gives for gaps beyond about 292 years.
func webhookGap(later, earlier time.Time) string {
	d := later.Sub(earlier)
	if d == math.MaxInt64 {
		return "more than 292 years"
	}
	return d.Round(time.Millisecond).String()
}

// WebhookOption changes how ConstructEvent and WebhookHandler accept events.
// The last of several options setting the same thing wins, except
// WithWebhookSecrets, which adds up.
type WebhookOption func(*webhookConfig) error

// webhookConfig is what the WebhookOptions set. A tolerance of 0 means the
// timestamp is not checked; a window of 0 means none was given.
type webhookConfig struct {
	signatureHeader string
	moreSecrets     []string
	tolerance       time.Duration
	window          time.Duration
	now             func() time.Time
	maxBodyBytes    int64
	log             *slog.Logger
	store           WebhookEventStore
}

// newWebhookConfig applies opts over the defaults. Every valid option is
// applied even when another is invalid, so that WebhookHandler still has its
// logger to report the invalid one.
func newWebhookConfig(opts []WebhookOption) (*webhookConfig, error) {
	cfg := &webhookConfig{
		signatureHeader: SignatureHeader,
		tolerance:       DefaultWebhookTolerance,
		now:             time.Now,
		maxBodyBytes:    DefaultWebhookMaxBodyBytes,
	}
	var errs []error
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		// A bad value is an error matching ErrInvalidRequest, as with
		// every option of the package (see Options in the package doc).
		if err := opt(cfg); err != nil {
			errs = append(errs, &Error{Code: CodeInvalidRequest, Message: strings.TrimPrefix(err.Error(), "lambda: ")})
		}
	}
	return cfg, errors.Join(errs...)
}

// WithWebhookTolerance sets how far an event's timestamp may be from now, in either
// direction, before it is refused with ErrWebhookTooOld. It must be positive:
// a zero from a missing setting must not silently turn the check off, so
// that takes WithoutWebhookTimestampCheck.
func WithWebhookTolerance(d time.Duration) WebhookOption {
	return func(cfg *webhookConfig) error {
		if d <= 0 {
			return fmt.Errorf("lambda: WithWebhookTolerance(%s): the tolerance must be positive; use WithoutWebhookTimestampCheck to turn the check off", d)
		}
		cfg.tolerance = d
		return nil
	}
}

// WithWebhookRedeliveryWindow sets how old an event may be and still be
// accepted (WebhookHandler's default is DefaultWebhookRedeliveryWindow;
// ConstructEvent's is the tolerance). Set it at least as long as the
// platform keeps redelivering a failed event, or an event this receiver
// failed is refused when it comes again. Beyond the tolerance, only a
// WebhookEventStore keeps a replayed event from being processed twice.
func WithWebhookRedeliveryWindow(d time.Duration) WebhookOption {
	return func(cfg *webhookConfig) error {
		if d <= 0 {
			return fmt.Errorf("lambda: WithWebhookRedeliveryWindow(%s): the window must be positive", d)
		}
		cfg.window = d
		return nil
	}
}

// WithWebhookEventStore makes WebhookHandler claim each event in store before
// calling its function, instead of in its own in-memory store of the last
// DefaultWebhookStoreSize events. Give a store shared by every replica of the
// receiver to process each event once across them. It has no effect on
// ConstructEvent.
func WithWebhookEventStore(store WebhookEventStore) WebhookOption {
	return func(cfg *webhookConfig) error {
		if store == nil {
			return errors.New("lambda: WithWebhookEventStore(nil): the store must not be nil")
		}
		cfg.store = store
		return nil
	}
}

// WithoutWebhookTimestampCheck accepts events whatever their timestamp, leaving
// replayed deliveries to the caller to detect (WebhookHandler still claims
// each in its WebhookEventStore). The signature is still checked.
func WithoutWebhookTimestampCheck() WebhookOption {
	return func(cfg *webhookConfig) error {
		cfg.tolerance = 0
		return nil
	}
}

// WithWebhookClock sets the source of "now" for the timestamp check, for tests.
func WithWebhookClock(now func() time.Time) WebhookOption {
	return func(cfg *webhookConfig) error {
		if now == nil {
			return errors.New("lambda: WithWebhookClock(nil): the clock must not be nil")
		}
		cfg.now = now
		return nil
	}
}

// WithWebhookSecrets accepts signatures made with any of these secrets as well as
// the one passed to ConstructEvent or WebhookHandler, so that a secret can be
// rotated without refusing deliveries signed with the old one. Every secret
// is tried on every event, in constant time. Empty strings are skipped, so an
// unset "previous secret" setting simply means no rotation is under way.
func WithWebhookSecrets(more ...string) WebhookOption {
	return func(cfg *webhookConfig) error {
		for _, s := range more {
			if s != "" {
				cfg.moreSecrets = append(cfg.moreSecrets, s)
			}
		}
		return nil
	}
}

// WithWebhookMaxBodyBytes caps the request body WebhookHandler reads (default
// DefaultWebhookMaxBodyBytes); a larger body is answered 413. It has no
// effect on ConstructEvent, whose caller has already read the body.
func WithWebhookMaxBodyBytes(n int64) WebhookOption {
	return func(cfg *webhookConfig) error {
		if n <= 0 {
			return fmt.Errorf("lambda: WithWebhookMaxBodyBytes(%d): the cap must be positive", n)
		}
		cfg.maxBodyBytes = n
		return nil
	}
}

// WithWebhookErrorLog makes WebhookHandler log each refused delivery and each error
// returned by the handle function to l. Secrets and signatures are never
// logged. Without it, refusals are not logged, but a misconfigured handler
// and a panicking handle function are logged through slog.Default(), since
// they are faults on the receiving side that nothing else would report. It
// has no effect on ConstructEvent.
func WithWebhookErrorLog(l *slog.Logger) WebhookOption {
	return func(cfg *webhookConfig) error {
		cfg.log = l
		return nil
	}
}
