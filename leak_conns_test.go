package lambda_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// countingConn counts itself open until it is closed.
type countingConn struct {
	net.Conn
	open   *atomic.Int64
	closed atomic.Bool
}

func (c *countingConn) Close() error {
	if c.closed.CompareAndSwap(false, true) {
		c.open.Add(-1)
	}
	return c.Conn.Close()
}

// connCountingTransport is a transport whose open connections are counted: a
// connection neither idle in its pool nor closed after a call is one whose
// response body nobody closed.
func connCountingTransport() (*http.Transport, *atomic.Int64) {
	var open atomic.Int64
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		open.Add(1)
		return &countingConn{Conn: c, open: &open}, nil
	}}
	return tr, &open
}

// leakCase is one way a call can end; run makes the call (cancel ends
// its context) and the handler answers it.
type leakCase struct {
	handler func(w http.ResponseWriter, r *http.Request, reached chan<- struct{})
	run     func(ctx context.Context, c *lambda.Client) error
}

func getInstance(ctx context.Context, c *lambda.Client) error {
	_, err := c.Instances.Get(ctx, "inst_1")
	return err
}

// TestNoCallLeavesAConnectionOpen: however a call ends (an answer, an
// error, a refusal, a cancel at any phase, an iterator left early), once
// it has returned every connection it opened is idle in the pool or
// closed: after CloseIdleConnections none is open.
func TestNoCallLeavesAConnectionOpen(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("x", 17<<20)
	page := func(w http.ResponseWriter, n int) {
		items := make([]string, 100)
		for i := range items {
			items[i] = fmt.Sprintf(`{"id":"inst_%d_%d","name":"x","status":"running"}`, n, i)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"success":true,"data":[%s],"pagination":{"page":%d,"per_page":100,"total":100000,"has_next":true}}`, strings.Join(items, ","), n)
	}
	cases := map[string]leakCase{
		"success": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) { writeData(w, 200, instanceJSON) }, run: getInstance},
		"404 with a body": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			writeError(w, 404, "not_found", strings.Repeat("gone ", 20000))
		}, run: getInstance},
		"503 after every retry": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			writeError(w, 503, "service_unavailable", strings.Repeat("down ", 40000))
		}, run: getInstance},
		"body too large": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(big))
		}, run: getInstance},
		"error body too large": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			w.WriteHeader(500)
			_, _ = w.Write([]byte(big))
		}, run: getInstance},
		"redirect off the origin, with a body": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			w.Header().Set("Location", "http://127.0.0.2:1/steal")
			w.WriteHeader(307)
			_, _ = w.Write([]byte(strings.Repeat("r", 200<<10)))
		}, run: getInstance},
		"302 of a DELETE, with a body": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			w.Header().Set("Location", "/v1/instances/inst_2")
			w.WriteHeader(302)
			_, _ = w.Write([]byte(strings.Repeat("r", 200<<10)))
		}, run: func(ctx context.Context, c *lambda.Client) error { return c.Instances.Delete(ctx, "inst_1") }},
		"cancel waiting for the headers": {handler: func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
			reached <- struct{}{}
			<-r.Context().Done()
		}, run: getInstance},
		"cancel mid-body": {handler: func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte(`{"success":true,"data":{"id":"inst_1","name":"` + strings.Repeat("n", 100<<10)))
			w.(http.Flusher).Flush()
			reached <- struct{}{}
			<-r.Context().Done()
		}, run: getInstance},
		"cancel during a 429's wait": {handler: func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
			w.Header().Set("Retry-After", "30")
			writeError(w, 429, "rate_limit_exceeded", strings.Repeat("slow ", 20000))
			select {
			case reached <- struct{}{}:
			default:
			}
		}, run: getInstance},
		"iterator left after its first item": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			page(w, 1)
		}, run: func(ctx context.Context, c *lambda.Client) error {
			for _, err := range c.Instances.All(ctx, nil) {
				return err
			}
			return nil
		}},
		"iterator cancelled mid-page": {handler: func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
			if r.URL.Query().Get("page") == "2" {
				w.WriteHeader(200)
				_, _ = w.Write([]byte(`{"success":true,"data":[` + strings.Repeat(`{"id":"inst_x","name":"x"},`, 4000)))
				w.(http.Flusher).Flush()
				reached <- struct{}{}
				<-r.Context().Done()
				return
			}
			page(w, 1)
		}, run: func(ctx context.Context, c *lambda.Client) error {
			var last error
			for _, err := range c.Instances.All(ctx, nil) {
				last = err
			}
			return last
		}},
		"metrics stream handshake refused, with a body": {handler: func(w http.ResponseWriter, r *http.Request, _ chan<- struct{}) {
			writeError(w, 403, "forbidden", strings.Repeat("no ", 100000))
		}, run: func(ctx context.Context, c *lambda.Client) error {
			for _, err := range c.Instances.StreamMetrics(ctx, "inst_1", fastReconnects(1)) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		"metrics stream left after a sample": {handler: streamSamples(false), run: func(ctx context.Context, c *lambda.Client) error {
			for _, err := range c.Instances.StreamMetrics(ctx, "inst_1", fastReconnects(1)) {
				return err
			}
			return nil
		}},
		"metrics stream cancelled mid-stream": {handler: streamSamples(true), run: func(ctx context.Context, c *lambda.Client) error {
			for _, err := range c.Instances.StreamMetrics(ctx, "inst_1", fastReconnects(1)) {
				if err != nil {
					return err
				}
			}
			return nil
		}},
		"wait cancelled between polls": {handler: func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
			writeData(w, 200, strings.Replace(instanceJSON, `"running"`, `"booting"`, 1))
			select {
			case reached <- struct{}{}:
			default:
			}
		}, run: func(ctx context.Context, c *lambda.Client) error {
			_, err := c.Instances.WaitUntilReady(ctx, "inst_1")
			return err
		}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			reached := make(chan struct{}, 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tc.handler(w, r, reached) }))
			defer srv.Close()
			tr, open := connCountingTransport()
			client := newTestClient(t, srv.URL+"/v1", lambda.WithHTTPClient(&http.Client{Transport: tr}),
				lambda.WithMaxRetries(2))
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			go func() {
				select {
				case <-reached:
					cancel()
				case <-ctx.Done():
				}
			}()
			_ = tc.run(ctx, client)
			tr.CloseIdleConnections()
			deadline := time.Now().Add(5 * time.Second)
			for open.Load() != 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			require.Zero(t, open.Load(), "connections left open after the call returned")
		})
	}
}

// streamSamples streams a sample every millisecond until the client
// leaves; with signal, it says so after a few.
func streamSamples(signal bool) func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
	return func(w http.ResponseWriter, r *http.Request, reached chan<- struct{}) {
		conn, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer conn.CloseNow()
		ctx := conn.CloseRead(r.Context()) // answers the client's close
		for i := 0; ctx.Err() == nil; i++ {
			if conn.Write(ctx, websocket.MessageText, []byte(`{"timestamp":"2026-01-24T10:30:00Z","cpu_percent":1}`)) != nil {
				return
			}
			if i == 3 && signal {
				reached <- struct{}{}
			}
			time.Sleep(time.Millisecond)
		}
	}
}
