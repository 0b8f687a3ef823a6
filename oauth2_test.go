package lambda_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

const (
	oauthClientID     = "cli_e2e"
	oauthClientSecret = "cs_e2e_5e7a9c1b3d" // long enough to be redacted
)

// oauthSim is a simulator playing the authorization server, a real
// oauth2.Config pointed at it, and a token pair it issued.
type oauthSim struct {
	srv  *lambdatest.Server
	conf *oauth2.Config
	tok  *oauth2.Token
	logs *syncBuffer
}

func newOAuthSim(t *testing.T, opts ...lambdatest.Option) *oauthSim {
	t.Helper()
	_, srv := newSim(t, append([]lambdatest.Option{lambdatest.WithOAuthClient(oauthClientID, oauthClientSecret)}, opts...)...)
	return &oauthSim{
		srv: srv,
		// AuthStyleInHeader: with AutoDetect, x/oauth2 sends a refused
		// request again with the credentials in the form, which would
		// double the counts below.
		conf: &oauth2.Config{ClientID: oauthClientID, ClientSecret: oauthClientSecret,
			Endpoint: oauth2.Endpoint{TokenURL: srv.TokenURL(), AuthStyle: oauth2.AuthStyleInHeader}},
		tok:  srv.IssueToken(oauthClientID),
		logs: &syncBuffer{},
	}
}

// client returns a client with WithOAuth2 and a debug logger into s.logs.
func (s *oauthSim) client(t *testing.T, opts ...lambda.Option) *lambda.Client {
	t.Helper()
	return newTestClientWith(t, lambda.WithOAuth2(s.conf, s.tok), s.srv.BaseURL(), append([]lambda.Option{
		lambda.WithHTTPClient(s.srv.Client()),
		lambda.WithLogger(slog.New(slog.NewTextHandler(s.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
	}, opts...)...)
}

// tokenRequests counts the requests to the token endpoint; apiRequests
// those to the API.
func (s *oauthSim) tokenRequests() (tokens, api int) {
	for _, r := range s.srv.Requests() {
		if r.Path == "/v1/oauth/token" {
			tokens++
		} else {
			api++
		}
	}
	return tokens, api
}

// burst runs n concurrent calls and returns their errors.
func burst(n int, call func() error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = call()
		}()
	}
	wg.Wait()
	return errs
}

func TestOAuth2ExpiredTokenBurstRefreshesOnce(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		expire func(s *oauthSim) // makes the token the client holds expire
	}{
		{"the client sees the expiry", func(s *oauthSim) { s.tok.Expiry = time.Now().Add(-time.Minute) }},
		{"the server expires it early", func(s *oauthSim) { s.srv.ExpireTokens() }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := newOAuthSim(t)
			tt.expire(s)
			client := s.client(t)
			errs := burst(64, func() error {
				_, err := client.Account.Get(testCtx(t))
				return err
			})
			for _, err := range errs {
				require.NoError(t, err)
			}
			tokens, _ := s.tokenRequests()
			assert.Equal(t, 1, tokens, "64 calls meeting one expired token renew it once")
		})
	}
}

func TestOAuth2RenewsAfterExpireTokens(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	var notified []*oauth2.Token
	var mu sync.Mutex
	client := s.client(t, lambda.WithTokenNotify(func(tok *oauth2.Token) {
		mu.Lock()
		defer mu.Unlock()
		notified = append(notified, tok)
	}))
	ctx := testCtx(t)
	_, err := client.Account.Get(ctx)
	require.NoError(t, err)

	for round := 1; round <= 2; round++ {
		s.srv.ExpireTokens()
		_, err = client.Account.Get(ctx)
		require.NoError(t, err, "round %d", round)
		tokens, api := s.tokenRequests()
		assert.Equal(t, round, tokens, "one refresh per expiry")
		assert.Equal(t, 1+2*round, api, "each expiry costs one refused request")
	}

	// The notified token is the live one: the refresh token it carries
	// renews (the spent ones are refused), and it works on its own.
	mu.Lock()
	require.Len(t, notified, 2)
	last := notified[1]
	mu.Unlock()
	assert.NotEqual(t, s.tok.RefreshToken, last.RefreshToken, "refresh tokens rotate")
	s.tok = last
	_, err = s.client(t).Account.Get(ctx)
	require.NoError(t, err)
}

