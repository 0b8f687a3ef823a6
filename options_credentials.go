package lambda

// The options that say who the client is: an API key, or OAuth 2.0 tokens
// that the client renews itself or takes from a source.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/lambda/lambda-go/internal/auth"
)

// DefaultTokenLifetime is how long an OAuth 2.0 access token that came
// without an expiry is taken to be good, from when the client got it: the
// platform's 30 days.
const DefaultTokenLifetime = 30 * 24 * time.Hour

// credential builds the credential; hc is the client that token requests
// go out on (the caller's, without the API's credential).
func (cfg *config) credential(hc *http.Client) (auth.Credential, *auth.Token) {
	var t *auth.Token
	switch {
	case cfg.tokenSource != nil:
		t = auth.NewToken(cfg.tokenSource)
	case cfg.oauthConf != nil:
		conf := cfg.oauthConf
		hc := tokenClient(hc, conf.Endpoint.TokenURL)
		t = auth.NewRefresher(func(ctx context.Context, cur *oauth2.Token) (*oauth2.Token, error) {
			if cur == nil || cur.RefreshToken == "" {
				return nil, errors.New("no refresh token to renew the access token with")
			}
			// A source without an access token asks the token endpoint at once.
			ctx = context.WithValue(ctx, oauth2.HTTPClient, hc)
			return conf.TokenSource(ctx, &oauth2.Token{RefreshToken: cur.RefreshToken}).Token()
		}, cfg.oauthToken, DefaultTokenLifetime, cfg.tokenNotify, conf.ClientSecret)
	case cfg.oauthCC != nil:
		conf := cfg.oauthCC
		hc := tokenClient(hc, conf.TokenURL)
		t = auth.NewRefresher(func(ctx context.Context, _ *oauth2.Token) (*oauth2.Token, error) {
			return conf.Token(context.WithValue(ctx, oauth2.HTTPClient, hc))
		}, nil, DefaultTokenLifetime, cfg.tokenNotify, conf.ClientSecret)
	default:
		return auth.NewAPIKey(cfg.apiKey, cfg.apiKeyHeader), nil
	}
	return t, t
}

// tokenClient is hc for token requests: it follows no redirect off the
// token URL's origin (another host or port, https to http), where the
// refresh token or the client secret in the request's body would go, and
// whose token would be taken for the endpoint's; nor a 301 or 302 that
// net/http would follow with a GET. The rules are the API's
// (checkRedirect), then the caller's own policy.
func tokenClient(hc *http.Client, tokenURL string) *http.Client {
	u, err := url.Parse(tokenURL)
	if err != nil { // checkTokenURL refused it already
		return hc
	}
	c := *hc
	c.CheckRedirect = checkRedirect(u, "the OAuth2 token endpoint", hc.CheckRedirect)
	return &c
}

// setCredential records that option name set the credential, and refuses
// a second credential option.
func (cfg *config) setCredential(name string) error {
	if cfg.credentialName != "" && cfg.credentialName != name {
		return fmt.Errorf("lambda: %s and %s are mutually exclusive: a client has one credential", cfg.credentialName, name)
	}
	cfg.credentialName = name
	return nil
}

// WithAPIKey authenticates with an API key, sent as "Authorization: Bearer
// <key>" (or in X-API-Key with WithAPIKeyHeader). Its bytes are sent as
// they are; a key holding a control character other than tab, which no
// header can carry, is refused here.
func WithAPIKey(key string) Option {
	return func(c *config) error {
		if strings.TrimSpace(key) == "" {
			return errors.New("lambda: WithAPIKey: the key is empty")
		}
		if p := auth.HeaderValueProblem(key); p != "" {
			return errors.New("lambda: WithAPIKey: the key " + p + ", which no header can carry")
		}
		if err := c.setCredential("WithAPIKey"); err != nil {
			return err
		}
		c.apiKey, c.apiKeySet = key, true
		return nil
	}
}

// WithAPIKeyHeader sends the API key in the X-API-Key header instead of
// Authorization. It concerns an API key only: with OAuth 2.0 tokens
// (WithOAuth2, WithTokenSource, …), which always go in Authorization,
// NewClient refuses it.
func WithAPIKeyHeader() Option {
	return func(c *config) error {
		c.apiKeyHeader = true
		return nil
	}
}

