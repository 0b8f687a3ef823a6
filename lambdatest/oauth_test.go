package lambdatest_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lambda/lambda-go/lambdatest"
)

const (
	testClientID     = "cli_test"
	testClientSecret = "s3cret/with+form=chars" // Basic auth form-encodes it first
)

func oauthServer(t *testing.T, opts ...lambdatest.Option) *lambdatest.Server {
	t.Helper()
	return newServer(t, append([]lambdatest.Option{lambdatest.WithOAuthClient(testClientID, testClientSecret)}, opts...)...)
}

// bearer sends one API call with an access token.
func bearer(t *testing.T, srv *lambdatest.Server, method, path, body, token string) resp {
	t.Helper()
	return call(t, srv, method, path, body, "Authorization", "Bearer "+token)
}

func tokenForm(t *testing.T, srv *lambdatest.Server, form url.Values, basic bool) resp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.TokenURL(), strings.NewReader(form.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basic {
		req.SetBasicAuth(url.QueryEscape(testClientID), url.QueryEscape(testClientSecret))
	}
	res, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	r := resp{status: res.StatusCode, header: res.Header, raw: raw}
	require.NoError(t, jsonUnmarshal(raw, &r.json), "%s", raw)
	return r
}

func TestTokenEndpointClientAuthentication(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t)
	for _, style := range []struct {
		name  string
		style oauth2.AuthStyle
	}{{"basic", oauth2.AuthStyleInHeader}, {"form fields", oauth2.AuthStyleInParams}, {"auto-detect", oauth2.AuthStyleAutoDetect}} {
		t.Run(style.name, func(t *testing.T) {
			t.Parallel()
			conf := clientcredentials.Config{ClientID: testClientID, ClientSecret: testClientSecret,
				TokenURL: srv.TokenURL(), AuthStyle: style.style}
			tok, err := conf.Token(context.Background())
			require.NoError(t, err)
			assert.Equal(t, "Bearer", tok.TokenType)
			assert.NotEmpty(t, tok.RefreshToken)
			assert.EqualValues(t, lambdatest.DefaultTokenLifetime/time.Second, tok.Extra("expires_in"))
			assert.WithinDuration(t, time.Now().Add(lambdatest.DefaultTokenLifetime), tok.Expiry, time.Minute)
			mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/instances", "", "Authorization", "Bearer "+tok.AccessToken)
		})
	}
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		conf := clientcredentials.Config{ClientID: testClientID, ClientSecret: "nope", TokenURL: srv.TokenURL(),
			AuthStyle: oauth2.AuthStyleInHeader}
		_, err := conf.Token(context.Background())
		var re *oauth2.RetrieveError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, http.StatusUnauthorized, re.Response.StatusCode)
		assert.Equal(t, "invalid_client", re.ErrorCode)
	})
}

func TestTokenEndpointRequests(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t)
	pair := srv.IssueToken(testClientID)
	tests := []struct {
		name   string
		form   url.Values
		basic  bool
		status int
		code   string
	}{
		{"no grant type", url.Values{}, true, 400, "invalid_request"},
		{"password grant", url.Values{"grant_type": {"password"}}, true, 400, "unsupported_grant_type"},
		{"unknown refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"lrt_nope"}}, true, 400, "invalid_grant"},
		{"no client", url.Values{"grant_type": {"client_credentials"}}, false, 401, "invalid_client"},
		{"form client", url.Values{"grant_type": {"client_credentials"}, "client_id": {testClientID},
			"client_secret": {testClientSecret}}, false, 200, ""},
		{"other client's refresh token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {pair.RefreshToken},
			"client_id": {"cli_other"}, "client_secret": {"x"}}, false, 401, "invalid_client"},
		{"client authenticated twice", url.Values{"grant_type": {"client_credentials"},
			"client_secret": {testClientSecret}}, true, 400, "invalid_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := tokenForm(t, srv, tt.form, tt.basic)
			require.Equal(t, tt.status, r.status, "%s", r.raw)
			if tt.code != "" {
				assert.Equal(t, tt.code, r.json["error"])
				assert.NotEmpty(t, r.json["error_description"])
			}
			if tt.status == http.StatusUnauthorized { // RFC 6749, section 5.2
				assert.Regexp(t, `^Basic `, r.header.Get("WWW-Authenticate"))
			}
			assert.Equal(t, "no-store", r.header.Get("Cache-Control"))
		})
	}
}

func TestRefreshTokensRotate(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t, lambdatest.WithTokenLifetime(time.Hour))
	first := srv.IssueToken(testClientID)
	assert.WithinDuration(t, time.Now().Add(time.Hour), first.Expiry, time.Minute)

	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {first.RefreshToken}}
	r := tokenForm(t, srv, form, true)
	require.Equal(t, http.StatusOK, r.status, "%s", r.raw)
	assert.EqualValues(t, 3600, r.json["expires_in"])
	next, _ := r.json["refresh_token"].(string)
	assert.NotEqual(t, first.RefreshToken, next)
	assert.NotEqual(t, first.AccessToken, r.json["access_token"])

	// The spent refresh token is refused; the new one works once.
	r = tokenForm(t, srv, form, true)
	assert.Equal(t, http.StatusBadRequest, r.status)
	assert.Equal(t, "invalid_grant", r.json["error"])
	r = tokenForm(t, srv, url.Values{"grant_type": {"refresh_token"}, "refresh_token": {next}}, true)
	assert.Equal(t, http.StatusOK, r.status, "%s", r.raw)
}

