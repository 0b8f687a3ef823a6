package lambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"
)

// Where a webhook's signature travels and what it signs is stated once, in
// the package documentation (doc.go, "Webhook signatures"); this file
// implements it.

// WithWebhookSignatureHeader names the header WebhookHandler reads the
// signature from (default SignatureHeader), for a platform or proxy that
// sends it under another name. When a request lacks the header, the
// body's "signature" member is used (see "Webhook signatures" in the
// package documentation). ConstructEvent
// accepts the option and has nothing to do with it: its caller passes the
// header's value.
func WithWebhookSignatureHeader(name string) WebhookOption {
	return func(cfg *webhookConfig) error {
		if name == "" || strings.ContainsAny(name, " \t\r\n:\x00") {
			return fmt.Errorf("lambda: WithWebhookSignatureHeader(%q): not a header name", name)
		}
		cfg.signatureHeader = textproto.CanonicalMIMEHeaderKey(name)
		return nil
	}
}

// errNoBodySignature means the body has no top-level "signature" string.
var errNoBodySignature = errors.New("no signature member")

// bodySignature finds the top-level "signature" member of a JSON object
// body and returns its value and the body without it (see "Webhook
// signatures" in the package documentation). The body is not trusted: anything but an object with one such
// string member gives errNoBodySignature.
func bodySignature(body []byte) (signature string, signed []byte, err error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return "", nil, errNoBodySignature
	}
	start, end := -1, -1
	for dec.More() {
		keyStart := int(dec.InputOffset())
		key, err := dec.Token()
		if err != nil {
			return "", nil, errNoBodySignature
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return "", nil, errNoBodySignature
		}
		if key != "signature" {
			continue
		}
		if start >= 0 || json.Unmarshal(value, &signature) != nil {
			return "", nil, errNoBodySignature // two members, or not a string: refuse to guess
		}
		start, end = keyStart, int(dec.InputOffset())
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') || start < 0 {
		return "", nil, errNoBodySignature
	}
	if _, err := dec.Token(); err != io.EOF {
		return "", nil, errNoBodySignature
	}
	// InputOffset after a key is before the separator that follows the
	// previous value: skip it, and the spaces, to the key's quote.
	start = skipSpace(body, start)
	if start < len(body) && body[start] == ',' {
		start = skipSpace(body, start+1)
	}
	// The member goes with the comma before it, or, if it was first, with
	// the comma after it.
	before := bytes.TrimRight(body[:start], " \t\r\n")
	if len(before) > 0 && before[len(before)-1] == ',' {
		start = len(before) - 1
	} else if after := skipSpace(body, end); after < len(body) && body[after] == ',' {
		end = after + 1
	}
	signed = make([]byte, 0, len(body)-(end-start))
	signed = append(append(signed, body[:start]...), body[end:]...)
	return signature, signed, nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r' || b[i] == '\n') {
		i++
	}
	return i
}
