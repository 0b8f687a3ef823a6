package lambda

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lambda/lambda-go/internal/auth"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
	"golang.org/x/time/rate"
)

// Option configures a Client. Options check their input: NewClient returns
// the first error an option reports.
type Option func(*config) error

type config struct {
	// call is set while the options of one call are applied: the options
	// that can be given per call write there, and requestOptions refuses
	// those that wrote anywhere else.
	call *requestConfig
	// header holds WithHeader's headers given to NewClient, sent on every call.
	header http.Header

	apiKey          string
	apiKeySet       bool
	apiKeyHeader    bool
	tokenSource     oauth2.TokenSource
	oauthConf       *oauth2.Config
	oauthToken      *oauth2.Token
	oauthCC         *clientcredentials.Config
	tokenNotify     func(*oauth2.Token)
	credentialName  string // the option that set the credential, for conflicts
	baseURL         *url.URL
	apiVersion      string
	httpClient      *http.Client
	maxRetries      int
	maxRetryWait    time.Duration
	backoffMin      time.Duration
	backoffMax      time.Duration
	userAgentSuffix string
	logger          *slog.Logger
	limiter         *rate.Limiter
	middleware      []Middleware
	debugWriter     io.Writer
	attemptTimeout  time.Duration
}

// Defaults of the retry policy.
const (
	DefaultMaxRetries   = 3
	DefaultMaxRetryWait = 60 * time.Second
)

func newConfig(opts []Option) (*config, error) {
	cfg := &config{
		maxRetries:     DefaultMaxRetries,
		maxRetryWait:   DefaultMaxRetryWait,
		backoffMin:     time.Second,
		backoffMax:     30 * time.Second,
		attemptTimeout: DefaultAttemptTimeout,
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(cfg); err != nil {
			return nil, err
		}
	}
	if cfg.tokenNotify != nil && cfg.oauthConf == nil && cfg.oauthCC == nil {
		return nil, errors.New("lambda: WithTokenNotify needs WithOAuth2 or WithOAuth2ClientCredentials: only they renew tokens themselves")
	}
	if cfg.apiKeyHeader && (cfg.tokenSource != nil || cfg.oauthConf != nil || cfg.oauthCC != nil) {
		return nil, errors.New("lambda: WithAPIKeyHeader concerns an API key: OAuth 2.0 tokens always go in Authorization: Bearer")
	}
	if cfg.credentialName == "" {
		key, ok := os.LookupEnv("LAMBDA_API_KEY")
		if !ok || key == "" {
			return nil, errors.New("lambda: no credential: use WithAPIKey, WithOAuth2 or WithTokenSource, or set LAMBDA_API_KEY")
		}
		if err := WithAPIKey(key)(cfg); err != nil {
			return nil, fmt.Errorf("%w (from LAMBDA_API_KEY)", err)
		}
	}
	fromEnv := false
	if cfg.baseURL == nil {
		raw := DefaultBaseURL
		if env := strings.TrimSpace(os.Getenv("LAMBDA_BASE_URL")); env != "" {
			raw, fromEnv = env, true
		}
		u, err := parseBaseURL(raw)
		if err != nil {
			if fromEnv {
				err = fmt.Errorf("%w (from LAMBDA_BASE_URL)", err)
			}
			return nil, err
		}
		cfg.baseURL = u
	}
	if cfg.apiVersion != "" {
		cfg.baseURL = withVersion(cfg.baseURL, cfg.apiVersion)
	}
	if err := requireVersion(cfg.baseURL); err != nil {
		if fromEnv {
			err = fmt.Errorf("%w (from LAMBDA_BASE_URL)", err)
		}
		return nil, err
	}
	if cfg.httpClient == nil {
		cfg.httpClient = &http.Client{Transport: defaultTransport}
	}
	return cfg, nil
}

