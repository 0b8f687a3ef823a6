package lambdatest_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go/lambdatest"
)

// receiver records the events POSTed to it, checking each signature.
type receiver struct {
	t      *testing.T
	secret string
	mu     sync.Mutex
	events []map[string]any
	fail   int // answer 500 to this many requests first
	srv    *httptest.Server
}

func newReceiver(t *testing.T, secret string, fail int) *receiver {
	rc := &receiver{t: t, secret: secret, fail: fail}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	mac := hmac.New(sha256.New, []byte(rc.secret))
	mac.Write(body)
	want := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Lambda-Signature"))) {
		rc.t.Errorf("bad signature %q for %s", r.Header.Get("X-Lambda-Signature"), body)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Header.Get("Content-Type") != "application/json" {
		rc.t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if rc.fail > 0 {
		rc.fail--
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	var ev map[string]any
	if err := json.Unmarshal(body, &ev); err != nil {
		rc.t.Errorf("event is not JSON: %s", body)
	}
	rc.events = append(rc.events, ev)
}

func (rc *receiver) types() []string {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	var out []string
	for _, ev := range rc.events {
		out = append(out, ev["type"].(string))
	}
	return out
}

func TestWebhookDelivery(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	rc := newReceiver(t, "whsec_test", 0)

	d := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
		`{"url":"`+rc.srv.URL+`/hooks","events":["instance.created","instance.stopped","instance.deleted"],"secret":"whsec_test"}`).data(t)
	assert.Regexp(t, `^wh_`, d["id"])
	assert.NotContains(t, d, "secret", "the secret is never answered")

	// An event of a type not subscribed to is not delivered.
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
	id := createInstance(t, srv)
	waitStatus(t, srv, "/v1/instances/"+id, "running")
	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/instances/"+id+"/stop", "")
	// Nobody reads: the event must fire on its own when the instance stops.
	require.Eventually(t, func() bool { return len(rc.types()) == 2 }, 5*time.Second, 5*time.Millisecond)
	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/instances/"+id, "")
	require.Eventually(t, func() bool { return len(rc.types()) == 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"instance.created", "instance.stopped", "instance.deleted"}, rc.types())

	rc.mu.Lock()
	ev := rc.events[1]
	rc.mu.Unlock()
	assert.Regexp(t, `^evt_`, ev["id"])
	_, err := time.Parse(time.RFC3339, ev["timestamp"].(string))
	assert.NoError(t, err)
	data := ev["data"].(map[string]any)
	assert.Equal(t, id, data["instance_id"])
	assert.Equal(t, "stopped", data["status"])
	assert.Equal(t, "web", data["name"])

	for _, del := range srv.Deliveries() {
		assert.Equal(t, http.StatusOK, del.StatusCode)
		assert.Equal(t, rc.srv.URL+"/hooks", del.URL)
		assert.Equal(t, 1, del.Attempt)
	}
}

func TestWebhookRetries(t *testing.T) {
	t.Parallel()
	srv := newServer(t, lambdatest.WithWebhookRetry(3, 5*time.Millisecond))
	rc := newReceiver(t, "s3cret", 2)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
		`{"url":"`+rc.srv.URL+`","events":["volume.*"],"secret":"s3cret"}`)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)

	// The receiver sees the event before the server records the attempt's
	// answer: wait for both.
	require.Eventually(t, func() bool { return len(rc.types()) == 1 && len(srv.Deliveries()) == 3 }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, []string{"volume.created"}, rc.types())
	dels := srv.Deliveries()
	require.Len(t, dels, 3)
	for i, want := range []int{500, 500, 200} {
		assert.Equal(t, i+1, dels[i].Attempt)
		assert.Equal(t, want, dels[i].StatusCode)
		assert.Equal(t, dels[0].EventID, dels[i].EventID)
	}
}

