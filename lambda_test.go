package lambda_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

func TestNewClientRefusesBadOptions(t *testing.T) {
	t.Parallel()
	key := lambda.WithAPIKey(testKey)
	tests := []struct {
		name string
		opts []lambda.Option
		want string
	}{
		{"empty key", []lambda.Option{lambda.WithAPIKey("")}, "key is empty"},
		{"blank key", []lambda.Option{lambda.WithAPIKey("   ")}, "key is empty"},
		{"key with newline", []lambda.Option{lambda.WithAPIKey("a\nb")}, "line break"},
		{"negative retries", []lambda.Option{key, lambda.WithMaxRetries(-1)}, "not between 0 and 100"},
		{"absurd retries", []lambda.Option{key, lambda.WithMaxRetries(1000)}, "not between 0 and 100"},
		{"negative wait", []lambda.Option{key, lambda.WithMaxRetryWait(-time.Second)}, "negative"},
		{"plain http remote", []lambda.Option{key, lambda.WithBaseURL("http://api.lambda.io/v1")}, "only allowed on loopback"},
		{"malformed URL", []lambda.Option{key, lambda.WithBaseURL("https://[::1")}, "base URL"},
		{"no host", []lambda.Option{key, lambda.WithBaseURL("https:///v1")}, "no host"},
		{"other scheme", []lambda.Option{key, lambda.WithBaseURL("ftp://api.lambda.io")}, "scheme must be https"},
		{"credentials in URL", []lambda.Option{key, lambda.WithBaseURL("https://user:pw@api.lambda.io/v1")}, "must not carry credentials"},
		{"query in URL", []lambda.Option{key, lambda.WithBaseURL("https://api.lambda.io/v1?x=1")}, "query"},
		{"bad version", []lambda.Option{key, lambda.WithAPIVersion("2")}, `"v1" (stable) or "v2" (beta)`},
		{"unknown version", []lambda.Option{key, lambda.WithAPIVersion("v3")}, `"v1" (stable) or "v2" (beta)`},
		{"nil http client", []lambda.Option{key, lambda.WithHTTPClient(nil)}, "nil"},
		{"nil token source", []lambda.Option{lambda.WithTokenSource(nil)}, "nil"},
		{"nil logger", []lambda.Option{key, lambda.WithLogger(nil)}, "nil"},
		{"bad backoff", []lambda.Option{key, lambda.WithRetryBackoff(time.Second, time.Millisecond)}, "min <= max"},
		{"user agent injection", []lambda.Option{key, lambda.WithUserAgent("x\r\nEvil: 1")}, "line break"},
		{"key header with a token source", []lambda.Option{lambda.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok_abcdef123456"})),
			lambda.WithAPIKeyHeader()}, "WithAPIKeyHeader concerns an API key"},
		{"key header with OAuth2", []lambda.Option{lambda.WithOAuth2(&oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: "https://auth.example.com/token"}},
			&oauth2.Token{AccessToken: "tok_abcdef123456", RefreshToken: "ref_abcdef123456"}), lambda.WithAPIKeyHeader()}, "WithAPIKeyHeader concerns an API key"},
		{"port out of range", []lambda.Option{key, lambda.WithBaseURL("http://127.0.0.1:99999/v1")}, "port 99999 is not between 1 and 65535"},
		{"port zero", []lambda.Option{key, lambda.WithBaseURL("https://api.lambda.io:0/v1")}, "port 0 is not between 1 and 65535"},
		{"empty path segment", []lambda.Option{key, lambda.WithBaseURL("http://127.0.0.1:9//v1")}, `did you mean "http://127.0.0.1:9/v1"?`},
		{"empty segment inside", []lambda.Option{key, lambda.WithBaseURL("https://proxy.example.com/lambda//v2")}, `did you mean "https://proxy.example.com/lambda/v2"?`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := lambda.NewClient(tt.opts...)
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), testKey)
		})
	}
}

