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
	contract validator // the contract as written, for WithStrictRequests and responses
	platform validator // the contract as the platform applies it to requests
	table    []route
	clock    *movableClock // nil when WithClock gave the clock
}

// NewServer starts a simulator on 127.0.0.1 and returns it; Close stops it.
// It panics if the listener cannot be opened, like httptest.NewServer, and
// if ClockOffsetEnv is set to something that is not a duration while no
// WithClock is given: a clock guard that silently did not run would be
// worse than none.
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
	s := &Server{cfg: cfg, ctx: ctx, cancel: cancel, clock: own}
	s.auth.set(cfg.apiKeys)
	s.oauth.init(cfg)
	s.auth.any = cfg.anyKey
	s.log.limit = cfg.requestLogLimit
	s.limiter.init(cfg)
	s.idem.init()
	s.contract = loadValidator(LoadContract)
	s.platform = loadValidator(loadPlatformContract)
	s.hooks = newDispatcher(s)
	s.st = newState(s)
	s.table = s.routes()

	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
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

	s.wg.Add(2)
	go s.st.run()
	go s.hooks.run()
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

// Close stops the server and every goroutine it started: open metric
// streams, the transition timer, webhook delivery and delayed faults. It is
// safe to call more than once.
func (s *Server) Close() {
	s.once.Do(func() {
		s.cancel()
		s.streams.closeAndWait()
		s.wg.Wait()
		s.ts.Close()
	})
}

// route is one endpoint: a method, a path pattern under the version prefix
// ("/instances/{id}/start") and its handler.
type route struct {
	method  string
	pattern string
	handle  func(c *call) reply
	stream  bool // the handler writes to the connection itself (WebSocket)
}

// routes lists every endpoint of the contract (openapi.yaml), in one place.
func (s *Server) routes() []route {
	return []route{
		{method: "POST", pattern: "/instances", handle: s.createInstance},
		{method: "GET", pattern: "/instances", handle: s.listInstances},
		{method: "GET", pattern: "/instances/{id}", handle: s.getInstance},
		{method: "PATCH", pattern: "/instances/{id}", handle: s.updateInstance},
		{method: "DELETE", pattern: "/instances/{id}", handle: s.deleteInstance},
		{method: "POST", pattern: "/instances/{id}/start", handle: s.startInstance},
		{method: "POST", pattern: "/instances/{id}/stop", handle: s.stopInstance},
		{method: "POST", pattern: "/instances/{id}/restart", handle: s.restartInstance},
		{method: "POST", pattern: "/instances/{id}/resize", handle: s.resizeInstance},
		{method: "GET", pattern: "/instances/{id}/network", handle: s.instanceNetwork},
		{method: "GET", pattern: "/instances/{id}/metrics", handle: s.instanceMetrics},
		{method: "GET", pattern: "/instances/{id}/metrics/stream", handle: s.streamMetrics, stream: true},

		{method: "POST", pattern: "/volumes", handle: s.createVolume},
		{method: "GET", pattern: "/volumes", handle: s.listVolumes},
		{method: "GET", pattern: "/volumes/{id}", handle: s.getVolume},
		{method: "DELETE", pattern: "/volumes/{id}", handle: s.deleteVolume},
		{method: "POST", pattern: "/volumes/{id}/attach", handle: s.attachVolume},
		{method: "POST", pattern: "/volumes/{id}/detach", handle: s.detachVolume},
		{method: "POST", pattern: "/volumes/{id}/resize", handle: s.resizeVolume},

		{method: "POST", pattern: "/snapshots", handle: s.createSnapshot},
		{method: "GET", pattern: "/snapshots", handle: s.listSnapshots},
		{method: "GET", pattern: "/snapshots/{id}", handle: s.getSnapshot},
		{method: "DELETE", pattern: "/snapshots/{id}", handle: s.deleteSnapshot},
		{method: "POST", pattern: "/snapshots/{id}/restore", handle: s.restoreSnapshot},

		{method: "POST", pattern: "/firewall/rules", handle: s.createRule},
		{method: "GET", pattern: "/firewall/rules", handle: s.listRules},
		{method: "DELETE", pattern: "/firewall/rules/{id}", handle: s.deleteRule},
		{method: "POST", pattern: "/vpn", handle: s.createVPN},
		{method: "GET", pattern: "/vpn", handle: s.listVPNs},

		{method: "GET", pattern: "/functions", handle: s.listFunctions},
		{method: "POST", pattern: "/functions", handle: s.createFunction},

		{method: "GET", pattern: "/billing/usage", handle: s.billingUsage},
		{method: "GET", pattern: "/usage", handle: s.bareUsage},
		{method: "GET", pattern: "/billing/invoices", handle: s.listInvoices},
		{method: "GET", pattern: "/billing/invoices/{id}", handle: s.getInvoice},
		{method: "GET", pattern: "/billing/estimate", handle: s.billingEstimate},

		{method: "GET", pattern: "/account", handle: s.getAccount},
		{method: "PATCH", pattern: "/account", handle: s.updateAccount},
		{method: "GET", pattern: "/account/quota", handle: s.getQuota},
		{method: "POST", pattern: "/account/api-keys", handle: s.createAPIKey},
		{method: "GET", pattern: "/account/api-keys", handle: s.listAPIKeys},
		{method: "DELETE", pattern: "/account/api-keys/{id}", handle: s.deleteAPIKey},

		{method: "POST", pattern: "/webhooks", handle: s.createWebhook},

		{method: "GET", pattern: "/resources", handle: s.listResources},
		{method: "POST", pattern: "/resources", handle: s.createResource},
		{method: "GET", pattern: "/resources/{id}", handle: s.getResource},
		{method: "PUT", pattern: "/resources/{id}", handle: s.updateResource},
		{method: "DELETE", pattern: "/resources/{id}", handle: s.deleteResource},

		{method: "GET", pattern: "/workloads", handle: s.listWorkloads},
		{method: "POST", pattern: "/deployments", handle: s.createDeployment},
		{method: "POST", pattern: "/workloads", handle: s.createDeployment}, // the workloads documentation's example URL
	}
}

// match finds the route of method and path, the request's escaped path
// ("/v1/instances/inst_1"), and the value of its {id}, if any. Both /v1
// and /v2 serve the same API. It splits on the "/" that were sent, then
// unescapes each segment, as the platform does: "x%2Fnetwork" is one ID,
// never the network route of instance x.
func match(routes []route, method, path string) (route, string, bool) {
	rest, ok := strings.CutPrefix(path, "/v1/")
	if !ok {
		if rest, ok = strings.CutPrefix(path, "/v2/"); !ok {
			return route{}, "", false
		}
	}
	segs, ok := segments(rest)
	if !ok {
		return route{}, "", false
	}
	for _, rt := range routes {
		if rt.method != method {
			continue
		}
		pat := strings.Split(strings.TrimPrefix(rt.pattern, "/"), "/")
		if len(pat) != len(segs) {
			continue
		}
		id, hit := "", true
		for i, p := range pat {
			switch {
			case p == "{id}" && segs[i] != "":
				id = segs[i]
			case p != segs[i]:
				hit = false
			}
			if !hit {
				break
			}
		}
		if hit {
			return rt, id, true
		}
	}
	return route{}, "", false
}

// segments splits an escaped path on its "/" and unescapes each segment;
// ok is false for a malformed escape.
func segments(escaped string) ([]string, bool) {
	segs := strings.Split(escaped, "/")
	for i, s := range segs {
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, false
		}
		segs[i] = u
	}
	return segs, true
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
