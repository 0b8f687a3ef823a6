package lambdatest_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// TestCloseDoesNotWaitForStalledClients: Close (and so lambdasim's stop on
// SIGINT or SIGTERM) ends even when a client stalls in the middle of a
// request: one that stops sending its body, one that stops reading a long
// answer. Before, Close waited for such a request forever.
func TestCloseDoesNotWaitForStalledClients(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		// stall leaves a request hanging on srv and returns once the
		// server's handler is known to be running.
		stall func(t *testing.T, srv *lambdatest.Server, conn net.Conn)
	}{
		{"body stops after 100-continue", func(t *testing.T, srv *lambdatest.Server, conn net.Conn) {
			_, err := conn.Write([]byte("POST /v1/instances HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer " +
				lambdatest.DefaultAPIKey + "\r\nContent-Type: application/json\r\nContent-Length: 100\r\n" +
				"Expect: 100-continue\r\n\r\n"))
			require.NoError(t, err)
			// net/http sends 100 Continue when the handler reads the body.
			line, err := bufio.NewReader(conn).ReadString('\n')
			require.NoError(t, err)
			require.Contains(t, line, "100 Continue")
			_, err = conn.Write([]byte(`{"name":`)) // and nothing more
			require.NoError(t, err)
		}},
		{"answer never read", func(t *testing.T, srv *lambdatest.Server, conn net.Conn) {
			// Far more than the socket buffers hold: the handler blocks
			// in Write.
			srv.InjectFault(lambdatest.Fault{Path: "/v1/account", Status: http.StatusOK, Body: strings.Repeat("x", 64<<20)})
			_, err := conn.Write([]byte("GET /v1/account HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer " +
				lambdatest.DefaultAPIKey + "\r\n\r\n"))
			require.NoError(t, err)
			require.Eventually(t, func() bool { return len(srv.Requests()) == 1 }, time.Minute, time.Millisecond)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := lambdatest.NewServer()
			conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL, "http://"))
			require.NoError(t, err)
			defer conn.Close()
			tc.stall(t, srv, conn)

			done := make(chan struct{})
			go func() { srv.Close(); close(done) }()
			select {
			case <-done:
			case <-time.After(time.Minute):
				t.Fatal("Close waited for a client that stalled")
			}
		})
	}
}

