package lambda_test

// Credential safety: the API key and the OAuth token never appear in an
// error, a log line, a panic the SDK raises or passes on, or the printed
// form of a value the SDK hands out, and never travel to another host.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/lambda/lambda-go"
)

// The secret parts of the credentials used below: a test fails if one of
// them shows up anywhere it should not.
const (
	keySecret   = "1234567890abcdef" // in testKey
	tokenSecret = "tok-secret-9f8e7d"
)

func assertNoSecret(t *testing.T, what, s string) {
	t.Helper()
	for _, secret := range []string{keySecret, tokenSecret, "λ_sk_"} {
		assert.NotContains(t, s, secret, "%s leaks a credential", what)
	}
}

// fixedToken is a token source with one long-lived token.
type fixedToken struct{}

func (fixedToken) Token() (*oauth2.Token, error) {
	return &oauth2.Token{AccessToken: tokenSecret, TokenType: "Bearer", Expiry: time.Now().Add(time.Hour)}, nil
}

// credentialOptions are the three ways to authenticate: the credential,
// then the options that go with it.
var credentialOptions = map[string][]lambda.Option{
	"Bearer API key": {lambda.WithAPIKey(testKey)},
	"X-API-Key":      {lambda.WithAPIKey(testKey), lambda.WithAPIKeyHeader()},
	"OAuth2 token":   {lambda.WithTokenSource(fixedToken{})},
}

// credClient is a newTestClientWith one of credentialOptions for base (the
// server's root), logging at Debug level into logs.
func credClient(t *testing.T, cred string, base string, logs *syncBuffer, extra ...lambda.Option) *lambda.Client {
	t.Helper()
	opts := credentialOptions[cred]
	logger := lambda.WithLogger(slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	return newTestClientWith(t, opts[0], base+"/v1", slices.Concat(opts[1:], []lambda.Option{logger}, extra)...)
}

// TestCredentialsNeverInErrorsOrLogs runs every error path with each
// credential, logging at Debug level, and looks for the secret in the
// error's text, its %+v and %#v, and the log.
func TestCredentialsNeverInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	paths := []struct {
		name string
		h    faultHandler
		opts []lambda.Option
		ctx  time.Duration // a deadline, when set
	}{
		{"401", always(status(401)), nil, 0},
		{"403", always(status(403)), nil, 0},
		{"404", always(status(404)), nil, 0},
		{"409", always(status(409)), nil, 0},
		{"422 with details", always(raw(422, `{"success":false,"error":{"code":"invalid_request","message":"bad","details":{"field":"name","value":"x"}}}`)), nil, 0},
		{"500 after retries", always(status(500)), nil, 0},
		{"503 after retries", always(status(503)), nil, 0},
		{"HTML 502 after retries", always(raw(502, htmlPage)), nil, 0},
		{"429 beyond the longest wait", always(status(429, "Retry-After", "3600")), nil, 0},
		{"empty 200", always(raw(200, "")), nil, 0},
		{"truncated 200", always(raw(200, `{"success":true,"data":{"id":"x`)), nil, 0},
		{"success: false", always(raw(200, `{"success":false,"error":{"code":"forbidden"}}`)), nil, 0},
		{"redirect loop", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/v1/instances/inst_1", http.StatusTemporaryRedirect)
		}), nil, 0},
		{"connection reset mid-response", always(func(_ int32, w http.ResponseWriter, _ *http.Request) { cutMidResponse(w) }), nil, 0},
		{"deadline", always(func(_ int32, _ http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(5 * time.Second):
			}
		}), nil, 200 * time.Millisecond},
		{"client-side limiter past the deadline", always(raw(200, `{"success":true,"data":{"id":"x"}}`)),
			[]lambda.Option{lambda.WithRateLimiter(rate.NewLimiter(rate.Every(time.Hour), 1))}, 500 * time.Millisecond},
		{"no requests left (not sent)", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("X-RateLimit-Limit", "10")
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", fmt.Sprint(time.Now().Add(time.Hour).Unix()))
			writeData(w, 200, instanceJSON)
		}), nil, 0},
	}
	for cred := range credentialOptions {
		for _, p := range paths {
			t.Run(cred+"/"+p.name, func(t *testing.T) {
				t.Parallel()
				var logs syncBuffer
				url, _ := scriptedServer(t, "/", p.h)
				client := credClient(t, cred, url, &logs, p.opts...)
				var errs []error
				for range 2 { // the second call meets the limiter or the used-up window
					ctx, cancel := context.WithCancel(context.Background())
					if p.ctx > 0 {
						ctx, cancel = context.WithTimeout(context.Background(), p.ctx)
					}
					var info lambda.ResponseInfo
					_, err := client.Instances.Get(ctx, "inst_1", lambda.WithResponseInfo(&info))
					cancel()
					assertNoSecret(t, "ResponseInfo", fmt.Sprintf("%+v %#v", info, info))
					if err != nil {
						errs = append(errs, err)
					}
				}
				require.NotEmpty(t, errs, "the path must end in an error")
				for _, err := range errs {
					assertNoSecret(t, "the error", err.Error())
					assertNoSecret(t, "%+v of the error", fmt.Sprintf("%+v", err))
					assertNoSecret(t, "%#v of the error", fmt.Sprintf("%#v", err))
					var lerr *lambda.Error
					if errors.As(err, &lerr) {
						assertNoSecret(t, "%#v of the *lambda.Error", fmt.Sprintf("%#v", *lerr))
					}
				}
				assertNoSecret(t, "the debug log", logs.String())
				assert.NotEmpty(t, logs.String(), "a debug line per attempt was expected")
			})
		}
	}
}