func TestExpireAndRevokeTokens(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t)
	tok := srv.IssueToken(testClientID)
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+tok.AccessToken)

	srv.ExpireTokens()
	r := bearer(t, srv, http.MethodGet, "/v1/account", "", tok.AccessToken)
	require.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "authentication_failed", r.errCode())
	assert.Contains(t, string(r.raw), "expired")
	assert.NotContains(t, string(r.raw), tok.AccessToken)

	// Expiry leaves the refresh token good: it renews.
	conf := &oauth2.Config{ClientID: testClientID, ClientSecret: testClientSecret,
		Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL()}}
	renewed, err := conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	require.NoError(t, err)
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+renewed.AccessToken)

	// Revocation takes both: the access token is a 401, the refresh token invalid_grant.
	srv.RevokeTokens()
	r = bearer(t, srv, http.MethodGet, "/v1/account", "", renewed.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "authentication_failed", r.errCode())
	_, err = conf.TokenSource(context.Background(), &oauth2.Token{RefreshToken: renewed.RefreshToken}).Token()
	var re *oauth2.RetrieveError
	require.True(t, errors.As(err, &re), "%v", err)
	assert.Equal(t, "invalid_grant", re.ErrorCode)

	// Tokens issued afterwards work.
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+srv.IssueToken(testClientID).AccessToken)
}

func TestIssueTokenUnknownClientPanics(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t)
	assert.Panics(t, func() { srv.IssueToken("cli_unknown") })
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t)
	scoped := func(scope ...string) string {
		conf := clientcredentials.Config{ClientID: testClientID, ClientSecret: testClientSecret,
			TokenURL: srv.TokenURL(), Scopes: scope}
		tok, err := conf.Token(context.Background())
		require.NoError(t, err)
		return tok.AccessToken
	}
	key := func(perms string) string {
		r := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/account/api-keys", `{"name":"k","permissions":`+perms+`}`)
		return r.data(t)["key"].(string)
	}
	tests := []struct {
		name       string
		credential string
		method     string
		path       string
		body       string
		missing    string // "" when allowed
	}{
		{"read key lists", key(`["read"]`), "GET", "/v1/instances", "", ""},
		{"read key cannot create", key(`["read"]`), "POST", "/v1/instances", instanceBody, "instances:write"},
		{"write includes read", key(`["write"]`), "GET", "/v1/volumes", "", ""},
		{"resource-scoped key", key(`["volumes:read"]`), "GET", "/v1/volumes", "", ""},
		{"resource-scoped key elsewhere", key(`["volumes:read"]`), "GET", "/v1/instances", "", "instances:read"},
		{"usage is billing", key(`["billing:read"]`), "GET", "/v1/usage", "", ""},
		{"default key permissions", key(`[]`), "DELETE", "/v1/instances/inst_nope", "", ""},
		{"scoped token reads", scoped("instances:read"), "GET", "/v1/instances", "", ""},
		{"scoped token cannot write", scoped("instances:read"), "POST", "/v1/instances", instanceBody, "instances:write"},
		{"unscoped token", scoped(), "POST", "/v1/instances", instanceBody, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := call(t, srv, tt.method, tt.path, tt.body, "Authorization", "Bearer "+tt.credential)
			if tt.missing == "" {
				assert.NotEqual(t, http.StatusForbidden, r.status, "%s", r.raw)
				return
			}
			require.Equal(t, http.StatusForbidden, r.status, "%s", r.raw)
			assert.Equal(t, "forbidden", r.errCode())
			e, _ := r.json["error"].(map[string]any)
			assert.Equal(t, tt.missing, e["required_permission"])
		})
	}
}

func TestTokensExpireOnTheServersClock(t *testing.T) {
	t.Parallel()
	srv := oauthServer(t, lambdatest.WithTokenLifetime(time.Hour))
	tok := srv.IssueToken(testClientID)
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+tok.AccessToken)
	require.NoError(t, srv.AdvanceClock(59*time.Minute))
	mustCall(t, srv, http.StatusOK, http.MethodGet, "/v1/account", "", "Authorization", "Bearer "+tok.AccessToken)
	require.NoError(t, srv.AdvanceClock(time.Minute))
	r := bearer(t, srv, http.MethodGet, "/v1/account", "", tok.AccessToken)
	assert.Equal(t, http.StatusUnauthorized, r.status)
	assert.Equal(t, "authentication_failed", r.errCode())
}

// TestTokenEndpointUnderEveryVersion: the contract serves every operation
// under /v1 and under /v2, the token endpoint included, so a client set up
// for the v2 beta gets its tokens at /v2/oauth/token, and they are good
// for calls under either version.
func TestTokenEndpointUnderEveryVersion(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"v1", "v2"} {
		t.Run(version, func(t *testing.T) {
			t.Parallel()
			srv := oauthServer(t)
			conf := clientcredentials.Config{ClientID: testClientID, ClientSecret: testClientSecret,
				TokenURL: srv.URL + "/" + version + "/oauth/token"}
			tok, err := conf.Token(context.Background())
			require.NoError(t, err)
			for _, v := range []string{"v1", "v2"} {
				r := bearer(t, srv, http.MethodGet, "/"+v+"/instances", "", tok.AccessToken)
				assert.Equal(t, http.StatusOK, r.status, "GET /%s/instances with a token from /%s/oauth/token: %s", v, version, r.raw)
			}
			assert.Equal(t, "requestToken", srv.Requests()[0].Operation, "the request log names the operation")
		})
	}
}
