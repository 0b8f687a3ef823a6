package lambda_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// cutKey is a credential with nothing in common with the padding around it
// ("x"), so that any three bytes of it in a text are a leak.
const cutKey = "Zq7-cutsecret-Kx93mW2pLr"

// assertNoPartOf fails when text holds any part of secret: its first three
// bytes (what a cut leaves of its start) or any six bytes in a row.
func assertNoPartOf(t *testing.T, where, text, secret string) {
	t.Helper()
	if strings.Contains(text, secret[:3]) {
		t.Errorf("%s holds the start of the secret (%q): %q", where, secret[:3], tail(text))
		return
	}
	for i := 0; i+6 <= len(secret); i++ {
		if strings.Contains(text, secret[i:i+6]) {
			t.Errorf("%s holds part of the secret (%q): %q", where, secret[i:i+6], tail(text))
			return
		}
	}
}

func tail(s string) string {
	if len(s) > 300 {
		return "…" + s[len(s)-300:]
	}
	return s
}

// cuts are the places where the client shows only the start of what a
// server sent (an error's excerpt, a metrics message's excerpt, the debug
// dump's 64 KiB): each gets a text with the secret at offset at, and
// returns everything the caller can see of it.
var cuts = map[string]struct {
	at  int // where the text is cut
	see func(t *testing.T, text string) string
}{
	"error body excerpt": {at: 200, see: func(t *testing.T, text string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, text)
		}))
		defer srv.Close()
		client := newTestClientWith(t, lambda.WithAPIKey(cutKey), srv.URL+"/v1")
		_, err := client.Instances.Get(testCtx(t), "inst_1")
		require.Error(t, err)
		return fmt.Sprintf("%v %+v %#v", err, err, err)
	}},
	"metrics message excerpt": {at: 200, see: func(t *testing.T, text string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			_ = c.Write(r.Context(), websocket.MessageText, []byte(`{"note":"`+text+`"}`))
			_, _, _ = c.Read(r.Context()) // until the client leaves
		}))
		defer srv.Close()
		client := newTestClientWith(t, lambda.WithAPIKey(cutKey), srv.URL+"/v1")
		var seen strings.Builder
		for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastReconnects(0)) {
			require.Error(t, err)
			fmt.Fprintf(&seen, "%v %+v %#v\n", err, err, err)
			break
		}
		return seen.String()
	}},
	"debug dump of a response": {at: 64 << 10, see: func(t *testing.T, text string) string {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, text)
		}))
		defer srv.Close()
		var dump syncBuffer
		client := newTestClientWith(t, lambda.WithAPIKey(cutKey), srv.URL+"/v1", lambda.WithDebugWriter(&dump))
		_, err := client.Instances.Get(testCtx(t), "inst_1")
		require.Error(t, err)
		return dump.String()
	}},
}

// TestSecretsAreNotCutInHalf: where the client shows only the start of a
// server's text, a secret that straddles the cut is redacted whole first:
// no cut leaves its first bytes in view. Every offset across each cut.
func TestSecretsAreNotCutInHalf(t *testing.T) {
	t.Parallel()
	for name, cut := range cuts {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for at := cut.at - len(cutKey); at <= cut.at; at++ {
				text := strings.Repeat("x", at) + cutKey + strings.Repeat("x", 50)
				assertNoPartOf(t, fmt.Sprintf("%s, secret at %d", name, at), cut.see(t, text), cutKey)
			}
		})
	}
}

// TestEveryExcerptIsRedactedFirst: the cuts above are all there are. Every
// excerpt of a server's text goes through excerpt (errors.go), which
// redacts before it cuts; a new call of envelope.Excerpt elsewhere fails
// here until it does the same and joins the table above.
func TestEveryExcerptIsRedactedFirst(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	var calls []string
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		require.NoError(t, err)
		for i := strings.Count(string(src), "envelope.Excerpt("); i > 0; i-- {
			calls = append(calls, f)
		}
	}
	require.Equal(t, []string{"errors.go"}, calls, "envelope.Excerpt is called only by excerpt, which redacts first")
}
