package lambda_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// hookSecret has what makes encodings differ: non-ASCII, "/", "+", "=".
const hookSecret = "whsec_ü/9+x=Q7k2"

// pyEscape is what Python's json.dumps writes for s: non-ASCII as \uXXXX.
func pyEscape(s string, upper bool) string {
	var b strings.Builder
	for _, r := range s {
		if r < 0x80 {
			b.WriteRune(r)
			continue
		}
		e := fmt.Sprintf(`\u%04x`, r)
		if upper {
			e = `\u` + strings.ToUpper(e[2:])
		}
		b.WriteString(e)
	}
	return b.String()
}

// echoForms are the ways a server writes a secret back, as text to put
// inside a JSON string (so JSON escapes are escapes, not literal text).
func echoForms(s string) map[string]string {
	goJSON, _ := json.Marshal(s)
	var latin1 strings.Builder // each byte read as a Latin-1 character, as WSGI reads headers
	for i := 0; i < len(s); i++ {
		latin1.WriteRune(rune(s[i]))
	}
	return map[string]string{
		"Latin-1 mojibake":  latin1.String(),
		"mojibake \\u":      pyEscape(latin1.String(), false),
		"raw":               s,
		"JSON (Go)":         string(goJSON[1 : len(goJSON)-1]),
		"JSON \\u (Python)": pyEscape(s, false),
		"JSON \\U upper":    pyEscape(s, true),
		"query-escaped":     url.QueryEscape(s),
		"path-escaped":      url.PathEscape(s),
		"base64":            base64.StdEncoding.EncodeToString([]byte(s)),
		"base64url":         base64.RawURLEncoding.EncodeToString([]byte(s)),
		"Basic user":        base64.StdEncoding.EncodeToString([]byte(s + ":")),
		// A server that changes the case, wraps the line, or encodes the
		// secret inside a longer text (a whole header, base64'd at any
		// offset, and wrapped as MIME does).
		"upper case":                      strings.ToUpper(s),
		"ASCII case swapped":              swapCase(s),
		"split across lines":              splitAt(s, 2, `\n`),
		"folded with CRLF and indent":     splitAt(s, 3, `\r\n\t `),
		"base64 after a prefix, offset 1": base64.StdEncoding.EncodeToString([]byte("Bearer " + s)),
		"base64 after a prefix, offset 2": base64.StdEncoding.EncodeToString([]byte("k=" + s)),
		"base64url inside a longer text":  base64.RawURLEncoding.EncodeToString([]byte("token: " + s + "\n")),
		"base64 wrapped at 16 columns":    wrapEvery(base64.StdEncoding.EncodeToString([]byte("Authorization: Bearer "+s)), 16, `\n`),
		"query-escaped twice":             url.QueryEscape(url.QueryEscape(s)),
		"prefix of a longer token":        s + "Zz9yy",
		"upper case, query-escaped":       url.QueryEscape(strings.ToUpper(s)),
	}
}

// swapCase swaps the case of each ASCII letter of s.
func swapCase(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch {
		case 'a' <= c && c <= 'z':
			b[i] = c - 'a' + 'A'
		case 'A' <= c && c <= 'Z':
			b[i] = c - 'A' + 'a'
		}
	}
	return string(b)
}

// splitAt puts sep into s at about len(s)/n, between two characters.
func splitAt(s string, n int, sep string) string {
	i := len(s) / n
	for !utf8.RuneStart(s[i]) {
		i++
	}
	return s[:i] + sep + s[i:]
}

// wrapEvery puts sep after every n bytes of the ASCII text s.
func wrapEvery(s string, n int, sep string) string {
	var b strings.Builder
	for len(s) > n {
		b.WriteString(s[:n] + sep)
		s = s[n:]
	}
	b.WriteString(s)
	return b.String()
}

// base64Cores are what every base64 encoding of a text holding s holds,
// whatever comes before s: the encoding of s's bytes from each of the
// three alignments, in both alphabets, without padding.
func base64Cores(s string) []string {
	var out []string
	for k := 0; k < 3 && k < len(s); k++ {
		m := (len(s) - k) / 3 * 3
		for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
			out = append(out, enc.EncodeToString([]byte(s[k:k+m])))
		}
	}
	return out
}

// folded is text as a leak is looked for in it: in lower case, without
// white space or the JSON escapes of line breaks and tabs, so that a
// secret whose case was changed or whose line was wrapped is found.
func folded(text string) string {
	text = strings.NewReplacer(`\n`, "", `\r`, "", `\t`, "").Replace(text)
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return unicode.ToLower(r)
	}, text)
}

