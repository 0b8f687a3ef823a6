package lambdatest

import (
	"bytes"
	"crypto/sha256"
	"net/http"
	"sync"
	"time"
)

// idempotencyTTL is how long a key is remembered, as on the platform.
const idempotencyTTL = 24 * time.Hour

type idemRecord struct {
	hash    [32]byte
	done    bool
	rep     reply
	reqID   string
	expires time.Time
}

// idempotencyStore remembers the answer to each POST that carried an
// Idempotency-Key, per API key.
type idempotencyStore struct {
	mu sync.Mutex
	m  map[string]*idemRecord
}

func (st *idempotencyStore) init() { st.m = map[string]*idemRecord{} }

// do runs h once per (API key, idempotency key): a repeat with the same
// request replays the stored answer exactly; a repeat with another method,
// path or body is a 409 conflict, as is a repeat while the first is running.
func (st *idempotencyStore) do(c *call, key string, h func(*call) reply) reply {
	k := c.key + "\x00" + key
	sum := sha256.New()
	sum.Write([]byte(c.r.Method + " " + c.r.URL.Path + "\x00"))
	sum.Write(c.body)
	var hash [32]byte
	copy(hash[:], sum.Sum(nil))

	st.mu.Lock()
	if rec, ok := st.m[k]; ok && c.now.Before(rec.expires) {
		defer st.mu.Unlock()
		switch {
		case rec.hash != hash:
			e := conflict("Idempotency-Key %q was already used with a different request", key)
			e.field = "Idempotency-Key"
			return c.fail(e)
		case !rec.done:
			return c.fail(conflict("a request with Idempotency-Key %q is still being processed", key))
		}
		rep := reply{status: rec.rep.status, header: rec.rep.header.Clone(), body: bytes.Clone(rec.rep.body)}
		rep.header.Set("X-Request-Id", rec.reqID)
		rep.header.Set("Idempotent-Replayed", "true")
		return rep
	}
	if len(st.m) > 10000 {
		st.sweep(c.now)
	}
	rec := &idemRecord{hash: hash, expires: c.now.Add(idempotencyTTL)}
	st.m[k] = rec
	st.mu.Unlock()

	rep := h(c)

	st.mu.Lock()
	defer st.mu.Unlock()
	if rep.status >= http.StatusInternalServerError {
		delete(st.m, k) // nothing happened: let a retry run for real
		return rep
	}
	rec.done, rec.rep, rec.reqID = true, rep, c.reqID
	return rep
}

func (st *idempotencyStore) sweep(now time.Time) {
	for k, rec := range st.m {
		if !now.Before(rec.expires) {
			delete(st.m, k)
		}
	}
}
