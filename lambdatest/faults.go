package lambdatest

import (
	"net/http"
	"strings"
	"sync"
	"time"
)

// Fault makes matching requests misbehave, to test a client's retries,
// timeouts and error handling. Faults apply in the order injected, after
// authentication and rate limiting, to requests whose method and path match.
type Fault struct {
	// Method matches the request method ("POST"); empty matches any.
	Method string
	// Path matches the URL path exactly ("/v1/instances"), or as a prefix
	// when it ends in "*" ("/v1/instances/*"); empty matches any.
	Path string
	// Times is how many matching requests the fault hits: 0 means 1, a
	// negative value means every one until ClearFaults.
	Times int
	// Status is the HTTP status to answer with; 0 answers normally (after
	// Delay). A status of 400 or more gets the error envelope of its code
	// (503 service_unavailable, …); a lower one (a 307 with a Location
	// Header, say) gets no body.
	Status int
	// Body is the raw body to send instead (e.g. a proxy's HTML page).
	Body string
	// Header is added to the answer (e.g. Retry-After).
	Header http.Header
	// Delay is waited before answering; it ends early when the client goes
	// away or the server closes.
	Delay time.Duration
	// Drop closes the connection without answering.
	Drop bool
	// AfterHandling runs the real handler first (the state changes), then
	// applies the fault: a test can prove that a retried create is not
	// duplicated.
	AfterHandling bool
}

type faultEntry struct {
	f    Fault
	left int // < 0: unlimited
}

type faultList struct {
	mu   sync.Mutex
	list []*faultEntry
}

// InjectFault adds f to the faults; see Fault.
func (s *Server) InjectFault(f Fault) {
	left := f.Times
	if left == 0 {
		left = 1
	}
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = append(s.faults.list, &faultEntry{f: f, left: left})
}

// ClearFaults removes every injected fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.list = nil
}

// take returns the first fault matching r and uses up one of its times.
func (fl *faultList) take(r *http.Request) (Fault, bool) {
	fl.mu.Lock()
	defer fl.mu.Unlock()
	for i, e := range fl.list {
		if !e.f.matches(r) {
			continue
		}
		if e.left > 0 {
			e.left--
			if e.left == 0 {
				fl.list = append(fl.list[:i:i], fl.list[i+1:]...)
			}
		}
		return e.f, true
	}
	return Fault{}, false
}

func (f Fault) matches(r *http.Request) bool {
	if f.Method != "" && !strings.EqualFold(f.Method, r.Method) {
		return false
	}
	switch {
	case f.Path == "":
		return true
	case strings.HasSuffix(f.Path, "*"):
		return strings.HasPrefix(r.URL.Path, strings.TrimSuffix(f.Path, "*"))
	default:
		return r.URL.Path == f.Path
	}
}