// leakForms are what must not appear in anything the caller can see: the
// secret, and each encoding of it that is not plain ASCII-escaped text.
func leakForms(secrets ...string) []string {
	var out []string
	for _, s := range secrets {
		out = append(out, s, strings.TrimPrefix(s, "λ_sk_"))
		for name, f := range echoForms(s) {
			switch {
			case name == "JSON (Go)": // Go's JSON escaping of these is the raw text
			case strings.Contains(name, "base64") && strings.Contains(name, " "):
				// Inside a longer text: what of it is the secret's own.
			case name == "prefix of a longer token":
			default:
				out = append(out, f)
			}
		}
		out = append(out, base64Cores(s)...)
	}
	return out
}

func assertNoLeak(t *testing.T, where, got string, secrets ...string) {
	t.Helper()
	text := folded(got)
	for _, f := range leakForms(secrets...) {
		if strings.Contains(text, folded(f)) {
			t.Errorf("%s holds a secret (%q) in: %s", where, f, got)
		}
	}
}

// everything is every view of an error and a ResponseInfo the caller has.
func everything(err error, info *lambda.ResponseInfo) map[string]string {
	views := map[string]string{
		"err.Error()": err.Error(),
		"%v %+v %#v":  fmt.Sprintf("%v %+v %#v", err, err, err),
		"%#v info":    fmt.Sprintf("%#v", *info),
	}
	if b, jerr := json.Marshal(info); jerr == nil {
		views["json info"] = string(b)
	}
	var lerr *lambda.Error
	if errors.As(err, &lerr) {
		b, _ := json.Marshal(lerr)
		views["json *Error"] = string(b)
		views["%#v *Error"] = fmt.Sprintf("%#v %#v", *lerr, lerr.Details)
		if lerr.Details != nil {
			views["%#v Details.Value"] = fmt.Sprintf("%#v %v", lerr.Details.Value, lerr.Details.Value)
		}
	}
	i := 0
	for e := errors.Unwrap(err); e != nil; e = errors.Unwrap(e) {
		views[fmt.Sprintf("unwrapped %d", i)] = e.Error() + fmt.Sprintf(" %#v", e)
		i++
	}
	return views
}

// echoAnswers answer with the secret s (already in one of echoForms) in
// every place a server may put it.
var echoAnswers = map[string]func(w http.ResponseWriter, s string){
	"message": func(w http.ResponseWriter, s string) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"success":false,"error":{"code":"invalid_request","message":"refused %s"}}`, s)
	},
	"details.value under another field": func(w http.ResponseWriter, s string) {
		w.WriteHeader(422)
		fmt.Fprintf(w, `{"success":false,"error":{"code":"invalid_request","message":"bad","details":{"field":"url","value":"%s"}}}`, s)
	},
	"details.value nested, as a key and in an array": func(w http.ResponseWriter, s string) {
		w.WriteHeader(422)
		fmt.Fprintf(w, `{"success":false,"error":{"code":"invalid_request","message":"bad","details":{"field":"body",`+
			`"value":{"sent":{"secret":"%[1]s","n":[1,true,null,"%[1]s"]},"%[1]s":2.5},"allowed_values":["%[1]s"]}}}`, s)
	},
	"field and code": func(w http.ResponseWriter, s string) {
		w.WriteHeader(400)
		fmt.Fprintf(w, `{"success":false,"error":{"code":"%[1]s","message":"x","details":{"field":"%[1]s"}}}`, s)
	},
	"metadata.request_id": func(w http.ResponseWriter, s string) {
		w.WriteHeader(404)
		fmt.Fprintf(w, `{"success":false,"error":{"code":"not_found","message":"gone"},"metadata":{"request_id":"%s"}}`, s)
	},
	"X-Request-Id and other headers": func(w http.ResponseWriter, s string) {
		w.Header().Set("X-Request-Id", s)
		w.Header().Add("X-Debug-Echo", "Authorization: Bearer "+s)
		w.WriteHeader(409)
		io := `{"success":false,"error":{"code":"conflict","message":"no"}}`
		fmt.Fprint(w, io)
	},
	"a deprecation notice's link": func(w http.ResponseWriter, s string) {
		w.Header().Set("Deprecation", "@1688169599")
		w.Header().Set("Link", `<https://docs.example.com/deprecations?echo=`+s+`>; rel="deprecation"`)
		w.WriteHeader(409)
		fmt.Fprint(w, `{"success":false,"error":{"code":"conflict","message":"no"}}`)
	},
	"a header's name": func(w http.ResponseWriter, s string) {
		w.Header().Set("X-Echo-"+s, "1")
		w.WriteHeader(409)
		fmt.Fprint(w, `{"success":false,"error":{"code":"conflict","message":"no"}}`)
	},
	"HTML page": func(w http.ResponseWriter, s string) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(502)
		fmt.Fprintf(w, "<html><body><h1>Bad gateway</h1><pre>Authorization: Bearer %[1]s\nbody: secret=%[1]s</pre></body></html>", s)
	},
	"200 success false": func(w http.ResponseWriter, s string) {
		fmt.Fprintf(w, `{"success":false,"error":{"code":"forbidden","message":"%s"}}`, s)
	},
	"200 not JSON": func(w http.ResponseWriter, s string) {
		fmt.Fprintf(w, `{"success":true,"data":{"id":%s`, s)
	},
}

