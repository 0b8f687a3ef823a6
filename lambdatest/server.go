package lambdatest

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a running simulator. Its methods are safe for concurrent use.
type Server struct {
	// URL is the root of the server ("http://127.0.0.1:port"), without
	// the version, as with httptest.Server. Point a client at BaseURL, which
	// has it: lambda.NewClient refuses a base URL without a version.
	URL string

	cfg    config
	ts     *httptest.Server
	ctx    context.Context // cancelled by Close: wakes delays, streams, workers
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the server started itself
	once   sync.Once

	auth     authenticator
	oauth    oauthServer
	limiter  rateLimiter
	faults   faultList
	log      requestLog
	idem     idempotencyStore
	st       *state
	hooks    *dispatcher
	streams  streamSet
	contract validator     // the contract as written, for WithStrictRequests and responses
	platform validator     // the contract as the platform applies it to requests
	table    []route       // the contract's operations with their handlers, most specific first
	token    route         // the token endpoint, which serveHTTP answers before authentication
	clock    *movableClock // nil when WithClock gave the clock
	// bodyTimeout is bodyReadTimeout; tests lower it before any request.
	bodyTimeout time.Duration
}

// NewServer starts a simulator on 127.0.0.1 and returns it; Close stops it.
// It panics if the listener cannot be opened, like httptest.NewServer, and
// if ClockOffsetEnv is set to something that is not a duration while no
// WithClock is given: a clock guard that silently did not run would be
// worse than none. It panics too if the simulator's handlers and the
// operations of the embedded contract differ: a defect of this module,
// which its own tests catch.
func NewServer(opts ...Option) *Server {
	cfg := defaultConfig()
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	var own *movableClock // the server's own clock, which SetClock moves
	if cfg.now == nil {
		now, offset, err := defaultClock()
		if err != nil {
			panic(err.Error())
		}
		own = &movableClock{base: now}
		cfg.now, cfg.clockOffset = own.Now, offset
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{cfg: cfg, ctx: ctx, cancel: cancel, clock: own, bodyTimeout: bodyReadTimeout}
	s.auth.set(cfg.apiKeys)
	s.oauth.init(cfg)
	s.auth.any = cfg.anyKey
	s.log.limit, s.log.maxBytes = cfg.requestLogLimit, requestLogBytes
	s.limiter.init(cfg)
	s.idem.init()
	contract := loadValidator(LoadContract)
	s.contract = contract
	s.platform = loadValidator(loadPlatformContract)
	s.hooks = newDispatcher(s)
	s.st = newState(s)
	table, token, err := newRoutes(contract.Operations(), s.handlers())
	if err != nil {
		panic(err.Error()) // a handler or an operation was added without the other: TestEveryOperationHasAHandler says which
	}
	s.table, s.token = table, token

	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	// A client that opens connections and never finishes its headers, or
	// leaves them idle, holds a goroutine and a socket each: lambdasim
	// serves whoever reaches it for hours.
	s.ts.Config.ReadHeaderTimeout = readHeaderTimeout
	s.ts.Config.IdleTimeout = idleTimeout
	if cfg.listener != nil {
		_ = s.ts.Listener.Close()
		s.ts.Listener = cfg.listener
	}
	if cfg.certificate != nil {
		s.ts.TLS = &tls.Config{Certificates: []tls.Certificate{*cfg.certificate}}
	}
	if cfg.tls {
		s.ts.StartTLS()
	} else {
		s.ts.Start()
	}
	s.URL = s.ts.URL

	s.wg.Add(1)
	go s.st.run()
	return s
}

// NewTestServer starts a server for one test: every response is checked
// against the contract (WithResponseValidation(t), which later options may
// not undo), and the server is closed when the test ends. A malformed
// ClockOffsetEnv fails the test at once.
func NewTestServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	if _, err := clockOffset(); err != nil {
		t.Fatal(err)
		return nil // only a fake testing.TB gets here
	}
	s := NewServer(append(append([]Option(nil), opts...), WithResponseValidation(t))...)
	t.Cleanup(s.Close)
	if d := s.cfg.clockOffset; d != 0 {
		// Shown with a failure: it explains a date that is a year off.
		t.Logf("lambdatest: %s=%s: the simulator's clock is %s off this machine's; compare its times with srv.Now()",
			ClockOffsetEnv, os.Getenv(ClockOffsetEnv), d)
	}
	return s
}

// BaseURL is the API root a client takes, with the version:
// lambda.WithBaseURL(srv.BaseURL()). It is URL + "/v1"; the server answers
// on "/v2" too, for clients that select it with lambda.WithAPIVersion.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Client returns an HTTP client that trusts the server's certificate when
// WithTLS is on; for plain HTTP it is an ordinary client.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// The server's bounds on slow and idle clients. Generous: a loaded CI
// machine must never meet them.
const (
	readHeaderTimeout = time.Minute
	bodyReadTimeout   = time.Minute // the API's bodies are small
	idleTimeout       = 5 * time.Minute
	// closeGrace is how long Close lets requests in flight finish before
	// it cuts their connections: a handler takes microseconds, so only a
	// client that stalls (stops sending its body, stops reading the
	// answer) is still there after it.
	closeGrace = 3 * time.Second
)

// Close stops the server and every goroutine it started: open metric
// streams, the transition timer, webhook delivery and delayed faults.
// Requests in flight finish first, but a client that stalls in the middle
// of one is cut off after a few seconds. It is safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		s.streams.closeAndWait()
		s.hooks.stop()
		s.wg.Wait()
		// httptest's Close waits for every request in flight, forever.
		closed := make(chan struct{})
		go func() { s.ts.Close(); close(closed) }()
		t := time.NewTimer(closeGrace)
		defer t.Stop()
		select {
		case <-closed:
		case <-t.C:
			s.ts.CloseClientConnections() // the requests left are stalled
			<-closed
		}
	})
}

// canonicalPath is an escaped path with each segment escaped the one way
// url.PathEscape does: "/v1/%69nstances/x%2Fy" is "/v1/instances/x%2Fy".
func canonicalPath(escaped string) string {
	segs, ok := segments(escaped)
	if !ok {
		return escaped
	}
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// sleep waits for d, and reports false if ctx or the server ended first.
func (s *Server) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	case <-s.ctx.Done():
		return false
	}
}

// newID returns prefix followed by 16 random hex digits.
func newID(prefix string) string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	return prefix + hex.EncodeToString(b[:])
}
