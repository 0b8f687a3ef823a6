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

type requestLog struct {
	mu    sync.Mutex
	limit int // ≤ 0: no limit
	reqs  []Request
}

func (l *requestLog) add(r *http.Request, body []byte, now time.Time, op string) {
	rec := Request{Method: r.Method, Path: r.URL.Path, EscapedPath: r.URL.EscapedPath(), RawQuery: r.URL.RawQuery,
		Header: r.Header.Clone(), Body: bytes.Clone(body), Time: now, Operation: op}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reqs = append(l.reqs, rec)
	if l.limit > 0 && len(l.reqs) > l.limit {
		// Drop the oldest quarter at once, to keep appends cheap.
		l.reqs = append([]Request(nil), l.reqs[len(l.reqs)-l.limit*3/4:]...)
	}
}

// Requests returns a copy of every request received since the start or the
// last ResetRequests, in arrival order, refused ones included (at most the
// latest WithRequestLogLimit ones).
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
	s.log.reqs = nil
}
