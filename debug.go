package lambda

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"sync"
)

// WithDebugWriter writes every request the client sends and every response
// it gets to w, headers and bodies, for debugging: each attempt, retries
// and redirects included, as it goes over the wire. Credentials and
// secrets are replaced by [REDACTED]: the Authorization, X-API-Key,
// Cookie and Set-Cookie headers; JSON fields that hold secrets ("secret",
// as in a webhook subscription, "key", as in a new API key, OAuth's
// "access_token", "refresh_token", "id_token" and "client_secret",
// "password", "token"); and the client's own API key or OAuth token
// wherever else it appears. Bodies are shown up to 64 KiB each.
//
// Each request and each response is one Write, so w may be shared by
// goroutines if its Write is safe for concurrent use (os.Stderr is). Do not
// leave it on in production: the dump holds your data, and costs a copy of
// every body.
func WithDebugWriter(w io.Writer) Option {
	return func(c *config) error {
		if w == nil {
			return errors.New("lambda: WithDebugWriter: the writer is nil")
		}
		c.debugWriter = w
		return nil
	}
}

// debugBodyLimit is what is shown of one body.
const debugBodyLimit = 64 << 10

// debugTransport dumps what passes through it. It sits just below the
// credential transport, so it sees the request as sent, and redacts.
type debugTransport struct {
	base   http.RoundTripper
	w      io.Writer
	client *Client
	mu     sync.Mutex // one dump at a time, whatever w is
}

func (t *debugTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	red := t.client.redactorFor(callSecrets(req.Context())) // the credential, and what the call sent
	var body []byte
	if req.Body != nil && req.Body != http.NoBody {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	var dump bytes.Buffer
	fmt.Fprintf(&dump, "--- lambda: request ---\n%s %s %s\n", req.Method, req.URL, req.Proto)
	writeDebugHeader(&dump, req.Header)
	t.writeBody(&dump, body, red)
	t.write(dump.Bytes(), red)

	resp, err := t.base.RoundTrip(req)
	dump.Reset()
	if err != nil {
		fmt.Fprintf(&dump, "--- lambda: no response to %s %s ---\n%v\n\n", req.Method, req.URL, err)
		t.write(dump.Bytes(), red)
		return nil, err
	}
	fmt.Fprintf(&dump, "--- lambda: response to %s %s ---\n%s %s\n", req.Method, req.URL, resp.Proto, resp.Status)
	writeDebugHeader(&dump, resp.Header)
	if resp.StatusCode == http.StatusSwitchingProtocols || resp.Body == nil {
		dump.WriteString("\n") // a WebSocket's body is the connection: not read here
		t.write(dump.Bytes(), red)
		return resp, nil
	}
	// Read past the limit by the longest secret's forms: one that starts
	// before the cut is redacted whole, not left half in view.
	all, rerr := io.ReadAll(io.LimitReader(resp.Body, int64(debugBodyLimit+red.margin()+1)))
	t.writeBody(&dump, all, red)
	if rerr != nil {
		fmt.Fprintf(&dump, "(reading the body failed: %v)\n\n", rerr)
	}
	t.write(dump.Bytes(), red)
	// The caller reads the same bytes, then the rest, then the same error.
	rest := io.Reader(resp.Body)
	if rerr != nil {
		rest = errReader{rerr}
	}
	resp.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(all), rest), resp.Body}
	return resp, nil
}

// write redacts the client's credential and the call's secrets wherever
// they appear, then writes.
func (t *debugTransport) write(p []byte, red *redactor) {
	if red != nil {
		p = []byte(red.String(string(p)))
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	_, _ = t.w.Write(p) // a failing debug writer must not fail the call
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// debugRedactedHeaders carry credentials, whoever set them.
var debugRedactedHeaders = []string{"Authorization", "X-Api-Key", "Cookie", "Set-Cookie", "Proxy-Authorization"}

func writeDebugHeader(b *bytes.Buffer, h http.Header) {
	keys := make([]string, 0, len(h))
	for k := range h {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, v := range h[k] {
			if slices.Contains(debugRedactedHeaders, http.CanonicalHeaderKey(k)) {
				v = redacted
			}
			fmt.Fprintf(b, "%s: %s\n", k, v)
		}
	}
	b.WriteString("\n")
}

// debugSecretField matches a JSON member that holds a secret, with its
// string value; a value cut off by the size limit matches to the end.
var debugSecretField = regexp.MustCompile(
	`("(?:secret|key|access_token|refresh_token|id_token|client_secret|password|token)"\s*:\s*)"(?:[^"\\]|\\.)*(?:"|\\?$)`)

// writeBody writes body with its secret fields and the client's credential
// redacted, then cut to debugBodyLimit: redacting first, so that a cut
// cannot leave half a secret unrecognised.
func (t *debugTransport) writeBody(b *bytes.Buffer, body []byte, red *redactor) {
	if len(body) == 0 {
		return
	}
	body = debugSecretField.ReplaceAll(body, []byte(`${1}"`+redacted+`"`))
	if red != nil {
		body = []byte(red.String(string(body)))
	}
	if len(body) > debugBodyLimit {
		body = append(body[:debugBodyLimit:debugBodyLimit], "\n(cut: the rest is not shown)"...)
	}
	b.Write(body)
	b.WriteString("\n\n")
}