func TestNewClientAcceptsLoopbackAndVersions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		opts []lambda.Option
		want string
	}{
		{nil, "https://api.lambda.io/v1"},
		{[]lambda.Option{lambda.WithBaseURL("http://localhost:8080/v1/")}, "http://localhost:8080/v1"},
		{[]lambda.Option{lambda.WithBaseURL("http://127.0.0.1:9/v1")}, "http://127.0.0.1:9/v1"},
		{[]lambda.Option{lambda.WithBaseURL("http://[::1]:9/v1")}, "http://[::1]:9/v1"},
		{[]lambda.Option{lambda.WithAPIVersion("v2")}, "https://api.lambda.io/v2"},
		{[]lambda.Option{lambda.WithAPIVersion("v1")}, "https://api.lambda.io/v1"},
		{[]lambda.Option{lambda.WithBaseURL("http://127.0.0.1:9/v2"), lambda.WithAPIVersion("v1")}, "http://127.0.0.1:9/v1"},
		{[]lambda.Option{lambda.WithBaseURL("https://proxy.example.com/lambda/v1")}, "https://proxy.example.com/lambda/v1"},
		{[]lambda.Option{lambda.WithBaseURL("https://proxy.example.com/lambda"), lambda.WithAPIVersion("v2")}, "https://proxy.example.com/lambda/v2"},
	}
	for _, tt := range tests {
		c, err := lambda.NewClient(append([]lambda.Option{lambda.WithAPIKey(testKey)}, tt.opts...)...)
		require.NoError(t, err)
		assert.Equal(t, tt.want, c.BaseURL())
	}
}

// A base URL without its version makes every existing resource answer
// 404, which cleanup code reads as "already gone": NewClient refuses it and
// shows the fix.
func TestNewClientRefusesBaseURLWithoutVersion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		base string
		want string // the fix the error suggests
	}{
		{"http://127.0.0.1:1234", `did you mean "http://127.0.0.1:1234/v1"?`},
		{"http://127.0.0.1:1234/", `did you mean "http://127.0.0.1:1234/v1"?`},
		{"https://api.lambda.io", `did you mean "https://api.lambda.io/v1"?`},
		{"https://proxy.example.com/lambda", `did you mean "https://proxy.example.com/lambda/v1"?`},
		{"https://api.lambda.io/v1/instances", `did you mean "https://api.lambda.io/v1"?`},
		{"http://127.0.0.1:1234/V1", `did you mean "http://127.0.0.1:1234/v1"?`},
		{"https://proxy.example.com/V2/instances", `did you mean "https://proxy.example.com/v2"?`},
	}
	for _, tt := range tests {
		t.Run(tt.base, func(t *testing.T) {
			t.Parallel()
			c, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithBaseURL(tt.base))
			require.Error(t, err)
			assert.Nil(t, c)
			assert.Contains(t, err.Error(), "does not end in an API version")
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNewClientRefusesEnvironmentBaseURLWithoutVersion(t *testing.T) { // not parallel: it sets variables
	t.Setenv("LAMBDA_API_KEY", "λ_sk_from_env")
	t.Setenv("LAMBDA_BASE_URL", "http://127.0.0.1:1234")
	_, err := lambda.NewClient()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "LAMBDA_BASE_URL")
	assert.Contains(t, err.Error(), `did you mean "http://127.0.0.1:1234/v1"?`)

	t.Setenv("LAMBDA_BASE_URL", "  ")
	c, err := lambda.NewClient()
	require.NoError(t, err, "a blank variable is unset")
	assert.Equal(t, lambda.DefaultBaseURL, c.BaseURL())

	t.Setenv("LAMBDA_BASE_URL", "http://127.0.0.1:1234")
	c, err = lambda.NewClient(lambda.WithAPIVersion("v2"))
	require.NoError(t, err, "an explicit version completes the base URL")
	assert.Equal(t, "http://127.0.0.1:1234/v2", c.BaseURL())
}

func TestNewClientReadsEnvironment(t *testing.T) { // not parallel: it sets variables
	t.Setenv("LAMBDA_API_KEY", "")
	_, err := lambda.NewClient()
	require.ErrorContains(t, err, "LAMBDA_API_KEY")

	var got string
	mux, url := newTestServer(t)
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		got = r.Header.Get("Authorization")
		writeData(w, 200, instanceJSON)
	})
	t.Setenv("LAMBDA_API_KEY", "λ_sk_from_env")
	t.Setenv("LAMBDA_BASE_URL", url+"/v1")
	c, err := lambda.NewClient()
	require.NoError(t, err)
	assert.Equal(t, url+"/v1", c.BaseURL())
	_, err = c.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	assert.Equal(t, "Bearer λ_sk_from_env", got)

	c, err = lambda.NewClient(lambda.WithBaseURL("https://api.lambda.io/v1"))
	require.NoError(t, err)
	assert.Equal(t, "https://api.lambda.io/v1", c.BaseURL(), "an explicit option beats the environment")
}

