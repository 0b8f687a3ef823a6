// Command lambdasim runs the Lambda API simulator (package lambdatest) as a
// standalone server, for tests in any language, CI jobs, and exploring the
// API with curl, without the real platform, keys or cost.
//
//	go run github.com/lambda/lambda-go/cmd/lambdasim -addr 127.0.0.1:8010
//
// It prints the base URL, the API key and the admin token as KEY=value lines
// a shell can eval, serves the API under /v1 (and /v2), the admin API under
// /_lambdasim/ (described by /_lambdasim/openapi.yaml), and stops cleanly on
// SIGINT or SIGTERM. Run it with -h for the flags.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/lambda/lambda-go/lambdatest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "lambdasim:", err)
		os.Exit(2)
	}
}

// settings are the flags, parsed.
type settings struct {
	addr            string
	apiKeys         stringList
	plan            string
	rateLimit       int
	rateWindow      time.Duration
	transitionDelay time.Duration
	metricsInterval time.Duration
	tls             bool
	certDir         string
	seedInstances   int
	strict          bool
	seedShapes      bool
	clock           string
	requestLog      int
	logFormat       string
	logLevel        string
	adminToken      string
	webhookAttempts int
	signatureInBody bool
	oauthClients    stringList
	tokenLifetime   time.Duration
}

// stringList is a flag that may be given several times.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