// TestCredentialsNeverInTransportErrors: the API cannot be reached at all.
func TestCredentialsNeverInTransportErrors(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close()
	for cred := range credentialOptions {
		var logs syncBuffer
		client := credClient(t, cred, "http://"+addr, &logs)
		_, err := client.Instances.Create(context.Background(), createReq)
		require.Error(t, err, cred)
		assertNoSecret(t, cred+" transport error", fmt.Sprintf("%v %+v %#v", err, err, err))
		assertNoSecret(t, cred+" log", logs.String())
	}
}

// TestCredentialsNeverInOptionErrors: a bad option's error names the
// problem, not the secret the caller passed.
func TestCredentialsNeverInOptionErrors(t *testing.T) {
	t.Parallel()
	key := lambda.WithAPIKey(testKey)
	tests := []struct {
		name string
		opts []lambda.Option
		call []lambda.RequestOption
	}{
		{"key with a line break", []lambda.Option{lambda.WithAPIKey(testKey + "\n")}, nil},
		{"key with NUL", []lambda.Option{lambda.WithAPIKey(testKey + "\x00")}, nil},
		{"key and token source", []lambda.Option{key, lambda.WithTokenSource(fixedToken{})}, nil},
		{"password in the base URL", []lambda.Option{key, lambda.WithBaseURL("https://user:" + testKey + "@api.lambda.io/v1")}, nil},
		{"password in a base URL without host", []lambda.Option{key, lambda.WithBaseURL("https://user:" + testKey + "@/v1")}, nil},
		{"password in an unparsable base URL", []lambda.Option{key, lambda.WithBaseURL("https://user:" + testKey + "@[::1/v1")}, nil},
		{"key in the base URL's query", []lambda.Option{key, lambda.WithBaseURL("https://api.lambda.io/v1?api_key=" + testKey)}, nil},
		{"key in a plain-http base URL", []lambda.Option{key, lambda.WithBaseURL("http://api.lambda.io/v1#" + testKey)}, nil},
		{"Authorization through WithHeader", nil, []lambda.RequestOption{lambda.WithHeader("Authorization", "Bearer "+testKey)}},
		{"X-API-Key through WithHeader", nil, []lambda.RequestOption{lambda.WithHeader("x-api-key", testKey)}},
		{"header value with a line break", nil, []lambda.RequestOption{lambda.WithHeader("X-Trace", testKey+"\r\n")}},
		{"idempotency key with a line break", nil, []lambda.RequestOption{lambda.WithIdempotencyKey(testKey + "\n")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var err error
			if tt.opts != nil {
				_, err = lambda.NewClient(tt.opts...)
			} else {
				client, mux, _ := setup(t)
				mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) { writeData(w, 201, instanceJSON) })
				_, err = client.Instances.Create(context.Background(), createReq, tt.call...)
			}
			require.Error(t, err)
			assertNoSecret(t, "the option's error", fmt.Sprintf("%v %+v %#v", err, err, err))
		})
	}
}