func TestAuthHeadersCarryKeyBytesUnchanged(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   []lambda.Option
		header string
		want   string
	}{
		{"bearer by default", nil, "Authorization", "Bearer " + testKey},
		{"X-API-Key when asked", []lambda.Option{lambda.WithAPIKeyHeader()}, "X-API-Key", testKey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var raw []byte
			var both string
			client, mux, _ := setup(t, tt.opts...)
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				raw = []byte(r.Header.Get(tt.header))
				both = r.Header.Get("Authorization") + r.Header.Get("X-API-Key")
				writeData(w, 200, instanceJSON)
			})
			_, err := client.Instances.Get(context.Background(), "inst_1")
			require.NoError(t, err)
			assert.Equal(t, []byte(tt.want), raw)
			assert.Equal(t, tt.want, both, "the key travels in one header only")
		})
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	var ua string
	client, mux, _ := setup(t, lambda.WithUserAgent("my-app/1.2"))
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "GET")
		ua = r.Header.Get("User-Agent")
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	want := fmt.Sprintf("lambda-go/%s %s %s/%s my-app/1.2", lambda.Version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	assert.Equal(t, want, ua)
}

func TestCallerHTTPClientIsNotModified(t *testing.T) {
	t.Parallel()
	hc := &http.Client{Timeout: 5 * time.Second}
	before := *hc
	client, mux, _ := setup(t, lambda.WithHTTPClient(hc))
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) { writeData(w, 200, instanceJSON) })
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	assert.Nil(t, hc.Transport)
	assert.Nil(t, hc.CheckRedirect)
	assert.Equal(t, before.Timeout, hc.Timeout)
}

func TestClientNeverPrintsItsKey(t *testing.T) {
	t.Parallel()
	c, err := lambda.NewClient(lambda.WithAPIKey(testKey))
	require.NoError(t, err)
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
		s := fmt.Sprintf(verb, c)
		assert.NotContains(t, s, "1234567890abcdef", verb)
	}
	assert.NotContains(t, fmt.Sprintf("%+v", *c.Instances), "1234567890abcdef")
}

func TestLoggerWritesOneRedactedLinePerAttempt(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	client, mux, _ := setup(t, lambda.WithLogger(logger))
	n := 0
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		if n++; n < 3 {
			writeError(w, 503, "service_unavailable", "busy")
			return
		}
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	require.Len(t, lines, 3, buf.String())
	for i, l := range lines {
		assert.Contains(t, l, `"method":"GET"`)
		assert.Contains(t, l, `"path":"/instances/inst_1"`)
		assert.Contains(t, l, fmt.Sprintf(`"attempt":%d`, i+1))
		assert.Contains(t, l, `"wait"`)
		assert.NotContains(t, l, "1234567890abcdef")
	}
	assert.Contains(t, lines[0], `"status":503`)
	assert.Contains(t, lines[2], `"status":200`)
	assert.Contains(t, lines[2], `"request_id":"req_test"`)
}
