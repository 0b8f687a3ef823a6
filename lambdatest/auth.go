package lambdatest

import (
	"crypto/subtle"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// authenticator holds the accepted API keys: the configured ones and those
// created through POST /account/api-keys.
type authenticator struct {
	mu      sync.RWMutex
	keys    []string
	revoked map[string]bool     // configured keys deleted through the API
	created map[string][]string // secrets of keys created through the API → their permissions
	any     bool                // WithAnyAPIKey: every non-empty key is accepted
}

// set replaces the configured keys; each is accepted, even one deleted
// through the API before.
func (a *authenticator) set(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append([]string(nil), keys...)
	a.revoked = nil
}

// reset forgets the keys created and deleted through the API: the
// configured keys are accepted again, the created ones no more.
func (a *authenticator) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.created, a.revoked = nil, nil
}

func (a *authenticator) addCreated(secret string, perms []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.created == nil {
		a.created = map[string][]string{}
	}
	a.created[secret] = slices.Clone(perms)
}

// revoke stops secret from authenticating, whether it was configured
// (the listed default key) or created through the API.
func (a *authenticator) revoke(secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.created, secret)
	if slices.Contains(a.keys, secret) {
		if a.revoked == nil {
			a.revoked = map[string]bool{}
		}
		a.revoked[secret] = true
	}
}

// principal is who a request authenticated as: the key (or OAuth client)
// its rate limit is counted against, and its permissions (nil: all).
type principal struct {
	key   string
	perms []string
}

// credentials returns what the request presents: the bearer value of
// "Authorization: Bearer <x>" and the value of "X-API-Key: <x>".
func credentials(r *http.Request) []string {
	var candidates []string
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		candidates = append(candidates, h[7:])
	}
	if h := r.Header.Get("X-API-Key"); h != "" {
		candidates = append(candidates, h)
	}
	return candidates
}

// check returns the API key the request authenticates with, from
// "Authorization: Bearer <key>" or "X-API-Key: <key>". Bytes are compared
// exactly: a client that re-encodes a non-ASCII key fails here.
func (a *authenticator) check(candidates []string) (principal, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, cand := range candidates {
		if a.any && strings.TrimSpace(cand) != "" {
			return principal{key: cand}, true
		}
		for _, k := range a.keys {
			if k != "" && !a.revoked[k] && subtle.ConstantTimeCompare([]byte(cand), []byte(k)) == 1 {
				return principal{key: k}, true
			}
		}
		if perms, ok := a.created[cand]; ok {
			return principal{key: cand, perms: perms}, true
		}
	}
	return principal{}, false
}

// authenticate finds who r is: an API key or an OAuth access token. On
// failure it returns the message of the 401, which never quotes what was
// sent.
func (s *Server) authenticate(r *http.Request, now time.Time) (principal, string) {
	candidates := credentials(r)
	if p, ok := s.auth.check(candidates); ok {
		return p, ""
	}
	for _, cand := range candidates {
		g, why := s.oauth.authenticate(cand, now)
		if g != nil {
			return principal{key: "oauth:" + g.clientID, perms: g.perms}, ""
		}
		if why != "" {
			return principal{}, why
		}
	}
	if len(candidates) == 0 {
		return principal{}, "missing API key: send Authorization: Bearer <key> or X-API-Key"
	}
	return principal{}, "invalid API key or access token"
}

// permits reports whether perms allow method on path, and otherwise names
// the permission missing. A permission is "read" or "write" (on every
// resource), or "<resource>:read" or "<resource>:write", where the resource
// is the first segment of the path after the version ("instances",
// "volumes", "account", …; "usage" counts as "billing"). "write" includes
// "read". nil perms allow everything.
func permits(perms []string, method, path string) (string, bool) {
	if perms == nil {
		return "", true
	}
	rest := path
	if r, ok := unversioned(path); ok {
		rest = r[1:]
	}
	resource, _, _ := strings.Cut(rest, "/")
	if resource == "usage" {
		resource = "billing"
	}
	access := "write"
	if method == http.MethodGet || method == http.MethodHead {
		access = "read"
	}
	for _, p := range perms {
		scope, level, scoped := strings.Cut(p, ":")
		if !scoped {
			scope, level = "", p
		}
		if (scope == "" || scope == resource) && (level == access || level == "write") {
			return "", true
		}
	}
	return resource + ":" + access, false
}

// SetAPIKeys replaces the accepted API keys while the server runs, for
// token-rotation tests. Keys created through the API stay valid.
func (s *Server) SetAPIKeys(keys ...string) { s.auth.set(keys) }