// WithTokenSource authenticates with OAuth 2.0 bearer tokens from ts, a
// source that manages its tokens itself. The client reuses a token until
// its expiry, then asks ts for one (a token without expiry is used until
// the API refuses it). After a 401 the client asks ts once more and sends
// the request again only if ts gives a different token; it cannot make ts
// renew. The source of oauth2.Config.TokenSource caches its token until its
// own idea of the expiry, so after the server revoked or expired the token
// early it hands the same one back, and the call fails with
// ErrUnauthorized. To renew on a 401 whatever the expiry says, use
// WithOAuth2 or WithOAuth2ClientCredentials. ts.Token takes no context: a
// call waits for it only until the call's ctx ends, and calls meanwhile
// share the one pending Token call, whose goroutine ends when ts answers.
func WithTokenSource(ts oauth2.TokenSource) Option {
	return func(c *config) error {
		if ts == nil {
			return errors.New("lambda: WithTokenSource: the token source is nil")
		}
		if err := c.setCredential("WithTokenSource"); err != nil {
			return err
		}
		c.tokenSource = ts
		return nil
	}
}

// WithOAuth2 authenticates with OAuth 2.0 tokens that the client renews
// itself with conf, starting from tok (an access and refresh token pair,
// as an authorization-code flow gives it; the access token may be empty).
// The client renews the token shortly before it expires, and after a 401
// once with the refresh token whatever the expiry says, then sends the
// request again once; the metrics stream's handshake does the same. A
// token without an expiry is taken to be good for DefaultTokenLifetime (30
// days). Concurrent calls that meet the same expired or refused token
// share one renewal; a 401 for a token that was already replaced renews
// nothing. Token requests go out on the client's http.Client
// (WithHTTPClient), following no redirect off the token URL's origin,
// where the refresh token or client secret would go. Refresh tokens may rotate: use WithTokenNotify to
// persist each new token. When the refresh token itself is refused
// (revoked), calls fail with ErrUnauthorized and the cause, an
// *oauth2.RetrieveError, is in the error chain. So does a call, unsent,
// when no token can be had at all: the token endpoint refuses, answers
// something that is no token, or gives an access token or token type
// with a control character, which no header can carry.
func WithOAuth2(conf *oauth2.Config, tok *oauth2.Token) Option {
	return func(c *config) error {
		switch {
		case conf == nil:
			return errors.New("lambda: WithOAuth2: the config is nil")
		case tok == nil:
			return errors.New("lambda: WithOAuth2: the token is nil")
		case tok.RefreshToken == "":
			return errors.New("lambda: WithOAuth2: the token has no refresh token, so nothing could renew it; use WithTokenSource(oauth2.StaticTokenSource(tok)) for a token that is never renewed")
		}
		if err := checkTokenURL("WithOAuth2", conf.Endpoint.TokenURL); err != nil {
			return err
		}
		if err := c.setCredential("WithOAuth2"); err != nil {
			return err
		}
		t := *tok
		c.oauthConf, c.oauthToken = conf, &t
		return nil
	}
}

// WithOAuth2ClientCredentials authenticates with OAuth 2.0 tokens of the
// client credentials grant (RFC 6749 §4.4), which the client gets from
// conf and renews as WithOAuth2 does: before expiry, and once after a 401.
// There is no refresh token: each renewal is a new client_credentials
// request.
func WithOAuth2ClientCredentials(conf *clientcredentials.Config) Option {
	return func(c *config) error {
		if conf == nil {
			return errors.New("lambda: WithOAuth2ClientCredentials: the config is nil")
		}
		if err := checkTokenURL("WithOAuth2ClientCredentials", conf.TokenURL); err != nil {
			return err
		}
		if err := c.setCredential("WithOAuth2ClientCredentials"); err != nil {
			return err
		}
		c.oauthCC = conf
		return nil
	}
}

// WithTokenNotify calls fn with each new token that WithOAuth2 or
// WithOAuth2ClientCredentials obtains, so that the caller can persist it:
// a rotating refresh token is good once, and the old one is spent. This is
// the "notify on refresh" hook x/oauth2 users write around a TokenSource.
// fn is called once per new token (one with the same access token but a
// new expiry or refresh token counts), one call at a time and in the order
// the tokens came, after the calls waiting for the token have it. It gets a
// copy; it should return quickly and must not use the client.
func WithTokenNotify(fn func(*oauth2.Token)) Option {
	return func(c *config) error {
		if fn == nil {
			return errors.New("lambda: WithTokenNotify: the function is nil")
		}
		c.tokenNotify = fn
		return nil
	}
}

// checkTokenURL refuses a token URL the client secret must not travel to:
// it must be https, except on a loopback host (a local simulator).
func checkTokenURL(option, raw string) error {
	if raw == "" {
		return fmt.Errorf("lambda: %s: the token URL is empty", option)
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("lambda: %s: the token URL is not an absolute URL", option)
	}
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return fmt.Errorf("lambda: %s: token URL %q: the client secret and tokens travel only over https (plain http on loopback only)", option, urlForError(u))
	}
	return nil
}