func TestOAuth2RevokedFailsTypedWithoutLoop(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	client := s.client(t)
	ctx := testCtx(t)
	_, err := client.Account.Get(ctx)
	require.NoError(t, err)
	s.srv.ResetRequests()

	s.srv.RevokeTokens()
	_, err = client.Account.Get(ctx)
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	var re *oauth2.RetrieveError
	require.ErrorAs(t, err, &re, "the renewal's failure is in the chain")
	assert.Equal(t, "invalid_grant", re.ErrorCode)
	assert.Contains(t, err.Error(), "invalid_grant")
	tokens, api := s.tokenRequests()
	assert.Equal(t, 1, tokens, "one renewal tried")
	assert.Equal(t, 1, api, "no second request with the refused token")

	// The next call tries once more, and fails the same way: no loop, no lock-up.
	_, err = client.Account.Get(ctx)
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	tokens, api = s.tokenRequests()
	assert.Equal(t, 2, tokens)
	assert.Equal(t, 2, api)
}

func TestOAuth2NoTokenInErrorsOrLogs(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	var seen []string // every token the client held
	var mu sync.Mutex
	client := s.client(t, lambda.WithTokenNotify(func(tok *oauth2.Token) {
		mu.Lock()
		defer mu.Unlock()
		seen = append(seen, tok.AccessToken, tok.RefreshToken)
	}))
	ctx := testCtx(t)
	var errs []string
	s.srv.ExpireTokens()
	_, err := client.Account.Get(ctx)
	require.NoError(t, err)
	// A proxy's page that quotes the request back, then a revoked token.
	s.srv.InjectFault(lambdatest.Fault{Path: "/v1/account", Status: 502, Times: 4,
		Body: "<html>upstream said no to " + s.tok.AccessToken + " and " + s.tok.RefreshToken + "</html>"})
	_, err = client.Account.Get(ctx)
	require.Error(t, err)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", client))
	s.srv.RevokeTokens()
	_, err = client.Account.Get(ctx)
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	errs = append(errs, err.Error(), fmt.Sprintf("%+v", err))
	for _, err := range client.Instances.StreamMetrics(ctx, "inst_nope", &lambda.StreamMetricsOptions{DisableReconnect: true}) {
		require.Error(t, err)
		errs = append(errs, err.Error())
		break
	}

	mu.Lock()
	secrets := append([]string{s.tok.AccessToken, s.tok.RefreshToken, oauthClientSecret}, seen...)
	mu.Unlock()
	logs := s.logs.String()
	require.NotEmpty(t, logs)
	for _, secret := range secrets {
		assert.NotContains(t, logs, secret)
		for _, e := range errs {
			assert.NotContains(t, e, secret)
		}
	}
}

func TestOAuth2MetricsStreamSurvivesRotation(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	client := s.client(t)
	id := s.srv.SeedInstances(1)[0]
	n := 0
	for _, err := range client.Instances.StreamMetrics(testCtx(t), id, fastStream) {
		require.NoError(t, err)
		n++
		if n == 2 {
			s.srv.ExpireTokens() // the reconnect's handshake meets a 401
			s.srv.DropStreams()
		}
		if n == 5 {
			break
		}
	}
	assert.Equal(t, 5, n)
	tokens, _ := s.tokenRequests()
	assert.Equal(t, 1, tokens, "the handshake renewed the token once")
	assert.Len(t, platformRequests(s.srv, "", streamPath(id)), 3, "first connection, the refused reconnect, the one after the renewal")
}

func TestOAuth2TokenWithoutExpiryIsKept(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	s.tok.Expiry = time.Time{} // as from a server that sent no expires_in: good for 30 days
	client := s.client(t)
	for range 3 {
		_, err := client.Account.Get(testCtx(t))
		require.NoError(t, err)
	}
	tokens, _ := s.tokenRequests()
	assert.Zero(t, tokens)
}

func TestOAuth2ClientCredentials(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	newClient := func(scopes ...string) *lambda.Client {
		return newTestClientWith(t, lambda.WithOAuth2ClientCredentials(&clientcredentials.Config{ClientID: oauthClientID,
			ClientSecret: oauthClientSecret, TokenURL: s.srv.TokenURL(), Scopes: scopes}),
			s.srv.BaseURL(), lambda.WithHTTPClient(s.srv.Client()))
	}
	ctx := testCtx(t)
	client := newClient()
	_, err := client.Account.Get(ctx)
	require.NoError(t, err)
	s.srv.ExpireTokens()
	errs := burst(16, func() error { _, err := client.Account.Get(ctx); return err })
	for _, err := range errs {
		require.NoError(t, err)
	}
	tokens, _ := s.tokenRequests()
	assert.Equal(t, 2, tokens, "the first token, then one renewal for the burst")

	// A token scoped to reading instances may list them, not create one.
	scoped := newClient("instances:read")
	_, err = scoped.Instances.List(ctx, nil)
	require.NoError(t, err)
	_, err = scoped.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: "compute-2x",
		Region: "us-west-1", Image: "ubuntu-22.04"})
	require.ErrorIs(t, err, lambda.ErrForbidden)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, "instances:write", lerr.Permission)
	assert.Contains(t, err.Error(), "instances:write")
}

