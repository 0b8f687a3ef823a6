package lambda_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lambda/lambda-go"
)

const hostileClientSecret = "cs_hostile_5e7a9c1b3d"

// hostileTokenEndpoint serves token answers of the script's making beside
// an API that accepts exactly "Bearer <the last token issued>". It counts
// both kinds of request, and records every header the API saw.
type hostileTokenEndpoint struct {
	tokens, api atomic.Int32
	mu          sync.Mutex
	issued      string        // the access_token of the last token answer, as JSON decodes it
	headers     []http.Header // what reached the API
	client      *lambda.Client
}

func newHostileTokenEndpoint(t *testing.T, status int, contentType, body string) *hostileTokenEndpoint {
	t.Helper()
	e := &hostileTokenEndpoint{}
	mux := http.NewServeMux()
	mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
		e.tokens.Add(1)
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal([]byte(body), &tok) != nil {
			form, _ := url.ParseQuery(body)
			tok.AccessToken = form.Get("access_token")
		}
		e.mu.Lock()
		e.issued = tok.AccessToken
		e.mu.Unlock()
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(status)
		_, _ = w.Write([]byte(body))
	})
	mux.HandleFunc("/v1/account", func(w http.ResponseWriter, r *http.Request) {
		e.api.Add(1)
		e.mu.Lock()
		e.headers = append(e.headers, r.Header.Clone())
		ok := e.issued != "" && r.Header.Get("Authorization") == "Bearer "+e.issued
		e.mu.Unlock()
		if !ok {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"authentication_failed","message":"token refused"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"success":true,"data":{"id":"acc_1","email":"a@example.com","name":"n","created_at":"2026-01-01T00:00:00Z"}}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	conf := &clientcredentials.Config{ClientID: "cli_hostile", ClientSecret: hostileClientSecret,
		TokenURL: srv.URL + "/oauth/token", AuthStyle: oauth2.AuthStyleInHeader}
	e.client = newTestClientWith(t, lambda.WithOAuth2ClientCredentials(conf), srv.URL+"/v1")
	return e
}

// TestOAuth2HostileTokenEndpoint: whatever the token endpoint answers,
// every call ends with its value or an error matching ErrUnauthorized (a
// typed *Error, nothing sent when no token could be had), a token no
// header can carry is never sent (no header injection), an odd token
// type costs no second request with a refused token, no renewal loops,
// and neither the token nor the client secret reaches an error.
func TestOAuth2HostileTokenEndpoint(t *testing.T) {
	t.Parallel()
	const calls = 3
	const appJSON = "application/json"
	tests := []struct {
		name        string
		status      int
		contentType string
		body        string
		ok          bool
		maxTokens   int32 // token requests for the calls, at most
		api         int32 // requests that reached the API
		says        string
	}{
		{"CR LF in the access token", 200, appJSON, `{"access_token":"tok_aaaaaaaa\r\nX-Evil: 1","token_type":"bearer","expires_in":3600}`,
			false, calls, 0, "no header can carry"},
		{"NUL in the access token", 200, appJSON, `{"access_token":"tok_aaaa\u0000aaaa","token_type":"bearer"}`, false, calls, 0, "no header can carry"},
		{"CR LF in the token type", 200, appJSON, `{"access_token":"tok_aaaaaaaa","token_type":"bearer\r\nX-Evil: 1"}`, false, calls, 0, "no header can carry"},
		{"space in the access token", 200, appJSON, `{"access_token":"tok aaaaaaaa","token_type":"bearer","expires_in":3600}`, true, 1, calls, ""},
		{"non-ASCII access token", 200, appJSON, `{"access_token":"tök_λλλλλλλλ","token_type":"bearer","expires_in":3600}`, true, 1, calls, ""},
		{"no token type", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":3600}`, true, 1, calls, ""},
		{"token type BEARER", 200, appJSON, `{"access_token":"tok_aaaaaaaa","token_type":"BEARER","expires_in":3600}`, true, 1, calls, ""},
		{"token type mac", 200, appJSON, `{"access_token":"tok_aaaaaaaa","token_type":"mac","expires_in":3600}`, false, 1 + calls, calls, "token refused"},
		{"token type with a space", 200, appJSON, `{"access_token":"tok_aaaaaaaa","token_type":"Bearer x","expires_in":3600}`, false, 1 + calls, calls, "token refused"},
		{"expires_in negative", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":-1}`, true, calls, calls, ""},
		{"expires_in zero", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":0}`, true, 1, calls, ""},
		{"expires_in below the renewal margin", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":5}`, true, calls, calls, ""},
		{"expires_in as a string", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":"3600"}`, true, 1, calls, ""},
		{"expires_in beyond int32", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":99999999999999}`, true, 1, calls, ""},
		{"expires_in with a fraction", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":3600.5}`, false, calls, 0, "3600.5"},
		{"expires_in not a number", 200, appJSON, `{"access_token":"tok_aaaaaaaa","expires_in":"soon"}`, false, calls, 0, "soon"},
		{"a 200 with an error", 200, appJSON, `{"error":"invalid_client","error_description":"unknown client"}`, false, calls, 0, "invalid_client"},
		{"a 200 without an access token", 200, appJSON, `{"token_type":"bearer","expires_in":3600}`, false, calls, 0, "access_token"},
		{"a 400 invalid_grant", 400, appJSON, `{"error":"invalid_grant"}`, false, calls, 0, "invalid_grant"},
		{"a 503 page", 503, "text/html", `<html>down</html>`, false, calls, 0, "503"},
		{"an HTML 200", 200, "text/html", `<html>login</html>`, false, calls, 0, "token"},
		{"an empty 200", 200, appJSON, ``, false, calls, 0, "token"},
		{"a form answer", 200, "application/x-www-form-urlencoded", `access_token=tok_aaaaaaaa&token_type=bearer&expires_in=3600`, true, 1, calls, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newHostileTokenEndpoint(t, tt.status, tt.contentType, tt.body)
			for i := range calls {
				_, err := e.client.Account.Get(testCtx(t))
				if tt.ok {
					require.NoError(t, err, "call %d", i)
					continue
				}
				require.ErrorIs(t, err, lambda.ErrUnauthorized, "call %d", i)
				var lerr *lambda.Error
				require.ErrorAs(t, err, &lerr, "a typed error")
				assert.Contains(t, err.Error(), tt.says)
				for _, secret := range []string{"tok_aaaaaaaa", "tok aaaaaaaa", hostileClientSecret} {
					assert.NotContains(t, err.Error(), secret)
				}
			}
			assert.LessOrEqual(t, e.tokens.Load(), tt.maxTokens, "token requests")
			if !tt.ok && tt.api == 0 { // no token to be had: the stream's handshake is refused alike
				for _, err := range e.client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream) {
					require.ErrorIs(t, err, lambda.ErrUnauthorized)
					var lerr *lambda.Error
					require.ErrorAs(t, err, &lerr, "a typed error")
				}
			}
			assert.Equal(t, tt.api, e.api.Load(), "requests that reached the API")
			e.mu.Lock()
			defer e.mu.Unlock()
			for _, h := range e.headers {
				assert.Empty(t, h.Get("X-Evil"), "no header injected")
			}
		})
	}
}

// TestOAuth2SlowTokenEndpointHonoursTheCallersDeadline: a token endpoint
// that never answers holds a call no longer than the caller's deadline,
// and the callers waiting on the same renewal are freed with it.
func TestOAuth2SlowTokenEndpointHonoursTheCallersDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	var tokens atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/oauth/token" {
			tokens.Add(1)
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	conf := &clientcredentials.Config{ClientID: "cli", ClientSecret: hostileClientSecret, TokenURL: srv.URL + "/oauth/token",
		AuthStyle: oauth2.AuthStyleInHeader}
	client := newTestClientWith(t, lambda.WithOAuth2ClientCredentials(conf), srv.URL+"/v1")

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	errs := burst(8, func() error {
		_, err := client.Account.Get(ctx)
		return err
	})
	assert.Less(t, time.Since(start), 10*time.Second, "ends with the deadline, not the endpoint")
	for _, err := range errs {
		require.ErrorIs(t, err, context.DeadlineExceeded)
		assert.NotContains(t, err.Error(), hostileClientSecret)
	}
	assert.LessOrEqual(t, tokens.Load(), int32(8))
	assert.False(t, errors.Is(errs[0], lambda.ErrUnauthorized), "a deadline is not a refusal")
}

// TestOAuth2TokenEndpointRedirectsStayOnItsOrigin: a token endpoint that
// redirects the token request off its own origin (another port, another
// host, https to http) gets nothing sent there: not the refresh token,
// not the client secret, and no token the other host would issue is
// used. The call fails with ErrUnauthorized and ErrRedirectRefused. A
// redirect within the origin is followed.
func TestOAuth2TokenEndpointRedirectsStayOnItsOrigin(t *testing.T) {
	t.Parallel()
	const refresh = "ref_hostile_7c1d9e"
	tests := []struct {
		name   string
		status int
		where  func(tokenSrv, other *httptest.Server) string // the Location
		tls    bool                                          // the token endpoint serves https
		ok     bool
	}{
		{"307 to another port", http.StatusTemporaryRedirect, func(_, o *httptest.Server) string { return o.URL + "/steal" }, false, false},
		{"308 to another port", http.StatusPermanentRedirect, func(_, o *httptest.Server) string { return o.URL + "/steal" }, false, false},
		{"302 to another port", http.StatusFound, func(_, o *httptest.Server) string { return o.URL + "/steal" }, false, false},
		{"307 to another host", http.StatusTemporaryRedirect, func(_, o *httptest.Server) string {
			return strings.Replace(o.URL, "127.0.0.1", "localhost", 1) + "/steal"
		}, false, false},
		{"307 from https to http", http.StatusTemporaryRedirect, func(_, o *httptest.Server) string { return o.URL + "/steal" }, true, false},
		{"307 within the origin", http.StatusTemporaryRedirect, func(s, _ *httptest.Server) string { return s.URL + "/oauth/token2" }, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var leaked atomic.Int32
			answer := func(w http.ResponseWriter, _ *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"access_token":"tok_issued_here","token_type":"bearer","expires_in":3600}`))
			}
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				leaked.Add(1)
				answer(w, r)
			}))
			t.Cleanup(other.Close)
			var tokenSrv *httptest.Server
			mux := http.NewServeMux()
			mux.HandleFunc("/oauth/token", func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tt.where(tokenSrv, other), tt.status)
			})
			mux.HandleFunc("/oauth/token2", answer)
			var api atomic.Int32
			mux.HandleFunc("/v1/account", func(w http.ResponseWriter, r *http.Request) {
				api.Add(1)
				if r.Header.Get("Authorization") != "Bearer tok_issued_here" {
					w.WriteHeader(http.StatusUnauthorized)
					return
				}
				_, _ = w.Write([]byte(`{"success":true,"data":{"id":"acc_1","email":"a@example.com","name":"n","created_at":"2026-01-01T00:00:00Z"}}`))
			})
			if tt.tls {
				tokenSrv = httptest.NewTLSServer(mux)
			} else {
				tokenSrv = httptest.NewServer(mux)
			}
			t.Cleanup(tokenSrv.Close)
			conf := &oauth2.Config{ClientID: "cli_hostile", ClientSecret: hostileClientSecret,
				Endpoint: oauth2.Endpoint{TokenURL: tokenSrv.URL + "/oauth/token"}} // AutoDetect: tries the secret in the body too
			client := newTestClientWith(t, lambda.WithOAuth2(conf, &oauth2.Token{RefreshToken: refresh}), tokenSrv.URL+"/v1",
				lambda.WithHTTPClient(tokenSrv.Client()))
			_, err := client.Account.Get(testCtx(t))
			assert.Zero(t, leaked.Load(), "a request reached the other origin")
			if tt.ok {
				require.NoError(t, err)
				assert.Equal(t, int32(1), api.Load(), "one request, with the token fetched first")
				return
			}
			assert.Zero(t, api.Load(), "nothing sent without a token (the initial one has no access token)")
			require.ErrorIs(t, err, lambda.ErrUnauthorized)
			require.ErrorIs(t, err, lambda.ErrRedirectRefused)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			for _, secret := range []string{refresh, hostileClientSecret, "/steal"} {
				assert.NotContains(t, err.Error(), secret)
			}
		})
	}
}

// blockingSource is a token source that answers only when released, as a
// source whose token endpoint hangs does: Token takes no context.
type blockingSource struct {
	release chan struct{}
	once    sync.Once
	calls   atomic.Int32
}

func (b *blockingSource) answer() { b.once.Do(func() { close(b.release) }) }

func (b *blockingSource) Token() (*oauth2.Token, error) {
	b.calls.Add(1)
	<-b.release
	return &oauth2.Token{AccessToken: "tok_late_4f2a9c"}, nil
}

// TestTokenSourceThatBlocksHonoursTheCallersDeadline: a WithTokenSource
// source that does not answer holds no call past its ctx (Token takes no
// context, so the client cannot cut it short; it stops waiting for it),
// concurrent calls share the one pending Token call, and once the source
// answers, the next call uses its token.
func TestTokenSourceThatBlocksHonoursTheCallersDeadline(t *testing.T) {
	t.Parallel()
	src := &blockingSource{release: make(chan struct{})}
	url, served := scriptedServer(t, "/account", func(_ int32, w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"success":true,"data":{"id":"acc_1","email":"a@example.com","name":"n","created_at":"2026-01-01T00:00:00Z"}}`))
	})
	client := newTestClientWith(t, lambda.WithTokenSource(src), url+"/v1")
	// A client that waits for the source fails on time below, not hangs.
	time.AfterFunc(15*time.Second, src.answer)

	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	errs := burst(8, func() error {
		_, err := client.Account.Get(ctx)
		return err
	})
	assert.Less(t, time.Since(start), 10*time.Second, "ends with the deadline, not with the source")
	for _, err := range errs {
		require.ErrorIs(t, err, context.DeadlineExceeded)
	}
	assert.Equal(t, int32(1), src.calls.Load(), "one pending Token call, shared")
	assert.Zero(t, served.Load(), "nothing sent without a token")

	src.answer() // the source answers at last
	_, err := client.Account.Get(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, int32(1), served.Load())
}