// WithBaseURL sets the API root, with its version at the end of the path:
// "https://api.lambda.io/v1", or a simulator's lambdatest.Server.BaseURL().
// It must be https, except on a loopback host (a local simulator). NewClient
// refuses a base URL that does not end in a version segment ("/v1", "/v2")
// unless WithAPIVersion names one: without it every path would miss the
// API, and each resource would answer 404, which cleanup code reads as
// "already gone".
func WithBaseURL(raw string) Option {
	return func(c *config) error {
		u, err := parseBaseURL(raw)
		if err != nil {
			return err
		}
		c.baseURL = u
		return nil
	}
}

// versionRE matches a version segment of a base URL's path.
var versionRE = regexp.MustCompile(`^v[0-9]+$`)

// apiVersions are the versions the API serves (the API documentation): v1 is stable,
// v2 is in beta and may change without notice.
var apiVersions = []string{"v1", "v2"}

// WithAPIVersion selects the API version: "v1" (stable, the default) or
// "v2" (beta: its preview features may change without the deprecation
// notice stable versions get). It replaces the version segment at the end
// of the base URL, or appends one to a base URL that has none.
func WithAPIVersion(v string) Option {
	return func(c *config) error {
		if !slices.Contains(apiVersions, v) {
			return fmt.Errorf("lambda: WithAPIVersion: %q is not an API version: use \"v1\" (stable) or \"v2\" (beta)", v)
		}
		c.apiVersion = v
		return nil
	}
}

// WithHTTPClient sends requests with hc's transport, timeout, jar and
// redirect policy. hc itself is never modified: the client uses a copy.
//
// A transport that answers a nil Body (as stubs in tests often do) is
// read as an empty body, as net/http's Client reads it. One that returns
// neither a response nor an error, or a ContentLength without a body,
// fails the call at once, unretried.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *config) error {
		if hc == nil {
			return errors.New("lambda: WithHTTPClient: the client is nil")
		}
		c.httpClient = hc
		return nil
	}
}

// WithMaxRetries sets how many times a failed call is retried (default 3;
// 0 disables retries).
//
// Given to a call, it sets that call's retries alone:
// client.Instances.Create(ctx, req, lambda.WithMaxRetries(0)).
func WithMaxRetries(n int) Option {
	return func(c *config) error {
		if n < 0 || n > 100 {
			return fmt.Errorf("lambda: WithMaxRetries: %d is not between 0 and 100", n)
		}
		if c.call != nil {
			c.call.maxRetries = n
			return nil
		}
		c.maxRetries = n
		return nil
	}
}

// WithMaxRetryWait sets the longest wait the API may ask for (Retry-After,
// error.retry_after, X-RateLimit-Reset) that the client sleeps before a
// retry (default 60 s), the jitter that keeps clients told the same wait
// from coming back together included. When the API asks for a longer wait, the call
// returns its error at once, carrying the wait in Error.RetryAfter. It does
// not bound the client's own backoff, which WithRetryBackoff's max caps.
func WithMaxRetryWait(d time.Duration) Option {
	return func(c *config) error {
		if d < 0 {
			return fmt.Errorf("lambda: WithMaxRetryWait: %v is negative", d)
		}
		c.maxRetryWait = d
		return nil
	}
}

// WithRetryBackoff sets the exponential backoff between retries that the
// API gave no wait for: the first wait is about min, doubling up to max,
// each with ±50% jitter. Defaults: 1 s and 30 s.
func WithRetryBackoff(min, max time.Duration) Option {
	return func(c *config) error {
		if min <= 0 || max < min {
			return fmt.Errorf("lambda: WithRetryBackoff: need 0 < min <= max, got %v and %v", min, max)
		}
		c.backoffMin, c.backoffMax = min, max
		return nil
	}
}

// WithUserAgent appends suffix (e.g. "my-app/1.2") to the User-Agent. A
// suffix holding a control character other than tab is refused.
func WithUserAgent(suffix string) Option {
	return func(c *config) error {
		if p := auth.HeaderValueProblem(suffix); p != "" {
			return errors.New("lambda: WithUserAgent: the suffix " + p + ", which no header can carry")
		}
		c.userAgentSuffix = strings.TrimSpace(suffix)
		return nil
	}
}