// TestCredentialsNeverInPrintedValues: every value the SDK hands out that
// could reach a credential prints without it, with every verb, and as JSON
// through slog.
func TestCredentialsNeverInPrintedValues(t *testing.T) {
	t.Parallel()
	for cred := range credentialOptions {
		var logs syncBuffer
		mux, url := newTestServer(t)
		mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) { writeData(w, 200, instanceJSON) })
		c := credClient(t, cred, url, &logs)
		var info lambda.ResponseInfo
		inst, err := c.Instances.Get(context.Background(), "inst_1", lambda.WithResponseInfo(&info))
		require.NoError(t, err)
		values := []any{c, c.Instances, *c.Instances, info, inst, lambda.WebhookHandler(keySecret, func(context.Context, *lambda.Event) error { return nil })}
		for _, v := range values {
			for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
				assertNoSecret(t, fmt.Sprintf("%s of %T (%s)", verb, v, cred), fmt.Sprintf(verb, v))
			}
			b, _ := json.Marshal(v)
			assertNoSecret(t, fmt.Sprintf("JSON of %T", v), string(b))
		}
		var out syncBuffer
		slog.New(slog.NewJSONHandler(&out, nil)).Info("state", "client", c, "info", info)
		slog.New(slog.NewTextHandler(&out, nil)).Info("state", "client", c, "info", info)
		assertNoSecret(t, "slog of the client", out.String())
	}
}

// panickyTransport is a caller's RoundTripper that panics.
type panickyTransport struct{}

func (panickyTransport) RoundTrip(*http.Request) (*http.Response, error) {
	panic("caller's transport broke")
}

// panickySource is a token source that panics once, then works.
type panickySource struct{ calls atomic.Int32 }

func (s *panickySource) Token() (*oauth2.Token, error) {
	if s.calls.Add(1) == 1 {
		panic("token endpoint client broke")
	}
	return fixedToken{}.Token()
}

// TestPanicsCarryNoCredentials: the SDK raises no panic of its own on any
// of these paths, and a panic from the caller's code reaches the caller
// as it was raised, with nothing of the SDK's (the credential) added. A
// panicking token source does not leave the client locked: the next call
// works.
func TestPanicsCarryNoCredentials(t *testing.T) {
	t.Parallel()
	recovered := func(f func()) (v any) {
		defer func() { v = recover() }()
		f()
		return nil
	}

	for _, cred := range []string{"Bearer API key", "X-API-Key"} {
		opts := credentialOptions[cred]
		client := newTestClientWith(t, opts[0], "http://127.0.0.1:9/v1",
			slices.Concat(opts[1:], []lambda.Option{lambda.WithHTTPClient(&http.Client{Transport: panickyTransport{}})})...)
		v := recovered(func() { _, _ = client.Instances.Get(context.Background(), "inst_1") })
		assert.Equal(t, "caller's transport broke", v, cred)
		assertNoSecret(t, "the panic value", fmt.Sprintf("%+v", v))
	}

	mux, url := newTestServer(t)
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) { writeData(w, 200, instanceJSON) })
	src := &panickySource{}
	client := newTestClientWith(t, lambda.WithTokenSource(src), url+"/v1")
	v := recovered(func() { _, _ = client.Instances.Get(context.Background(), "inst_1") })
	assert.Equal(t, "token endpoint client broke", v)
	done := make(chan error, 1)
	go func() {
		_, err := client.Instances.Get(context.Background(), "inst_1")
		done <- err
	}()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the client stayed locked after a panicking token source")
	}
}

