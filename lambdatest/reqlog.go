package lambdatest

import (
	"bytes"
	"net/http"
	"sync"
	"time"
)

// Request is one request the server received, as recorded by Requests.
// Header holds the headers as sent, credentials included, so that a test
// can check the exact bytes of an API key; do not print it.
type Request struct {
	Method      string
	Path        string // unescaped, as net/http's URL.Path
	EscapedPath string // as sent: where the simulator routes
	RawQuery    string
	Header      http.Header
	Body        []byte
	Time        time.Time // when it arrived, on the server's clock (Server.Now)
	// Operation is the operationId of openapi.yaml that the method and
	// path name ("getInstance"), whatever the answer was (a 401 or an
	// injected fault too); "" when no operation matches, which the
	// simulator answers with 404.
	Operation string
}

// requestLogBytes bounds the bytes (bodies, headers, paths) the request log
// keeps when it has a limit: 10,000 requests of a megabyte each would be
// 20 GB.
const requestLogBytes = 64 << 20

type requestLog struct {
	mu       sync.Mutex
	limit    int // ≤ 0: no limit, of entries or bytes
	maxBytes int // requestLogBytes; tests lower it
	bytes    int // the size of reqs
	reqs     []Request
}

// size is about what r holds in memory.
func (r *Request) size() int {
	n := len(r.Body) + len(r.Path) + len(r.EscapedPath) + len(r.RawQuery)
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v)
		}
	}
	return n
}

func (l *requestLog) add(r *http.Request, body []byte, now time.Time, op string) {
	rec := Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: bytes.Clone(body), Time: now, Operation: op}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, rec)
	l.bytes += rec.size()
	if l.limit <= 0 || (len(l.reqs) <= l.limit && l.bytes <= l.maxBytes) {
		return
	}
	// Drop the oldest quarter (of the entries or the bytes) at once, to
	// keep appends cheap; the newest request always stays.
	drop := max(len(l.reqs)-l.limit*3/4, 0)
	for _, r := range l.reqs[:drop] {
		l.bytes -= r.size()
	}
	for drop < len(l.reqs)-1 && l.bytes > l.maxBytes*3/4 {
		l.bytes -= l.reqs[drop].size()
		drop++
	}
	l.reqs = append([]Request(nil), l.reqs[drop:]...)
}

// Requests returns a copy of every request received since the start or the
// last ResetRequests, in arrival order, refused ones included (at most the
// latest WithRequestLogLimit ones, and of those at most 64 MiB of bodies and
// headers).
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := make([]Request, len(s.log.reqs))
	for i, r := range s.log.reqs {
		r.Header = r.Header.Clone()
		r.Body = bytes.Clone(r.Body)
		out[i] = r
	}
	return out
}

// ResetRequests forgets the recorded requests.
func (s *Server) ResetRequests() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.reqs, s.log.bytes = nil, 0
}
