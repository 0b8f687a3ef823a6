package lambda

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
)

// redacted is what a Secret prints instead of its value.
const redacted = "[REDACTED]"

// Secret holds a credential: the key of a new API key, or a webhook
// subscription's signing secret. It never shows its value by accident: fmt
// (every verb, %+v and %#v included), slog and encoding/json all print
// "[REDACTED]" (or nothing for an empty Secret). Reveal returns the value
// when you mean to use it.
//
// Because json.Marshal redacts it, a struct holding a Secret does not
// survive a JSON round trip with its value: store Reveal's result instead.
type Secret struct {
	value string
}

// NewSecret wraps a credential, e.g. for CreateWebhookRequest.Secret.
func NewSecret(value string) Secret { return Secret{value: value} }

// Reveal returns the credential itself. Do not log it.
func (s Secret) Reveal() string { return s.value }

// IsZero reports whether the Secret is empty.
func (s Secret) IsZero() bool { return s.value == "" }

// String returns "[REDACTED]", or "" for an empty Secret.
func (s Secret) String() string {
	if s.value == "" {
		return ""
	}
	return redacted
}

// GoString prints the Secret as Go syntax without its value, for %#v.
func (s Secret) GoString() string {
	if s.value == "" {
		return "lambda.Secret{}"
	}
	return "lambda.Secret{/* " + redacted + " */}"
}

// Format keeps every fmt verb, %x and %q included, away from the value.
func (s Secret) Format(f fmt.State, verb rune) {
	switch {
	case verb == 'v' && f.Flag('#'):
		io.WriteString(f, s.GoString())
	case verb == 'q':
		fmt.Fprintf(f, "%q", s.String())
	default:
		io.WriteString(f, s.String())
	}
}

// LogValue redacts the Secret in slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalJSON writes "[REDACTED]" (or "" when empty), never the value, so
// that a struct logged or dumped as JSON does not leak it.
func (s Secret) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON reads the value from a JSON string; null leaves s unchanged.
func (s *Secret) UnmarshalJSON(data []byte) error {
	if string(data) == "null" {
		return nil
	}
	var v string
	if err := json.Unmarshal(data, &v); err != nil {
		return fmt.Errorf("lambda: a secret must be a JSON string")
	}
	s.value = v
	return nil
}
