package lambdatest

import (
	"crypto/tls"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"
)

// DefaultAPIKey is the API key a Server accepts unless WithAPIKeys says
// otherwise. It holds non-ASCII bytes on purpose, like real keys ("λ_sk_…"),
// so that a client which mangles header bytes fails its tests.
const DefaultAPIKey = "λ_sk_test_4f9c2b7e1d3a8c6f"

// Defaults of the options, exported so tests can reason about them.
const (
	// DefaultTransitionDelay is how long each transitional status lasts.
	DefaultTransitionDelay = 200 * time.Millisecond
	// DefaultMetricsInterval is the pause between two streamed samples.
	DefaultMetricsInterval = time.Second
	// DefaultRateLimit is the limit shown in X-RateLimit-Limit when
	// WithRateLimit is not used; it is shown but not enforced.
	DefaultRateLimit = 10000
	// DefaultRateWindow is the window of DefaultRateLimit.
	DefaultRateWindow = time.Hour
	// DefaultRequestLogLimit is how many of the latest requests Requests
	// keeps, so that a long benchmark does not grow without bound.
	DefaultRequestLogLimit = 10000
)

// Option configures a Server at NewServer.
type Option func(*config)

type config struct {
	apiKeys         []string
	tls             bool
	transitionDelay time.Duration
	rateLimit       int
	rateWindow      time.Duration
	enforceRate     bool
	customRate      bool // WithRateLimit was given: its window replaces the plan's hour
	plan            Plan
	metricsInterval time.Duration
	validateTB      testing.TB
	webhookClient   *http.Client
	webhookAttempts int
	webhookBackoff  time.Duration
	logger          *slog.Logger
	requestLogLimit int
	oauthClients    map[string]string
	tokenLifetime   time.Duration
	strict          bool
	asDocumented    bool
	anyKey          bool
	signatureInBody bool
	adminToken      string
	listener        net.Listener
	certificate     *tls.Certificate
	now             func() time.Time // nil until NewServer: the default clock
	clockOffset     time.Duration    // the default clock's shift (ClockOffsetEnv)
}

func defaultConfig() config {
	return config{
		apiKeys:         []string{DefaultAPIKey},
		transitionDelay: DefaultTransitionDelay,
		rateLimit:       DefaultRateLimit,
		rateWindow:      DefaultRateWindow,
		metricsInterval: DefaultMetricsInterval,
		webhookAttempts: 3,
		webhookBackoff:  50 * time.Millisecond,
		requestLogLimit: DefaultRequestLogLimit,
		tokenLifetime:   DefaultTokenLifetime,
	}
}

// WithAPIKeys replaces the set of accepted API keys (by default only
// DefaultAPIKey). Keys are compared byte for byte. With no keys, only keys
// created through POST /account/api-keys are accepted.
func WithAPIKeys(keys ...string) Option {
	return func(c *config) { c.apiKeys = append([]string(nil), keys...) }
}

// WithTLS serves HTTPS (and so wss:// for the metrics stream) with a
// self-signed certificate that Server.Client trusts.
func WithTLS() Option {
	return func(c *config) { c.tls = true }
}

// WithTransitionDelay sets how long each transitional status lasts
// (pending, provisioning, stopping, attaching, …). Default 200ms; tests
// usually want about 20ms. A value ≤ 0 keeps the default.
func WithTransitionDelay(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.transitionDelay = d
		}
	}
}

// WithRateLimit enforces a fixed window of limit requests per window for
// each API key, on every route but the workloads routes (which keep their
// own 500 a minute, see WithPlan): past it the server answers 429
// rate_limit_exceeded with Retry-After. With WithPlan too, it replaces the
// plan's hourly window and the plan's burst stays. Without this option or
// WithPlan the headers show 10,000 per hour (500 a minute on the workloads
// routes) and nothing is refused. Values ≤ 0 are ignored.
func WithRateLimit(limit int, window time.Duration) Option {
	return func(c *config) {
		if limit > 0 && window > 0 {
			c.rateLimit, c.rateWindow, c.enforceRate, c.customRate = limit, window, true, true
		}
	}
}

// WithMetricsInterval sets the pause between two samples on the metrics
// WebSocket stream. Default 1s; tests usually want about 10ms.
func WithMetricsInterval(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.metricsInterval = d
		}
	}
}

// WithResponseValidation checks every response the simulator produces
// against the OpenAPI contract and reports each violation with t.Errorf.
// Responses made up by InjectFault are not checked: they are broken on
// purpose. Close the server before the test ends (t.Cleanup(srv.Close)).
func WithResponseValidation(t testing.TB) Option {
	return func(c *config) { c.validateTB = t }
}