func parseFlags(args []string, stderr io.Writer) (*settings, error) {
	var s settings
	fs := flag.NewFlagSet("lambdasim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&s.addr, "addr", "127.0.0.1:8010", "address to listen on (host:port; port 0 picks a free one)")
	fs.Var(&s.apiKeys, "api-key", "accept only this API key (repeatable); without it, any non-empty key is accepted")
	fs.StringVar(&s.plan, "plan", "", "enforce a plan's rate limits: free, professional or enterprise")
	fs.IntVar(&s.rateLimit, "rate-limit", 0, "enforce a fixed window of this many requests per key (with -rate-window)")
	fs.DurationVar(&s.rateWindow, "rate-window", time.Hour, "the window of -rate-limit")
	fs.DurationVar(&s.transitionDelay, "transition-delay", lambdatest.DefaultTransitionDelay, "how long each transitional status lasts")
	fs.DurationVar(&s.metricsInterval, "metrics-interval", lambdatest.DefaultMetricsInterval, "pause between two samples on the metrics stream")
	fs.BoolVar(&s.tls, "tls", false, "serve HTTPS (and wss) with a generated certificate written to -cert-dir")
	fs.StringVar(&s.certDir, "cert-dir", "", "where -tls writes cert.pem (default: a lambdasim folder in the temp dir)")
	fs.IntVar(&s.seedInstances, "seed-instances", 0, "running instances to create at start")
	fs.BoolVar(&s.strict, "strict", false, "refuse what the platform tolerates (no Idempotency-Key on POST, unknown fields, …)")
	fs.BoolVar(&s.seedShapes, "seed-shapes", false, "answer each route in the exact shape its API documentation shows (bare arrays, the status envelope)")
	fs.StringVar(&s.clock, "clock", "", "start the simulator's clock at this RFC 3339 time (it then ticks)")
	fs.IntVar(&s.requestLog, "request-log", lambdatest.DefaultRequestLogLimit, "how many requests the admin API's log keeps (0: all)")
	fs.StringVar(&s.logFormat, "log-format", "text", "request log lines on stderr: text, json, or none")
	fs.StringVar(&s.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.StringVar(&s.adminToken, "admin-token", "", "the admin API's token (default: a random one, printed at start)")
	fs.IntVar(&s.webhookAttempts, "webhook-attempts", 3, "how many times a webhook event is tried")
	fs.BoolVar(&s.signatureInBody, "webhook-signature-in-body", false, "sign webhook events in the body's \"signature\" member, as the API documentation's payload shows, instead of the X-Lambda-Signature header")
	fs.Var(&s.oauthClients, "oauth-client", "register an OAuth client as id:secret for the token endpoint (repeatable)")
	fs.DurationVar(&s.tokenLifetime, "token-lifetime", 0, "lifetime of issued OAuth access tokens (default 30 days)")
	fs.Usage = func() {
		fmt.Fprintln(fs.Output(), "Usage: lambdasim [flags]\n\nRuns the Lambda API simulator. Flags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	return &s, nil
}

// options turns the settings into the simulator's options.
func (s *settings) options(log *slog.Logger) ([]lambdatest.Option, error) {
	opts := []lambdatest.Option{
		lambdatest.WithTransitionDelay(s.transitionDelay),
		lambdatest.WithMetricsInterval(s.metricsInterval),
		lambdatest.WithRequestLogLimit(s.requestLog),
		lambdatest.WithWebhookRetry(s.webhookAttempts, 500*time.Millisecond),
		lambdatest.WithAdminAPI(s.adminToken),
	}
	if s.transitionDelay <= 0 || s.metricsInterval <= 0 || s.webhookAttempts <= 0 || s.requestLog < 0 {
		return nil, errors.New("-transition-delay, -metrics-interval and -webhook-attempts must be positive, -request-log not negative")
	}
	if s.seedInstances < 0 {
		return nil, fmt.Errorf("-seed-instances %d: want 0 or more", s.seedInstances)
	}
	for _, k := range s.apiKeys {
		// An unset variable (-api-key "$KEY") would leave a server that
		// refuses every request.
		if strings.TrimSpace(k) == "" {
			return nil, errors.New("-api-key is empty: give the key to accept, or leave the flag out to accept any key")
		}
	}
	// Like stripe-mock, any key will do unless keys are named, so that the
	// documentation's examples work as written with their placeholder keys.
	if len(s.apiKeys) > 0 {
		opts = append(opts, lambdatest.WithAPIKeys(s.apiKeys...))
	} else {
		opts = append(opts, lambdatest.WithAnyAPIKey())
	}
	if s.plan != "" {
		p := lambdatest.Plan(s.plan)
		if _, _, ok := p.Limits(); !ok {
			return nil, fmt.Errorf("-plan %q: want free, professional or enterprise", s.plan)
		}
		opts = append(opts, lambdatest.WithPlan(p))
	}
	if s.rateLimit != 0 {
		if s.rateLimit < 0 || s.rateWindow <= 0 {
			return nil, errors.New("-rate-limit and -rate-window must be positive")
		}
		opts = append(opts, lambdatest.WithRateLimit(s.rateLimit, s.rateWindow))
	}
	if s.signatureInBody {
		opts = append(opts, lambdatest.WithWebhookSignatureInBody())
	}
	for _, c := range s.oauthClients {
		id, secret, ok := strings.Cut(c, ":")
		if !ok || id == "" || secret == "" {
			return nil, fmt.Errorf("-oauth-client %q: want id:secret", c)
		}
		opts = append(opts, lambdatest.WithOAuthClient(id, secret))
	}
	if s.tokenLifetime < 0 {
		return nil, errors.New("-token-lifetime must not be negative")
	}
	if s.tokenLifetime > 0 {
		opts = append(opts, lambdatest.WithTokenLifetime(s.tokenLifetime))
	}
	if s.strict {
		opts = append(opts, lambdatest.WithStrictRequests())
	}
	if s.seedShapes {
		opts = append(opts, lambdatest.WithSeedShapes())
	}
	if log != nil {
		opts = append(opts, lambdatest.WithLogger(log))
	}
	return opts, nil
}

// newLogger makes the request logger the flags ask for; nil for "none".
func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	hopts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	case "none":
		return nil, nil
	}
	return nil, fmt.Errorf("-log-format %q: want text, json or none", format)
}

// run starts the simulator, prints how to reach it, and serves until ctx
// ends.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	s, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(s.logFormat, s.logLevel, stderr)
	if err != nil {
		return err
	}
	if s.adminToken == "" {
		s.adminToken = randomToken()
	}
	opts, err := s.options(log)
	if err != nil {
		return err
	}
	var start time.Time
	if s.clock != "" {
		if start, err = time.Parse(time.RFC3339, s.clock); err != nil {
			return fmt.Errorf("-clock %q: want an RFC 3339 time such as 2030-01-01T00:00:00Z", s.clock)
		}
	}
	if strings.TrimSpace(s.addr) == "" {
		// net.Listen would take it for every interface, on any port.
		return errors.New("-addr is empty: want host:port, such as 127.0.0.1:8010")
	}
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return err
	}
	if ip := ln.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() {
		fmt.Fprintf(stderr, "lambdasim: warning: listening on %s, reachable from other machines; "+
			"it accepts %s and serves the admin API to whoever has its token\n", ln.Addr(), acceptedKeys(s.apiKeys))
	}
	opts = append(opts, lambdatest.WithListener(ln))
	var certPath string
	if s.tls {
		cert, path, err := writeCertificate(s.certDir, ln.Addr())
		if err != nil {
			ln.Close()
			return err
		}
		certPath = path
		opts = append(opts, lambdatest.WithCertificate(cert))
	}

	srv := lambdatest.NewServer(opts...)
	defer srv.Close()
	if !start.IsZero() {
		if err := srv.SetClock(start); err != nil {
			return err
		}
	}
	if s.seedInstances > 0 {
		srv.SeedInstances(s.seedInstances)
	}

	key := lambdatest.DefaultAPIKey
	if len(s.apiKeys) > 0 {
		key = s.apiKeys[0]
	}
	fmt.Fprintf(stdout, "LAMBDA_BASE_URL=%s\n", srv.BaseURL())
	fmt.Fprintf(stdout, "LAMBDA_API_KEY=%s\n", key)
	fmt.Fprintf(stdout, "LAMBDASIM_ADMIN_TOKEN=%s\n", s.adminToken)
	if certPath != "" {
		fmt.Fprintf(stdout, "LAMBDASIM_CA_CERT=%s\n", certPath)
	}
	fmt.Fprintf(stderr, "lambdasim: serving the Lambda API at %s (admin API at %s%s, described by %sopenapi.yaml); Ctrl-C stops it\n",
		srv.BaseURL(), srv.URL, lambdatest.AdminPrefix, lambdatest.AdminPrefix)

	<-ctx.Done()
	fmt.Fprintln(stderr, "lambdasim: stopping")
	return nil
}

// acceptedKeys says which API keys the server accepts, for the warning.
func acceptedKeys(keys []string) string {
	if len(keys) == 0 {
		return "any API key"
	}
	return "the API keys given"
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "sim_admin_" + hex.EncodeToString(b)
}
