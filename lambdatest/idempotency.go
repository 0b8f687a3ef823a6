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

// idempotencyLimit bounds the keys remembered, the oldest forgotten first:
// a client that sends a fresh key with every POST for hours would
// otherwise grow the store for a day. A retry comes seconds after its
// first attempt, far fewer keys later.
const idempotencyLimit = 10_000

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
	mu    sync.Mutex
	m     map[string]*idemRecord
	order []idemEntry // every record stored, oldest first; some since replaced or deleted
	limit int         // idempotencyLimit; tests lower it
}

// idemEntry is one record of the store under its key, for forgetting the
// oldest first.
type idemEntry struct {
	k   string
	rec *idemRecord
}

func (st *idempotencyStore) init() {
	st.m, st.order = map[string]*idemRecord{}, nil
	if st.limit == 0 {
		st.limit = idempotencyLimit
	}
}

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
	rec := &idemRecord{hash: hash, expires: c.now.Add(idempotencyTTL)}
	st.m[k] = rec
	st.order = append(st.order, idemEntry{k: k, rec: rec})
	st.trim(c.now)
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

// trim forgets the records that expired or are over the limit, oldest
// first, in time proportional to what it forgets. Call with st.mu held.
func (st *idempotencyStore) trim(now time.Time) {
	for len(st.order) > 0 {
		e := st.order[0]
		live := st.m[e.k] == e.rec
		if live && len(st.m) <= st.limit && now.Before(e.rec.expires) {
			break
		}
		if live {
			delete(st.m, e.k)
		}
		st.order[0] = idemEntry{}
		st.order = st.order[1:]
	}
	if len(st.order) > 2*len(st.m)+st.limit {
		// Many records replaced or deleted (5xx answers) behind the
		// oldest live one: keep the live ones only.
		live := make([]idemEntry, 0, len(st.m))
		for _, e := range st.order {
			if st.m[e.k] == e.rec {
				live = append(live, e)
			}
		}
		st.order = live
	}
}