// WithWebhookClient sets the HTTP client that delivers webhook events, for
// example one that trusts an httptest TLS receiver. The default client has
// a 2-second timeout and follows no redirect (a 3xx is a failed attempt).
// Each attempt is also bounded by that timeout.
func WithWebhookClient(hc *http.Client) Option {
	return func(c *config) {
		if hc != nil {
			c.webhookClient = hc
		}
	}
}

// WithWebhookRetry sets how many times an event is tried (default 3) and the
// first pause between attempts (default 50ms, doubled after each failure).
func WithWebhookRetry(attempts int, backoff time.Duration) Option {
	return func(c *config) {
		if attempts > 0 {
			c.webhookAttempts = attempts
		}
		if backoff > 0 {
			c.webhookBackoff = backoff
		}
	}
}

// WithLogger logs one line per request (method, path, status, request ID).
// Credentials are never logged. By default nothing is logged.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.logger = l }
}

// WithRequestLogLimit sets how many of the latest requests Requests keeps
// (default DefaultRequestLogLimit), and of those at most 64 MiB of bodies
// and headers; n ≤ 0 keeps every request, whatever its size.
func WithRequestLogLimit(n int) Option {
	return func(c *config) { c.requestLogLimit = n }
}

// WithOAuthClient registers an OAuth 2.0 client of the simulator's
// authorization server (TokenURL): it may ask for tokens with the
// client_credentials grant and renew them with refresh_token, and
// IssueToken hands it a token pair. It may be given more than once.
func WithOAuthClient(id, secret string) Option {
	return func(c *config) {
		if c.oauthClients == nil {
			c.oauthClients = map[string]string{}
		}
		c.oauthClients[id] = secret
	}
}

// WithTokenLifetime sets the expires_in of the access tokens the simulator
// issues (default DefaultTokenLifetime, 30 days). A value ≤ 0 keeps the
// default.
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.tokenLifetime = d
		}
	}
}

// WithStrictRequests turns on the checks the platform does not make, for an
// SDK's own tests: every POST must carry an Idempotency-Key, a body must come
// with Content-Type: application/json, unknown query parameters and unknown
// body fields are refused, limit is at most 100 and sort is created_at or
// name. Each refusal is a 400 invalid_request naming the field in
// error.details.field. Without this option the simulator accepts what the
// platform accepts (see the package documentation).
func WithStrictRequests() Option {
	return func(c *config) { c.strict = true }
}

// WithSeedShapes makes every route answer exactly in the shape the original
// API documentation shows for it (the shapes the name's "seed" refers to),
// instead of the canonical envelope: GET /v1/functions and GET
// /v1/billing/invoices answer a bare JSON array, POST /v1/functions a bare
// object (the resources and functions documentation); GET /v1/workloads
// answers the status shape with every workload and no paging (the workloads
// documentation). The other routes answer as without the option, which is
// already their documented shape. Errors keep the error envelope, which is
// the only error shape the API documentation shows.
func WithSeedShapes() Option {
	return func(c *config) { c.asDocumented = true }
}

// WithAnyAPIKey accepts every non-empty credential as an API key, as a
// sandbox would: for replaying documentation examples whose keys are
// placeholders ("Bearer YOUR_API_KEY"). Each distinct key has its own
// rate-limit windows.
func WithAnyAPIKey() Option {
	return func(c *config) { c.anyKey = true }
}

// WithWebhookSignatureInBody delivers webhook events signed where the API documentation
// shows the signature: as the body's last member, "signature":
// "sha256=<hex HMAC-SHA256 of the body without that member>", and with no
// SignatureHeader. The body without the member is exactly the body
// delivered by default. lambda.WebhookHandler and lambda.ConstructEvent
// verify both forms.
func WithWebhookSignatureInBody() Option {
	return func(c *config) { c.signatureInBody = true }
}

// WithListener serves on l instead of a new listener on 127.0.0.1, for a
// simulator on a chosen address (cmd/lambdasim's -addr). Close closes it.
func WithListener(l net.Listener) Option {
	return func(c *config) { c.listener = l }
}

// WithCertificate serves HTTPS with cert instead of httptest's built-in
// one; Client trusts it. It implies WithTLS.
func WithCertificate(cert tls.Certificate) Option {
	return func(c *config) {
		c.certificate = &cert
		c.tls = true
	}
}