// TestSecretsEchoedInAnyFormAreScrubbed: a server that quotes back the
// credential and the webhook secret, in every place and every encoding,
// gets neither into the error, its printed and JSON forms, its unwrapped
// causes, the ResponseInfo, the debug log, or the WithDebugWriter dump.
func TestSecretsEchoedInAnyFormAreScrubbed(t *testing.T) {
	t.Parallel()
	secrets := map[string]string{"API key": testKey, "webhook secret": hookSecret, "OAuth token": tokenSecret}
	for which, secret := range secrets {
		cred := lambda.WithAPIKey(testKey)
		if which == "OAuth token" {
			cred = lambda.WithTokenSource(fixedToken{})
		}
		for form, enc := range echoForms(secret) {
			for place, answer := range echoAnswers {
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w, enc) }))
				var logs, dump syncBuffer
				client := newTestClientWith(t, cred, srv.URL+"/v1",
					lambda.WithDebugWriter(&dump), lambda.WithMaxRetries(1),
					lambda.WithLogger(slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				var info lambda.ResponseInfo
				_, err := client.Webhooks.Create(context.Background(), &lambda.CreateWebhookRequest{
					URL: "https://hooks.example.com/x", Events: []lambda.EventType{"instance.created"},
					Secret: lambda.NewSecret(hookSecret)}, lambda.WithResponseInfo(&info))
				srv.Close()
				name := fmt.Sprintf("%s %s in %s", which, form, place)
				require.Error(t, err, name)
				for view, text := range everything(err, &info) {
					assertNoLeak(t, name+": "+view, text, testKey, hookSecret, tokenSecret)
				}
				assertNoLeak(t, name+": the log", logs.String(), testKey, hookSecret, tokenSecret)
				assertNoLeak(t, name+": the debug dump", dump.String(), testKey, hookSecret, tokenSecret)
			}
		}
	}
}

// TestStreamRefusalsAreScrubbed: the metrics stream's handshake refusals
// (its own error path) hold the same guarantee.
func TestStreamRefusalsAreScrubbed(t *testing.T) {
	t.Parallel()
	for form, enc := range echoForms(testKey) {
		for _, place := range []string{"message", "details.value nested, as a key and in an array", "X-Request-Id and other headers", "HTML page"} {
			answer := echoAnswers[place]
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { answer(w, enc) }))
			client := newTestClient(t, srv.URL+"/v1")
			var info lambda.ResponseInfo
			var last error
			for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastReconnects(1),
				lambda.WithResponseInfo(&info)) {
				last = err
			}
			srv.Close()
			require.Error(t, last)
			for view, text := range everything(last, &info) {
				assertNoLeak(t, form+" in "+place+": "+view, text, testKey)
			}
		}
	}
}

// TestRedactionKeepsTheErrorUseful: the place of a secret shows, the rest
// of the message stays, and the error still matches its sentinel.
func TestRedactionKeepsTheErrorUseful(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithMaxRetries(0))
	mux.HandleFunc("/webhooks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req_"+testKey)
		writeError(w, 422, "invalid_request", "the secret "+hookSecret+" is weak; key "+pyEscape(testKey, false))
	})
	_, err := client.Webhooks.Create(context.Background(), &lambda.CreateWebhookRequest{
		URL: "https://hooks.example.com/x", Events: []lambda.EventType{"instance.created"}, Secret: lambda.NewSecret(hookSecret)})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, "the secret REDACTED is weak; key REDACTED", lerr.Message)
	assert.Equal(t, "req_err", lerr.RequestID)
}