func TestWebhookValidation(t *testing.T) {
	t.Parallel()
	srv := newServer(t)
	tests := []struct {
		name, body, field string
	}{
		{"http off loopback", `{"url":"http://example.com/h","events":["instance.created"],"secret":"s"}`, "url"},
		{"no events", `{"url":"https://example.com/h","events":[],"secret":"s"}`, "events"},
		{"no secret", `{"url":"https://example.com/h","events":["instance.created"]}`, "secret"},
	}
	for _, tc := range tests {
		r := mustCall(t, srv, http.StatusBadRequest, http.MethodPost, "/v1/webhooks", tc.body)
		assert.Equal(t, tc.field, r.errField(), tc.name)
		assert.NotContains(t, string(r.raw), `"s"`, "never the secret")
	}
	// https anywhere; http on loopback (localhost, 127.0.0.0/8, ::1) only.
	for _, url := range []string{"https://example.com/h", "http://localhost:9/h", "http://LOCALHOST/h", "http://127.0.0.2:9/h", "http://[::1]:9/h"} {
		mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks", `{"url":"`+url+`","events":["instance.created"],"secret":"s"}`)
	}
}

// TestWebhookFailedAttempts: an attempt that got no answer is recorded with
// why, and a subscription's last failed attempt does not hold up its next
// event for the backoff.
func TestWebhookFailedAttempts(t *testing.T) {
	t.Parallel()
	gone := httptest.NewServer(http.NotFoundHandler())
	gone.Close() // refuses connections from now on
	srv := newServer(t, lambdatest.WithWebhookRetry(1, time.Hour))
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks", `{"url":"`+gone.URL+`","events":["volume.created"],"secret":"s"}`)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
	require.Eventually(t, func() bool { return len(srv.Deliveries()) == 2 }, 10*time.Second, 5*time.Millisecond,
		"the second event waited for the first one's backoff")
	for _, d := range srv.Deliveries() {
		assert.Equal(t, 1, d.Attempt)
		assert.Zero(t, d.StatusCode, "no answer")
		assert.NotEmpty(t, d.Err, "why there was no answer")
	}
}

func TestWebhookToTLSReceiver(t *testing.T) {
	t.Parallel()
	got := make(chan string, 1)
	tlsRecv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("X-Lambda-Signature")
	}))
	t.Cleanup(tlsRecv.Close)
	srv := newServer(t, lambdatest.WithWebhookClient(tlsRecv.Client()))
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks",
		`{"url":"`+tlsRecv.URL+`","events":["*"],"secret":"s"}`)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
	select {
	case sig := <-got:
		assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, sig)
	case <-time.After(5 * time.Second):
		t.Fatal("no delivery")
	}
}

func TestCloseStopsHangingDelivery(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	arrived := make(chan struct{}, 1)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })

	srv := lambdatest.NewServer()
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks", `{"url":"`+hang.URL+`","events":["*"],"secret":"s"}`)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
	select {
	case <-arrived: // a delivery hangs in the receiver
	case <-time.After(5 * time.Second):
		srv.Close()
		t.Fatal("no delivery started")
	}

	done := make(chan struct{})
	go func() { srv.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waits for a hanging webhook receiver")
	}
}