// TestHostileConcurrentTraffic: many clients creating, reading, listing,
// attaching and deleting the same objects, while others reset the world,
// seed it, force statuses, move the clock, pause transitions and hold
// metric streams open, all through the API and the admin API. Every answer
// is a well-formed answer (the error envelope with a request ID for the
// API's errors), never a dropped connection (a panicking handler), and
// Close then ends every goroutine (TestMain's goleak).
func TestHostileConcurrentTraffic(t *testing.T) {
	t.Parallel()
	const admin = "adm"
	srv := lambdatest.NewServer(lambdatest.WithAdminAPI(admin), lambdatest.WithTransitionDelay(time.Millisecond),
		lambdatest.WithMetricsInterval(time.Millisecond))
	defer srv.Close()

	var (
		mu  sync.Mutex
		ids []string // instances and volumes seen, some long deleted
	)
	remember := func(r resp) {
		if d, ok := r.json["data"].(map[string]any); ok {
			if id, ok := d["id"].(string); ok {
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
			}
		}
	}
	pick := func(i int) string {
		mu.Lock()
		defer mu.Unlock()
		if len(ids) == 0 {
			return "inst_none"
		}
		return ids[i%len(ids)]
	}
	adminCall := func(method, path, body string) (int, error) {
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			return 0, err
		}
		req.Header.Set("Authorization", "Bearer "+admin)
		res, err := srv.Client().Do(req)
		if err != nil {
			return 0, err
		}
		defer res.Body.Close()
		_, err = io.Copy(io.Discard, res.Body)
		return res.StatusCode, err
	}

	ops := []func(i int) (resp, error){
		func(int) (resp, error) { return send(srv, "POST", "/v1/instances", instanceBody) },
		func(int) (resp, error) { return send(srv, "POST", "/v1/volumes", volumeBody) },
		func(i int) (resp, error) { return send(srv, "GET", "/v1/instances/"+pick(i), "") },
		func(i int) (resp, error) { return send(srv, "DELETE", "/v1/instances/"+pick(i), "") },
		func(i int) (resp, error) { return send(srv, "DELETE", "/v1/volumes/"+pick(i), "") },
		func(i int) (resp, error) {
			return send(srv, "POST", "/v1/volumes/"+pick(i)+"/attach", `{"instance_id":"`+pick(i+1)+`"}`)
		},
		func(i int) (resp, error) { return send(srv, "POST", "/v1/volumes/"+pick(i)+"/detach", "") },
		func(i int) (resp, error) { return send(srv, "POST", "/v1/instances/"+pick(i)+"/stop", "") },
		func(i int) (resp, error) { return send(srv, "POST", "/v1/instances/"+pick(i)+"/start", "") },
		func(i int) (resp, error) {
			return send(srv, "POST", "/v1/snapshots", `{"volume_id":"`+pick(i)+`","name":"s"}`)
		},
		func(i int) (resp, error) {
			return send(srv, "GET", fmt.Sprintf("/v1/instances?page=%d&limit=%d&sort=status", i%3+1, i%5+1), "")
		},
		func(i int) (resp, error) { return send(srv, "GET", "/v1/volumes?sort=size_gb&order=desc", "") },
	}
	admins := []func(i int) (int, error){
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/reset", "") },
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/seed", `{"instances":3}`) },
		func(i int) (int, error) {
			return adminCall("PUT", "/_lambdasim/status/instances/"+pick(i), `{"status":"error"}`)
		},
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/clock/advance", `{"by":"1m"}`) },
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/transitions/pause", "") },
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/transitions/resume", "") },
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/streams/drop", "") },
		func(int) (int, error) { return adminCall("GET", "/_lambdasim/requests", "") },
		func(int) (int, error) { return adminCall("POST", "/_lambdasim/seed", `{"instances":`) },
		func(int) (int, error) { return adminCall("PATCH", "/_lambdasim/clock", `{}`) },
	}

	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 60 {
				n := w*1000 + i
				r, err := ops[n%len(ops)](n)
				if !assert.NoError(t, err, "op %d", n%len(ops)) {
					return
				}
				remember(r)
				if r.status >= 400 {
					assert.NotEmpty(t, r.errCode(), "op %d: %d %s", n%len(ops), r.status, r.raw)
					assert.NotEmpty(t, r.header.Get("X-Request-Id"))
				}
				assert.Less(t, r.status, 500, "op %d: %s", n%len(ops), r.raw)
			}
		}()
	}
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 40 {
				n := w*1000 + i
				status, err := admins[n%len(admins)](n)
				if !assert.NoError(t, err) {
					return
				}
				assert.Less(t, status, 500)
			}
		}()
	}
	wg.Add(1)
	go func() { // streams opened while instances come and go, and are dropped
		defer wg.Done()
		for i := range 20 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			c, _, err := dialStream(ctx, srv, pick(i), lambdatest.DefaultAPIKey)
			if err == nil {
				_, _, _ = c.Read(ctx)
				if i%2 == 0 {
					c.CloseNow() // half left open for Close to end
				}
			}
			cancel()
		}
	}()
	wg.Wait()
}

// hostTransport answers webhook deliveries by host: "hangs.example" never
// answers (until the test ends), any other host answers 204 and is counted.
type hostTransport struct {
	release chan struct{}
	hits    *atomic.Int64
}

func (h hostTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Hostname() == "hangs.example" {
		<-h.release
		return nil, errors.New("receiver gone")
	}
	h.hits.Add(1)
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Request: r}, nil
}

// TestWebhookReceiverThatHangsDelaysNoOther: each subscription is delivered
// on its own, as on the platform: a receiver that never answers (another
// test's, on a shared lambdasim) holds up its own events only. Before, one
// worker delivered every subscription in turn, so a hanging receiver held
// up every other for the seconds of each of its attempts, and filled the
// queue that all shared.
func TestWebhookReceiverThatHangsDelaysNoOther(t *testing.T) {
	t.Parallel()
	tr := hostTransport{release: make(chan struct{}), hits: new(atomic.Int64)}
	srv := newPlatform(t, lambdatest.WithWebhookClient(&http.Client{Transport: tr}))
	t.Cleanup(func() { close(tr.release) }) // before Close, which runs first otherwise
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
		`{"url":"https://hangs.example/hook","events":["*"],"secret":"s"}`)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
		`{"url":"https://answers.example/hook","events":["*"],"secret":"s"}`)

	for i := 1; i <= 3; i++ {
		mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
		require.Eventually(t, func() bool { return tr.hits.Load() >= int64(i) }, time.Minute, time.Millisecond,
			"event %d never reached the receiver that answers", i)
	}
}