func TestAPIKeyPermissionsAreEnforced(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	key, err := client.APIKeys.Create(ctx, &lambda.CreateAPIKeyRequest{Name: "reader", Permissions: []string{"read"}})
	require.NoError(t, err)
	reader := simClient(t, srv, lambda.WithAPIKey(key.Key.Reveal()))
	_, err = reader.Volumes.List(ctx, nil)
	require.NoError(t, err)
	err = reader.Volumes.Delete(ctx, "vol_x")
	require.ErrorIs(t, err, lambda.ErrForbidden)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, "volumes:write", lerr.Permission)
}

func TestOAuth2Options(t *testing.T) {
	t.Parallel()
	conf := &oauth2.Config{ClientID: "id", ClientSecret: "cs_options_9f8e", Endpoint: oauth2.Endpoint{TokenURL: "https://auth.example/token"}}
	tok := &oauth2.Token{AccessToken: "a", RefreshToken: "r"}
	tests := []struct {
		name string
		opts []lambda.Option
		want string // "" when NewClient succeeds
	}{
		{"ok", []lambda.Option{lambda.WithOAuth2(conf, tok)}, ""},
		{"ok with notify", []lambda.Option{lambda.WithOAuth2(conf, tok), lambda.WithTokenNotify(func(*oauth2.Token) {})}, ""},
		{"nil config", []lambda.Option{lambda.WithOAuth2(nil, tok)}, "config is nil"},
		{"nil token", []lambda.Option{lambda.WithOAuth2(conf, nil)}, "token is nil"},
		{"no refresh token", []lambda.Option{lambda.WithOAuth2(conf, &oauth2.Token{AccessToken: "a"})}, "no refresh token"},
		{"plain http token URL", []lambda.Option{lambda.WithOAuth2(&oauth2.Config{Endpoint: oauth2.Endpoint{TokenURL: "http://auth.example/token"}}, tok)}, "https"},
		{"no token URL", []lambda.Option{lambda.WithOAuth2(&oauth2.Config{}, tok)}, "token URL is empty"},
		{"with an API key", []lambda.Option{lambda.WithAPIKey("k"), lambda.WithOAuth2(conf, tok)}, "mutually exclusive"},
		{"with a token source", []lambda.Option{lambda.WithOAuth2(conf, tok), lambda.WithTokenSource(oauth2.StaticTokenSource(tok))}, "mutually exclusive"},
		{"nil client credentials", []lambda.Option{lambda.WithOAuth2ClientCredentials(nil)}, "config is nil"},
		{"notify without OAuth2", []lambda.Option{lambda.WithAPIKey("k"), lambda.WithTokenNotify(func(*oauth2.Token) {})}, "WithTokenNotify needs"},
		{"nil notify", []lambda.Option{lambda.WithOAuth2(conf, tok), lambda.WithTokenNotify(nil)}, "function is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := lambda.NewClient(tt.opts...)
			if tt.want == "" {
				require.NoError(t, err)
				assert.Contains(t, c.String(), "oauth2")
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.NotContains(t, err.Error(), "cs_options_9f8e")
		})
	}
}

// WithTokenSource cannot make oauth2.Config's source renew early: after the
// server revoked the token, the source hands the same one back and the call
// fails without a second request, as its doc says.
func TestTokenSourceCannotRenewEarly(t *testing.T) {
	t.Parallel()
	s := newOAuthSim(t)
	client := newTestClientWith(t, lambda.WithTokenSource(s.conf.TokenSource(context.Background(), s.tok)),
		s.srv.BaseURL(), lambda.WithHTTPClient(s.srv.Client()))
	s.srv.ExpireTokens()
	_, err := client.Account.Get(testCtx(t))
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	tokens, api := s.tokenRequests()
	assert.Zero(t, tokens)
	assert.Equal(t, 1, api)
}