func TestWebhookEventsOfEveryTransition(t *testing.T) {
	t.Parallel()
	// The volume must still be "restoring" one call after the restore: a
	// long step keeps it so on a loaded machine.
	srv := newServer(t, lambdatest.WithTransitionDelay(300*time.Millisecond))
	rc := newReceiver(t, "k", 0)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks", `{"url":"`+rc.srv.URL+`","events":["*"],"secret":"k"}`)

	inst := createInstance(t, srv)
	waitStatus(t, srv, "/v1/instances/"+inst, "running")
	vol := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody).data(t)["id"].(string)
	waitStatus(t, srv, "/v1/volumes/"+vol, "available")
	steps := []struct {
		method, path, body, wait, want string
	}{
		{"POST", "/v1/instances/" + inst + "/stop", "", "stopped", "instance.stopped"},
		{"POST", "/v1/instances/" + inst + "/resize", `{"instance_type":"compute-16x"}`, "stopped", "instance.resized"},
		{"POST", "/v1/instances/" + inst + "/start", "", "running", "instance.started"},
		{"POST", "/v1/instances/" + inst + "/restart", "", "running", "instance.restarted"},
		{"POST", "/v1/volumes/" + vol + "/attach", `{"instance_id":"` + inst + `"}`, "attached", "volume.attached"},
		{"POST", "/v1/volumes/" + vol + "/resize", `{"size_gb":11}`, "attached", "volume.resized"},
		{"POST", "/v1/volumes/" + vol + "/detach", "", "available", "volume.detached"},
	}
	for _, s := range steps {
		mustCall(t, srv, http.StatusOK, s.method, s.path, s.body)
		target := "/v1/instances/" + inst
		if s.want[:6] == "volume" {
			target = "/v1/volumes/" + vol
		}
		waitStatus(t, srv, target, s.wait)
		require.Eventually(t, func() bool {
			types := rc.types()
			return len(types) > 0 && types[len(types)-1] == s.want
		}, 5*time.Second, 5*time.Millisecond, "no %s event", s.want)
	}
	snap := mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/snapshots", `{"name":"s","volume_id":"`+vol+`"}`).data(t)["id"].(string)
	waitStatus(t, srv, "/v1/snapshots/"+snap, "available")
	mustCall(t, srv, http.StatusOK, http.MethodPost, "/v1/snapshots/"+snap+"/restore", "")
	r := mustCall(t, srv, http.StatusConflict, http.MethodDelete, "/v1/volumes/"+vol, "")
	assert.Contains(t, string(r.raw), snap, "no deleting a volume while a snapshot is restored onto it")
	waitStatus(t, srv, "/v1/snapshots/"+snap, "available")
	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/volumes/"+vol, "")
	mustCall(t, srv, http.StatusNoContent, http.MethodDelete, "/v1/instances/"+inst, "")
	want := []string{
		"instance.created", "volume.created", "instance.stopped", "instance.resized", "instance.started",
		"instance.restarted", "volume.attached", "volume.resized", "volume.detached", "snapshot.created",
		"snapshot.restored", "volume.deleted", "instance.deleted",
	}
	require.Eventually(t, func() bool { return len(rc.types()) == len(want) }, 5*time.Second, 5*time.Millisecond)
	assert.Equal(t, want, rc.types())
	// A volume's events name its instance while it has one.
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, ev := range rc.events {
		data := ev["data"].(map[string]any)
		switch ev["type"] {
		case "volume.created", "volume.deleted":
			assert.NotContains(t, data, "instance_id", ev["type"])
		case "volume.attached", "volume.detached":
			assert.Equal(t, inst, data["instance_id"], ev["type"])
		}
	}
}

// TestWebhookRetriesBackOff: attempts are spaced by the backoff, doubled
// after each failure. Only lower bounds are asserted: a loaded machine
// makes the gaps longer, never shorter.
func TestWebhookRetriesBackOff(t *testing.T) {
	t.Parallel()
	const backoff = 100 * time.Millisecond
	var mu sync.Mutex
	var arrivals []time.Time
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		mu.Lock()
		arrivals = append(arrivals, time.Now())
		mu.Unlock()
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	t.Cleanup(down.Close)
	srv := newServer(t, lambdatest.WithWebhookRetry(3, backoff))
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/webhooks", `{"url":"`+down.URL+`","events":["volume.created"],"secret":"s"}`)
	mustCall(t, srv, http.StatusCreated, http.MethodPost, "/v1/volumes", volumeBody)
	require.Eventually(t, func() bool { return len(srv.Deliveries()) == 3 }, 10*time.Second, 5*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, arrivals, 3)
	assert.GreaterOrEqual(t, arrivals[1].Sub(arrivals[0]), backoff)
	assert.GreaterOrEqual(t, arrivals[2].Sub(arrivals[1]), 2*backoff, "doubled after the second failure")
}
