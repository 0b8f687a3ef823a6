package lambda

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/lambda/lambda-go/internal/auth"
	"github.com/lambda/lambda-go/internal/retry"
)

// A server may quote back what it was sent: a proxy's error page listing
// the request headers, an X-Request-Id echoing the Authorization value, a
// validation error quoting the field it refused. The client's credential
// and the secrets a call sent (a webhook's signing secret) are replaced by
// "REDACTED" in everything built from an answer: every field of an error,
// every log line, every ResponseInfo field. A server writes them in many
// encodings, so each is searched for in the forms a server plausibly uses
// (secretForms), whatever the case of their ASCII letters and across white
// space and escaped line breaks (redactor); JSON is also decoded before it
// is searched, so that any escaping of a JSON string is undone first.

// minSecretLen is the shortest secret redacted: a shorter one would blot
// out ordinary words, and cannot be kept secret anyway.
const minSecretLen = 6

// redactor replaces a set of secrets, in all their forms, by "REDACTED".
// It finds a form whatever the case of its ASCII letters, and across white
// space and the JSON escapes of line breaks and tabs (\n, \r, \t): a server
// may change the case of what it echoes, or wrap its line (a log, a MIME
// base64 block). It searches a skeleton of the text, the text folded the
// same way, and redacts the span of the text each match covers.
type redactor struct {
	raw   []string // the secrets themselves, to tell the sets apart
	forms []string // every form of every secret, as skeletons, longest first
	reach int      // the length of the longest form: what a cut must leave beyond it
}

// newRedactor returns a redactor of secrets, or nil when none is long
// enough to redact.
func newRedactor(secrets ...string) *redactor {
	seen := map[string]bool{}
	var forms, raw []string
	for _, s := range secrets {
		if len(s) < minSecretLen || seen[s] {
			continue
		}
		seen[s] = true
		raw = append(raw, s)
		for _, f := range secretForms(s) {
			if f = skeleton(f, true); len(f) >= minSecretLen && !seen["\x00"+f] {
				seen["\x00"+f] = true
				forms = append(forms, f)
			}
		}
	}
	if len(forms) == 0 {
		return nil
	}
	// Longest first: the longest form sets the margin of a cut.
	sort.SliceStable(forms, func(i, j int) bool { return len(forms[i]) > len(forms[j]) })
	return &redactor{raw: raw, forms: forms, reach: len(forms[0])}
}

// skipped reports how many bytes of s at i a skeleton leaves out: white
// space, and with escapes the JSON escapes \n, \r and \t.
func skipped(s string, i int, escapes bool) int {
	switch s[i] {
	case ' ', '\t', '\n', '\r', '\v', '\f':
		return 1
	case '\\':
		if escapes && i+1 < len(s) && (s[i+1] == 'n' || s[i+1] == 'r' || s[i+1] == 't') {
			return 2
		}
	}
	return 0
}

// skeleton is s as the redactor searches it: ASCII letters in lower case,
// white space (and with escapes, escaped line breaks and tabs) left out.
// It is s itself, with no copy, when s has none of these.
func skeleton(s string, escapes bool) string {
	i := 0
	for i < len(s) && skipped(s, i, escapes) == 0 && !('A' <= s[i] && s[i] <= 'Z') {
		i++
	}
	if i == len(s) {
		return s
	}
	b := make([]byte, i, len(s))
	copy(b, s[:i])
	for i < len(s) {
		if n := skipped(s, i, escapes); n > 0 {
			i += n
			continue
		}
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
		i++
	}
	return string(b)
}

// bits is a set of indexes, a bit each: a text holding a secret a million
// times costs a bit per byte, not a record per match.
type bits []uint64

func (b bits) has(i int) bool { return i/64 < len(b) && b[i/64]&(1<<(i%64)) != 0 }

func (b bits) set(i int) { b[i/64] |= 1 << (i % 64) }

// String redacts s: each run of its bytes that holds a form becomes one
// REDACTED.
func (r *redactor) String(s string) string {
	if r == nil || s == "" {
		return s
	}
	covered := r.mark(s, nil, true)
	if strings.IndexByte(s, '\\') >= 0 {
		// The backslash may be the text's own, before a secret that starts
		// with n, r or t: search without escapes too.
		covered = r.mark(s, covered, false)
	}
	if covered == nil {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		if !covered.has(i) {
			b.WriteByte(s[i])
			i++
			continue
		}
		b.WriteString("REDACTED")
		for i < len(s) && covered.has(i) {
			i++
		}
	}
	return b.String()
}

// mark adds to covered (nil for none yet), a set of the indexes of s, the
// bytes of every form found in s's skeleton, with what the skeleton left
// out between two of them.
func (r *redactor) mark(s string, covered bits, escapes bool) bits {
	sk := skeleton(s, escapes)
	var hits bits // indexes of sk
	for _, f := range r.forms {
		for from := 0; ; {
			i := strings.Index(sk[from:], f)
			if i < 0 {
				break
			}
			if hits == nil {
				hits = make(bits, len(sk)/64+1)
			}
			for j := from + i; j < from+i+len(f); j++ {
				hits.set(j)
			}
			from += i + len(f)
		}
	}
	if hits == nil {
		return covered
	}
	if covered == nil {
		covered = make(bits, len(s)/64+1)
	}
	k, end := 0, -1 // sk's index of s[i]; the end in s of the last byte of sk covered
	for i := 0; i < len(s); {
		if n := skipped(s, i, escapes); n > 0 {
			i += n
			continue
		}
		if hits.has(k) {
			from := i
			if k > 0 && hits.has(k-1) {
				from = end // what was left out since the last one goes too
			}
			for j := from; j <= i; j++ {
				covered.set(j)
			}
			end = i + 1
		}
		i++
		k++
	}
	return covered
}

