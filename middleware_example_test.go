package lambda_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// A middleware that logs every attempt with log/slog: method, path,
// status and duration. It runs before the credential is added, so there is
// none to leak. (The time and duration are left out of the output here only
// so that it is the same on every run.)
func ExampleWithMiddleware_slog() {
	logger := slog.New(slog.NewTextHandler(os.Stdout, &slog.HandlerOptions{
		ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
			if a.Key == slog.TimeKey || a.Key == "duration" {
				return slog.Attr{}
			}
			return a
		},
	}))
	logAttempts := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		start := time.Now()
		resp, err := next(req)
		attrs := []any{"method", req.Method, "path", req.URL.Path, "duration", time.Since(start)}
		if err != nil {
			logger.Error("lambda call", append(attrs, "error", err)...)
			return nil, err
		}
		logger.Info("lambda call", append(attrs, "status", resp.StatusCode)...)
		return resp, nil
	}

	srv := lambdatest.NewServer()
	defer srv.Close()
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()),
		lambda.WithMiddleware(logAttempts))
	if err != nil {
		log.Fatal(err)
	}
	_, _ = client.Instances.Get(context.Background(), "inst_missing")
	// Output:
	// level=INFO msg="lambda call" method=GET path=/v1/instances/inst_missing status=404
}

// Tracing in the manner of OpenTelemetry, without a dependency: each attempt
// is a client span, and its W3C traceparent header tells the API which trace
// it belongs to. With OpenTelemetry itself, the middleware calls
// tracer.Start, propagator.Inject, span.SetAttributes and span.End the same
// way.
func ExampleWithMiddleware_tracing() {
	tracer := &printTracer{}
	traceAttempts := func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		ctx, span := tracer.Start(req.Context(), "lambda "+req.Method)
		defer span.End()
		req = req.WithContext(ctx)
		req.Header.Set("Traceparent", span.traceparent())
		resp, err := next(req)
		if err != nil {
			span.SetAttribute("error", err.Error())
			return nil, err
		}
		span.SetAttribute("http.response.status_code", resp.StatusCode)
		return resp, nil
	}

	// One failure before the answer: two attempts, two spans.
	srv := lambdatest.NewServer()
	defer srv.Close()
	srv.InjectFault(lambdatest.Fault{Method: "GET", Path: "/v1/account", Status: 503})
	client, err := lambda.NewClient(lambda.WithAPIKey(lambdatest.DefaultAPIKey), lambda.WithBaseURL(srv.BaseURL()),
		lambda.WithRetryBackoff(time.Millisecond, time.Millisecond), lambda.WithMiddleware(traceAttempts))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := client.Account.Get(context.Background()); err != nil {
		log.Fatal(err)
	}
	sent := srv.Requests()
	fmt.Println("the API saw a traceparent:", len(sent[len(sent)-1].Header.Get("Traceparent")) == 55)
	// Output:
	// span "lambda GET" ended: http.response.status_code=503
	// span "lambda GET" ended: http.response.status_code=200
	// the API saw a traceparent: true
}

// printTracer stands for an OpenTelemetry tracer: it prints each span as it
// ends.
type printTracer struct{}

type printSpan struct {
	name    string
	traceID [16]byte
	spanID  [8]byte
	attrs   []string
}

func (printTracer) Start(ctx context.Context, name string) (context.Context, *printSpan) {
	s := &printSpan{name: name}
	_, _ = rand.Read(s.traceID[:])
	_, _ = rand.Read(s.spanID[:])
	return ctx, s
}

func (s *printSpan) SetAttribute(key string, value any) {
	s.attrs = append(s.attrs, fmt.Sprintf("%s=%v", key, value))
}

func (s *printSpan) traceparent() string {
	return "00-" + hex.EncodeToString(s.traceID[:]) + "-" + hex.EncodeToString(s.spanID[:]) + "-01"
}

func (s *printSpan) End() { fmt.Printf("span %q ended: %s\n", s.name, s.attrs[0]) }