// WithLogger logs to l: at debug level, one line per attempt (method,
// path, status, attempt, the attempt's duration, the wait before the next,
// request ID) and each connection of a metrics stream; at info level, a
// metrics stream lost and about to reconnect; at warning level, once per
// route, a Deprecation or Sunset notice from the API. Credentials are
// never logged: every line passes through a handler that replaces the
// client's credential, and any secret the call sent, by REDACTED, in
// whatever encoding a server echoed it. Without it the client logs
// nothing, not even to slog's default logger.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("lambda: WithLogger: the logger is nil")
		}
		c.logger = l
		return nil
	}
}

func parseBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		var uerr *url.Error // it repeats the raw URL, password and query included
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return nil, fmt.Errorf("lambda: base URL: %w", err)
	}
	switch {
	case u.Host == "" || u.Hostname() == "":
		return nil, fmt.Errorf("lambda: base URL %q has no host", urlForError(u))
	case u.User != nil:
		return nil, errors.New("lambda: base URL must not carry credentials")
	case u.RawQuery != "" || u.Fragment != "":
		return nil, fmt.Errorf("lambda: base URL %q must not have a query or fragment", urlForError(u))
	case u.Scheme == "https":
	case u.Scheme == "http":
		if !isLoopback(u.Hostname()) {
			return nil, fmt.Errorf("lambda: base URL %q: plain http is only allowed on loopback; use https", urlForError(u))
		}
	default:
		return nil, fmt.Errorf("lambda: base URL %q: scheme must be https", urlForError(u))
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			// Every call would fail to dial, after all its retries.
			return nil, fmt.Errorf("lambda: base URL %q: port %s is not between 1 and 65535", urlForError(u), truncateForError(p))
		}
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	if strings.Contains(u.Path, "//") {
		// Most often a root with a trailing slash joined to "/v1": every
		// call would answer 404, which cleanup code reads as "gone".
		fix := *u
		for strings.Contains(fix.Path, "//") {
			fix.Path = strings.ReplaceAll(fix.Path, "//", "/")
		}
		return nil, fmt.Errorf("lambda: base URL %q has an empty path segment: did you mean %q?", urlForError(u), urlForError(&fix))
	}
	return u, nil
}

// urlForError is u for an error message: without the password, query and
// fragment, where a caller may have put a key.
func urlForError(u *url.URL) string {
	u2 := *u
	u2.User, u2.RawQuery, u2.Fragment, u2.RawFragment = nil, "", "", ""
	return u2.String()
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// requireVersion refuses a base URL whose path does not end in a version
// segment, suggesting the URL the caller most likely meant: the path cut
// after its last version segment, else the path with "/v1" appended.
func requireVersion(u *url.URL) error {
	segs := strings.Split(u.Path, "/")
	if versionRE.MatchString(segs[len(segs)-1]) {
		return nil
	}
	fix := *u
	fix.Path += "/v1"
	for i := len(segs) - 1; i >= 0; i-- {
		if v := strings.ToLower(segs[i]); versionRE.MatchString(v) { // "V1" is a version in the wrong case
			segs[i] = v
			fix.Path = strings.Join(segs[:i+1], "/")
			break
		}
	}
	return fmt.Errorf("lambda: base URL %q does not end in an API version: did you mean %q?", urlForError(u), urlForError(&fix))
}

func withVersion(u *url.URL, v string) *url.URL {
	u2 := *u
	segs := strings.Split(u2.Path, "/")
	if last := segs[len(segs)-1]; versionRE.MatchString(last) {
		segs[len(segs)-1] = v
		u2.Path = strings.Join(segs, "/")
	} else {
		u2.Path += "/" + v
	}
	return &u2
}
