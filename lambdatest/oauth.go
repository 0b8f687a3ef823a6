package lambdatest

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
)

// DefaultTokenLifetime is the expires_in of the access tokens the simulator
// issues unless WithTokenLifetime says otherwise: the platform's 30 days.
const DefaultTokenLifetime = 30 * 24 * time.Hour

// The token endpoint's path in the contract, and under the version prefix
// TokenURL gives. Like every operation it is served under /v2 too.
const (
	tokenOpPath = "/oauth/token"
	tokenPath   = "/v1" + tokenOpPath
)

// isTokenPath reports whether an escaped path is the token endpoint under
// a version the simulator serves.
func isTokenPath(path string) bool {
	rest, ok := unversioned(path)
	return ok && rest == tokenOpPath
}

// oauthServer is the simulator's authorization server: registered clients,
// and the access and refresh tokens it issued. Refresh tokens rotate: each
// one is good for a single refresh.
type oauthServer struct {
	mu       sync.Mutex
	lifetime time.Duration
	clients  map[string]string // client ID → secret
	access   map[string]*grant // live access tokens
	refresh  map[string]*grant // live refresh tokens
	// sweepAt is the number of access tokens at which issue forgets those
	// expired for a lifetime or more (one expired more recently is still
	// refused as expired, not unknown): a client that asks for a token per
	// test, for hours, with a short lifetime.
	sweepAt int
}

// grant is what a token stands for: a client, its permissions (nil: all),
// and for an access token its expiry.
type grant struct {
	clientID string
	perms    []string
	expiry   time.Time
}

func (o *oauthServer) init(cfg config) {
	o.lifetime = cfg.tokenLifetime
	o.clients = map[string]string{}
	for id, secret := range cfg.oauthClients {
		o.clients[id] = secret
	}
	o.access, o.refresh = map[string]*grant{}, map[string]*grant{}
	o.sweepAt = minSweep
}

// issue makes a new access and refresh token pair for g. o.mu is held.
func (o *oauthServer) issue(g grant, now time.Time) *oauth2.Token {
	if len(o.access) >= o.sweepAt {
		for tok, g := range o.access {
			if !now.Before(g.expiry.Add(o.lifetime)) {
				delete(o.access, tok)
			}
		}
		o.sweepAt = max(2*len(o.access), minSweep)
	}
	at, rt := newID("lat_")+newID(""), newID("lrt_")+newID("")
	g.expiry = now.Add(o.lifetime)
	o.access[at] = &grant{clientID: g.clientID, perms: g.perms, expiry: g.expiry}
	o.refresh[rt] = &grant{clientID: g.clientID, perms: g.perms}
	// The token's Expiry is on this machine's clock, as a client that got
	// expires_in would compute it; the server checks its own clock.
	return &oauth2.Token{AccessToken: at, TokenType: "Bearer", RefreshToken: rt,
		Expiry: time.Now().Add(o.lifetime), ExpiresIn: int64(o.lifetime / time.Second)}
}

// authenticate checks an access token. It returns the token's grant, or the
// reason it is refused; the reason never quotes the token.
func (o *oauthServer) authenticate(token string, now time.Time) (*grant, string) {
	o.mu.Lock()
	defer o.mu.Unlock()
	g, ok := o.access[token]
	switch {
	case !ok:
		return nil, ""
	case !now.Before(g.expiry):
		return nil, "access token expired: renew it with the refresh token"
	}
	return g, ""
}

// IssueToken returns an access and refresh token pair for the registered
// client clientID, as an authorization-code flow would give it, with every
// permission. The access token expires after the token lifetime (30 days
// unless WithTokenLifetime) on the server's clock; its Expiry is on this
// machine's, as a client computes it from expires_in. It panics if clientID was not registered with
// WithOAuthClient: that is a mistake in the test itself.
func (s *Server) IssueToken(clientID string) *oauth2.Token {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	if _, ok := s.oauth.clients[clientID]; !ok {
		panic("lambdatest: IssueToken: client " + clientID + " is not registered (WithOAuthClient)")
	}
	return s.oauth.issue(grant{clientID: clientID}, s.Now())
}

// TokenURL returns the URL of the token endpoint, for oauth2.Endpoint's
// TokenURL.
func (s *Server) TokenURL() string { return s.URL + tokenPath }

// ExpireTokens makes every access token issued so far expire now, whatever
// its expires_in said: the API refuses it with 401 authentication_failed.
// Refresh tokens stay good. Expiry reads the server's clock (Now), so
// AdvanceClock past the lifetime expires tokens too.
func (s *Server) ExpireTokens() {
	now := s.Now()
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	for _, g := range s.oauth.access {
		if g.expiry.After(now) {
			g.expiry = now
		}
	}
}