// TestMetricsStreamEndsWhenItsInstanceIsDeleted: a stream does not go on
// sending samples of an instance that no longer exists; it closes normally
// ("until either side closes"), which ends the SDK's iteration without an
// error.
func TestMetricsStreamEndsWhenItsInstanceIsDeleted(t *testing.T) {
	t.Parallel()
	srv := newPlatform(t)
	id := createInstance(t, srv)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c, _, err := dialStream(ctx, srv, id, lambdatest.DefaultAPIKey)
	require.NoError(t, err)
	defer c.CloseNow()
	readSample(ctx, t, c)

	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/instances/"+id, "")
	for {
		if _, _, err = c.Read(ctx); err != nil {
			break
		}
	}
	assert.Equal(t, websocket.StatusNormalClosure, websocket.CloseStatus(err), "%v", err)
}

// TestPagingAnUnchangedCollection walks every paged list of the contract,
// in every sort (the documented ones, any field of the items, a field
// they lack) and order, at several page sizes, over items whose names and
// creation times tie (a clock that stands still): each item comes once,
// and has_next ends.
func TestPagingAnUnchangedCollection(t *testing.T) {
	t.Parallel()
	at := time.Date(2030, 5, 1, 12, 0, 0, 0, time.UTC)
	srv := newPlatform(t, lambdatest.WithClock(func() time.Time { return at }))
	for i := range 9 {
		name := []string{"dup", "dup", "a"}[i%3]
		mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/instances",
			`{"name":"`+name+`","instance_type":"compute-2x","region":"us-west-1","image":"ubuntu-22.04"}`)
		vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)
		mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/snapshots", `{"name":"`+name+`","volume_id":"`+vol+`"}`)
		_, err := srv.SeedFunction(name, "python3.11", "active")
		require.NoError(t, err)
	}
	srv.PauseTransitions() // nothing moves while the pages are read

	contract, err := lambdatest.LoadContract()
	require.NoError(t, err)
	var lists []string
	for _, op := range contract.Operations() {
		if op.Method != http.MethodGet || strings.Contains(op.Path, "{") {
			continue
		}
		r := call(t, srv, http.MethodGet, "/v1"+op.Path+"?page=1&limit=1", "")
		if _, paged := r.json["pagination"].(map[string]any); paged && r.status == http.StatusOK {
			lists = append(lists, op.Path)
		}
	}
	require.GreaterOrEqual(t, len(lists), 4, "paged lists found: %v", lists)

	for _, path := range lists {
		all := call(t, srv, http.MethodGet, "/v1"+path+"?limit=1000", "")
		want := map[string]bool{}
		for _, it := range all.items(t) {
			want[fmt.Sprint(it.(map[string]any)["id"])] = true
		}
		for _, sort := range []string{"created_at", "name", "status", "id", "region", "size_gb", "tags", "no_such_field"} {
			for _, order := range []string{"asc", "desc"} {
				for _, limit := range []int{1, 2, 7} {
					name := fmt.Sprintf("%s sort=%s order=%s limit=%d", path, sort, order, limit)
					got := map[string]bool{}
					for page := 1; ; page++ {
						r := call(t, srv, http.MethodGet, fmt.Sprintf("/v1%s?page=%d&limit=%d&sort=%s&order=%s", path, page, limit, sort, order), "")
						require.Equal(t, http.StatusOK, r.status, "%s: %s", name, r.raw)
						for _, it := range r.items(t) {
							id := fmt.Sprint(it.(map[string]any)["id"])
							require.False(t, got[id], "%s: %s again on page %d", name, id, page)
							got[id] = true
						}
						if r.json["pagination"].(map[string]any)["has_next"] != true {
							break
						}
						require.LessOrEqual(t, page, len(want), "%s: has_next never ends", name)
					}
					require.Equal(t, want, got, name)
				}
			}
		}
	}
}

// TestWebhookDeliveryDoesNotFollowRedirects: a receiver's 3xx is its
// answer, a failed attempt, not a pointer to follow. Followed, it carried
// the event (a 307 keeps the method and body) to any host, past the rule
// that a webhook URL is https or loopback, and turned a 301 into a GET.
func TestWebhookDeliveryDoesNotFollowRedirects(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int64
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		elsewhere.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(target.Close)
	for _, status := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target.URL+"/stolen", status)
			}))
			t.Cleanup(redirect.Close)
			srv := newPlatform(t, lambdatest.WithWebhookRetry(1, time.Millisecond))
			mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
				`{"url":"`+redirect.URL+`/hook","events":["volume.created"],"secret":"s"}`)
			mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
			require.Eventually(t, func() bool { return len(srv.Deliveries()) == 1 }, time.Minute, time.Millisecond)
			assert.Equal(t, status, srv.Deliveries()[0].StatusCode)
		})
	}
	t.Cleanup(func() { assert.Zero(t, elsewhere.Load(), "an event reached the redirect's target") })
}