// margin is how far past a cut a text must be read for a secret that
// starts before the cut to be recognised whole: the longest form.
func (r *redactor) margin() int {
	if r == nil {
		return 0
	}
	return r.reach
}

// value redacts a value decoded from JSON, whatever its type: strings, map
// keys and values, array elements, and a number or anything else whose
// printed form holds a secret.
func (r *redactor) value(v any) any {
	switch v := v.(type) {
	case nil, bool:
		return v
	case string:
		return r.String(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = r.value(x)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[r.String(k)] = r.value(x)
		}
		return out
	default:
		if s := fmt.Sprint(v); r.String(s) != s {
			return r.String(s)
		}
		return v
	}
}

// header returns h with every name and value redacted: h itself when none
// holds a secret, else a copy. A server may echo a secret as a header's
// name as well as in its value.
func (r *redactor) header(h http.Header) http.Header {
	if r == nil {
		return h
	}
	changed := false
	for k, vs := range h {
		if r.String(k) != k {
			changed = true
		}
		for _, v := range vs {
			if r.String(v) != v {
				changed = true
			}
		}
	}
	if !changed {
		return h
	}
	out := make(http.Header, len(h))
	for k, vs := range h {
		name := r.String(k)
		for _, v := range vs {
			out[name] = append(out[name], r.String(v))
		}
	}
	return out
}

// error redacts err: the fields of the *Error in its chain, in place, and
// then, if its text still holds a secret (a wrapper that quoted the
// *Error before, or another error), err behind a redacted text.
func (r *redactor) error(err error) error {
	if r == nil || err == nil {
		return err
	}
	var e *Error
	if errors.As(err, &e) {
		e.Code, e.Message, e.Body, e.RequestID = r.String(e.Code), r.String(e.Message), r.String(e.Body), r.String(e.RequestID)
		e.Permission = r.String(e.Permission)
		if d := e.Details; d != nil {
			d.Field = r.String(d.Field)
			d.Value = r.value(d.Value)
			for i, v := range d.AllowedValues {
				d.AllowedValues[i] = r.String(v)
			}
		}
		if e.cause != nil {
			e.cause = r.error(e.cause)
		}
	}
	if msg := err.Error(); r.String(msg) != msg {
		return &redactedError{msg: r.String(msg), err: err}
	}
	return err
}

// redactedError shows a redacted text, and matches what err matches with
// errors.Is and errors.As, but does not unwrap to it: err's own text holds
// the secret.
type redactedError struct {
	msg string
	err error
}

func (e *redactedError) Error() string        { return e.msg }
func (e *redactedError) Is(target error) bool { return errors.Is(e.err, target) }
func (e *redactedError) As(target any) bool   { return errors.As(e.err, target) }

// credentialRedactor is the redactor of the client's credential: the API
// key, or the OAuth access and refresh tokens (current and lately
// replaced) and the client secret. It is cached until the credential
// changes (a token is renewed); nil when there is nothing to hide.
func (c *Client) credentialRedactor() *redactor {
	secrets := auth.Secrets(c.credential)
	if r := c.redacting.Load(); r != nil && slices.Equal(r.raw, redactable(secrets)) {
		return r
	}
	r := newRedactor(secrets...)
	if r != nil {
		c.redacting.Store(r)
	}
	return r
}

// redactable is secrets as newRedactor keeps them in raw: long enough, once each.
func redactable(secrets []string) []string {
	var out []string
	for _, s := range secrets {
		if len(s) >= minSecretLen && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// redactorFor is the redactor of the client's credential and of the
// secrets one call sent.
func (c *Client) redactorFor(callSecrets []string) *redactor {
	if len(callSecrets) == 0 {
		return c.credentialRedactor()
	}
	return newRedactor(append(auth.Secrets(c.credential), callSecrets...)...)
}

// callSecrets returns the secrets the call of ctx sends (its state's
// Secrets), for the log handler and the debug dump: both see only the
// call's context.
func callSecrets(ctx context.Context) []string {
	if call := retry.FromContext(ctx); call != nil {
		return call.Secrets
	}
	return nil
}

// redactingHandler redacts every log line the client writes: its message
// and every attribute, groups and errors included.
type redactingHandler struct {
	next   slog.Handler
	client *Client
}

var _ slog.Handler = (*redactingHandler)(nil)

// Enabled defers to the caller's handler.
func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.next.Enabled(ctx, l)
}

// Handle passes on r, redacted.
func (h *redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	red := h.client.redactorFor(callSecrets(ctx))
	if red == nil {
		return h.next.Handle(ctx, r)
	}
	out := slog.NewRecord(r.Time, r.Level, red.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(red.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

// WithAttrs redacts attrs with the client's credential.
func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := h.client.credentialRedactor()
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = red.attr(a)
	}
	return &redactingHandler{next: h.next.WithAttrs(out), client: h.client}
}

// WithGroup defers to the caller's handler.
func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{next: h.next.WithGroup(name), client: h.client}
}

func (r *redactor) attr(a slog.Attr) slog.Attr {
	if r == nil {
		return a
	}
	a.Key = r.String(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(r.String(v.String()))
	case slog.KindGroup:
		g := v.Group()
		out := make([]slog.Attr, len(g))
		for i, x := range g {
			out[i] = r.attr(x)
		}
		a.Value = slog.GroupValue(out...)
	case slog.KindAny:
		s := fmt.Sprint(v.Any())
		if red := r.String(s); red != s {
			a.Value = slog.StringValue(red)
		} else {
			a.Value = v
		}
	default:
		a.Value = v
	}
	return a
}