// TestCredentialsNeverCrossARedirectToAnotherHost: for every credential
// and every redirect status, the other host is not reached at all (the
// redirect is refused; the auth transport would strip the credential
// anyway, see internal/auth), while a redirect within the API's origin
// keeps it (so the check is not vacuous).
func TestCredentialsNeverCrossARedirectToAnotherHost(t *testing.T) {
	t.Parallel()
	for cred := range credentialOptions {
		for _, code := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", cred, code), func(t *testing.T) {
				t.Parallel()
				var mu sync.Mutex
				seen := map[string]string{}
				record := func(where string, r *http.Request) {
					mu.Lock()
					defer mu.Unlock()
					seen[where] = r.Header.Get("Authorization") + r.Header.Get("X-API-Key")
				}
				other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					record("other host", r)
					writeData(w, 200, instanceJSON)
				}))
				t.Cleanup(other.Close)
				// 127.0.0.1 and localhost are different hosts to net/http.
				otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
				api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					switch r.URL.Path {
					case "/v1/instances/inst_1":
						record("api", r)
						http.Redirect(w, r, "/v1/moved/inst_1", code)
					case "/v1/moved/inst_1":
						record("api after redirect", r)
						http.Redirect(w, r, otherURL+"/v1/instances/inst_1", code)
					}
				}))
				t.Cleanup(api.Close)
				var logs syncBuffer
				client := credClient(t, cred, api.URL, &logs)
				_, err := client.Instances.Get(context.Background(), "inst_1")
				require.ErrorIs(t, err, lambda.ErrRedirectRefused, "a redirect to another host is not followed")
				assert.NotContains(t, err.Error(), testKey)
				mu.Lock()
				defer mu.Unlock()
				assert.NotEmpty(t, seen["api"], "the API got no credential")
				assert.Equal(t, seen["api"], seen["api after redirect"], "a redirect within the API's origin keeps the credential")
				assert.NotContains(t, seen, "other host", "the request, credential or not, reached another host")
			})
		}
	}
}

// TestServerEchoingTheCredentialIsScrubbed: a proxy or a debugging server
// that quotes the request's Authorization back in its answer must not
// put the caller's credential into the error the caller logs.
func TestServerEchoingTheCredentialIsScrubbed(t *testing.T) {
	t.Parallel()
	echo := func(format string, code int, html bool) faultHandler {
		return func(_ int32, w http.ResponseWriter, r *http.Request) {
			sent := r.Header.Get("Authorization") + r.Header.Get("X-API-Key")
			if html {
				w.WriteHeader(code)
				fmt.Fprintf(w, format, sent)
				return
			}
			q, _ := json.Marshal(sent)
			w.WriteHeader(code)
			fmt.Fprintf(w, format, q)
		}
	}
	answers := map[string]faultHandler{
		"401 message":         echo(`{"success":false,"error":{"code":"authentication_failed","message":%s}}`, 401, false),
		"400 details":         echo(`{"success":false,"error":{"code":"invalid_request","message":"bad","details":{"field":"Authorization","value":%[1]s,"allowed_values":[%[1]s]}}}`, 400, false),
		"403 code":            echo(`{"success":false,"error":{"code":%s}}`, 403, false),
		"HTML 502 page":       echo(`<html><body>Bad gateway. Your request headers: Authorization=%s</body></html>`, 502, true),
		"200 success: false":  echo(`{"success":false,"error":{"code":"forbidden","message":%s}}`, 200, false),
		"request ID in error": echo(`{"success":false,"error":{"code":"not_found","message":"gone"},"metadata":{"request_id":%s}}`, 404, false),
	}
	for cred := range credentialOptions {
		for name, h := range answers {
			t.Run(cred+"/"+name, func(t *testing.T) {
				t.Parallel()
				url, _ := scriptedServer(t, "/", h)
				var logs syncBuffer
				client := credClient(t, cred, url, &logs, lambda.WithMaxRetries(0))
				_, err := client.Instances.Get(context.Background(), "inst_1")
				require.Error(t, err)
				var lerr *lambda.Error
				require.ErrorAs(t, err, &lerr)
				assertNoSecret(t, "the error", fmt.Sprintf("%v %+v %#v %#v", err, err, *lerr, lerr.Details))
				assertNoSecret(t, "the debug log", logs.String())
				assert.Contains(t, err.Error(), "REDACTED", "the place of the secret is shown")
			})
		}
	}
}