// RevokeTokens revokes every access and refresh token issued so far: the
// API refuses the access tokens with 401 authentication_failed, and the
// token endpoint refuses the refresh tokens with invalid_grant. Tokens
// issued afterwards work.
func (s *Server) RevokeTokens() {
	s.oauth.mu.Lock()
	defer s.oauth.mu.Unlock()
	clear(s.oauth.access)
	clear(s.oauth.refresh)
}

// oauthError is an error answer of the token endpoint (RFC 6749 §5.2).
type oauthError struct {
	status      int
	code        string
	description string
}

// serveToken answers the token endpoint (RFC 6749 §4.4 and §6): form-encoded
// grant_type=client_credentials or refresh_token, the client authenticated
// by HTTP Basic or by client_id and client_secret fields.
func (s *Server) serveToken(w http.ResponseWriter, c *call) {
	tok, perms, oe := s.grantToken(c)
	rep := reply{status: http.StatusOK, header: http.Header{}}
	rep.header.Set("Content-Type", "application/json")
	rep.header.Set("Cache-Control", "no-store")
	rep.header.Set("Pragma", "no-cache")
	if oe != nil {
		rep.status = oe.status
		if oe.status == http.StatusUnauthorized {
			rep.header.Set("WWW-Authenticate", `Basic realm="lambda"`)
		}
		rep.body = mustJSON(map[string]string{"error": oe.code, "error_description": oe.description})
	} else {
		body := map[string]any{"access_token": tok.AccessToken, "token_type": tok.TokenType,
			"refresh_token": tok.RefreshToken, "expires_in": int64(s.oauth.lifetime / time.Second)}
		if perms != nil {
			body["scope"] = strings.Join(perms, " ")
		}
		rep.body = mustJSON(body)
	}
	s.finish(w, c, rep, true)
}

// grantToken checks a token request and issues the token, with the
// permissions it carries (nil: all).
func (s *Server) grantToken(c *call) (*oauth2.Token, []string, *oauthError) {
	bad := func(status int, code, desc string) (*oauth2.Token, []string, *oauthError) {
		return nil, nil, &oauthError{status: status, code: code, description: desc}
	}
	if c.r.Method != http.MethodPost {
		return bad(http.StatusMethodNotAllowed, "invalid_request", "the token endpoint takes POST")
	}
	mt := strings.TrimSpace(strings.Split(c.r.Header.Get("Content-Type"), ";")[0])
	form, err := url.ParseQuery(string(c.body))
	if !strings.EqualFold(mt, "application/x-www-form-urlencoded") || err != nil {
		return bad(http.StatusBadRequest, "invalid_request", "the body must be application/x-www-form-urlencoded")
	}
	id, secret, basic := c.r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both are form-encoded before Base64.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
		if form.Has("client_secret") {
			return bad(http.StatusBadRequest, "invalid_request", "the client authenticated twice (Basic and form)")
		}
	} else {
		id, secret = form.Get("client_id"), form.Get("client_secret")
	}

	o := &s.oauth
	o.mu.Lock()
	defer o.mu.Unlock()
	want, ok := o.clients[id]
	if !ok || subtle.ConstantTimeCompare([]byte(secret), []byte(want)) != 1 {
		return bad(http.StatusUnauthorized, "invalid_client", "unknown client or wrong client secret")
	}
	switch form.Get("grant_type") {
	case "client_credentials":
		var perms []string
		if sc := strings.Fields(form.Get("scope")); len(sc) > 0 {
			perms = sc
		}
		return o.issue(grant{clientID: id, perms: perms}, c.now), perms, nil
	case "refresh_token":
		rt := form.Get("refresh_token")
		g, ok := o.refresh[rt]
		if !ok || g.clientID != id {
			return bad(http.StatusBadRequest, "invalid_grant", "the refresh token is invalid, revoked or already used")
		}
		perms := g.perms
		if sc := strings.Fields(form.Get("scope")); len(sc) > 0 {
			for _, p := range sc {
				if perms != nil && !slices.Contains(perms, p) {
					return bad(http.StatusBadRequest, "invalid_scope", "a refresh cannot widen the token's scope")
				}
			}
			perms = sc
		}
		delete(o.refresh, rt) // rotation: a refresh token is good once
		return o.issue(grant{clientID: id, perms: perms}, c.now), perms, nil
	case "":
		return bad(http.StatusBadRequest, "invalid_request", "grant_type is missing")
	default:
		return bad(http.StatusBadRequest, "unsupported_grant_type", "grant_type must be client_credentials or refresh_token")
	}
}
