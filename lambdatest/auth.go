package lambdatest

import (
	"crypto/subtle"
	"net/http"
	"strings"
	"sync"
)

// authenticator holds the accepted API keys: the configured ones and those
// created through POST /account/api-keys.
type authenticator struct {
	mu      sync.RWMutex
	keys    []string
	created map[string]bool // secrets of keys created through the API
	any     bool            // WithAnyAPIKey: every non-empty key is accepted
}

func (a *authenticator) set(keys []string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.keys = append([]string(nil), keys...)
}

func (a *authenticator) addCreated(secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.created == nil {
		a.created = map[string]bool{}
	}
	a.created[secret] = true
}

func (a *authenticator) removeCreated(secret string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.created, secret)
}

// check returns the key the request authenticates with, from
// "Authorization: Bearer <key>" or "X-API-Key: <key>". Bytes are compared
// exactly: a client that re-encodes a non-ASCII key fails here.
func (a *authenticator) check(r *http.Request) (string, bool) {
	var candidates []string
	if h := r.Header.Get("Authorization"); len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		candidates = append(candidates, h[7:])
	}
	if h := r.Header.Get("X-API-Key"); h != "" {
		candidates = append(candidates, h)
	}
	a.mu.RLock()
	defer a.mu.RUnlock()
	for _, cand := range candidates {
		if a.any && strings.TrimSpace(cand) != "" {
			return cand, true
		}
		for _, k := range a.keys {
			if k != "" && subtle.ConstantTimeCompare([]byte(cand), []byte(k)) == 1 {
				return k, true
			}
		}
		if a.created[cand] {
			return cand, true
		}
	}
	return "", false
}

// SetAPIKeys replaces the accepted API keys while the server runs, for
// token-rotation tests. Keys created through the API stay valid.
func (s *Server) SetAPIKeys(keys ...string) { s.auth.set(keys) }
