package lambdatest

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// SignatureHeader carries the HMAC-SHA256 signature of a webhook body.
const SignatureHeader = "X-Lambda-Signature"

// Delivery is one attempt to deliver a webhook event, as recorded by
// Deliveries.
type Delivery struct {
	EventID    string    // "evt_…"
	Type       string    // "instance.created", …
	WebhookID  string    // the subscription, "wh_…"
	URL        string    // where the event was POSTed
	Attempt    int       // 1 for the first try
	StatusCode int       // the receiver's answer; 0 when the request failed
	Err        string    // why the request failed, if it did
	Time       time.Time // when the attempt ended, on the server's clock (Server.Now)
}

type subscription struct {
	id      string
	url     string
	events  []string
	secret  string
	created time.Time

	// Under dispatcher.mu: the events waiting for this receiver, and
	// whether a worker is delivering them.
	queue []job
	busy  bool
}

func (sub *subscription) wants(typ string) bool {
	for _, e := range sub.events {
		if e == "*" || e == typ || (strings.HasSuffix(e, ".*") && strings.HasPrefix(typ, strings.TrimSuffix(e, "*"))) {
			return true
		}
	}
	return false
}

// The bounds of the dispatcher, so that a receiver that is down or slow
// for hours cannot grow the server without end: events past deliveryQueue
// waiting for one receiver are dropped (and recorded as failed
// deliveries), and Deliveries keeps the latest deliveryLog attempts.
const (
	deliveryQueue = 10_000
	deliveryLog   = 10_000
)

type job struct {
	sub     *subscription
	eventID string
	typ     string
	body    []byte
}

// dispatcher delivers events to each subscription in order, from a worker
// of its own while it has events waiting, retrying non-2xx answers with a
// doubling pause: as on the platform, a receiver that hangs or is down
// holds up its own events only.
type dispatcher struct {
	s         *Server
	client    *http.Client
	ownClient bool

	mu         sync.Mutex
	subs       []*subscription
	deliveries []Delivery
	closed     bool           // Close began: no new worker
	workers    sync.WaitGroup // the running workers
	// queueLimit and logLimit are deliveryQueue and deliveryLog; tests
	// lower them.
	queueLimit, logLimit int
}

func newDispatcher(s *Server) *dispatcher {
	d := &dispatcher{s: s, client: s.cfg.webhookClient, queueLimit: deliveryQueue, logLimit: deliveryLog}
	if d.client == nil {
		// A transport of our own, so Close can drop its idle connections.
		// A receiver's 3xx is its answer (a failed attempt): followed, it
		// would carry the event to any host, past checkWebhookURL.
		d.client = &http.Client{Timeout: 2 * time.Second, Transport: http.DefaultTransport.(*http.Transport).Clone(),
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		d.ownClient = true
	}
	return d
}

// emit publishes an event to every subscription that wants its type. It
// only queues: delivery happens on the subscriptions' workers.
func (s *Server) emit(typ string, data map[string]any) {
	d := s.hooks
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.subs) == 0 || d.closed {
		return
	}
	id := newID("evt_")
	body := mustJSON(map[string]any{"id": id, "type": typ, "timestamp": stamp(s.Now()), "data": data})
	for _, sub := range d.subs {
		if !sub.wants(typ) {
			continue
		}
		if len(sub.queue) >= d.queueLimit {
			d.record(Delivery{EventID: id, Type: typ, WebhookID: sub.id, URL: sub.url, Attempt: 1, Time: s.Now(),
				Err: fmt.Sprintf("not delivered: %d events were already waiting for this receiver", len(sub.queue))})
			continue
		}
		sub.queue = append(sub.queue, job{sub: sub, eventID: id, typ: typ, body: body})
		if !sub.busy {
			sub.busy = true
			d.workers.Add(1) // under d.mu, before close sets closed: never after stop's Wait began
			go d.drain(sub)
		}
	}
}

// drain delivers sub's events until none is left or the server closes.
func (d *dispatcher) drain(sub *subscription) {
	defer d.workers.Done()
	for {
		d.mu.Lock()
		if len(sub.queue) == 0 || d.s.ctx.Err() != nil {
			sub.busy = false
			d.mu.Unlock()
			return
		}
		j := sub.queue[0]
		sub.queue[0] = job{}
		sub.queue = sub.queue[1:]
		d.mu.Unlock()
		d.deliver(j)
	}
}

// stop lets no new worker start and waits for the running ones, which the
// server's closed context ends. Call it after cancelling that context.
func (d *dispatcher) stop() {
	d.mu.Lock()
	d.closed = true
	d.mu.Unlock()
	d.workers.Wait()
	if d.ownClient {
		d.client.CloseIdleConnections()
	}
}

// deliver POSTs one event, signed (in the SignatureHeader, or in the body
// under WithWebhookSignatureInBody), and retries it on failure.
func (d *dispatcher) deliver(j job) {
	mac := hmac.New(sha256.New, []byte(j.sub.secret))
	mac.Write(j.body)
	sig := "sha256=" + hex.EncodeToString(mac.Sum(nil))
	if d.s.cfg.signatureInBody {
		// The API documentation's payload: the signature of the body without it, as its
		// last member, and no header.
		j.body = append(bytes.Clone(j.body[:len(j.body)-1]), `,"signature":"`+sig+`"}`...)
		sig = ""
	}
	pause := d.s.cfg.webhookBackoff
	for attempt := 1; attempt <= d.s.cfg.webhookAttempts; attempt++ {
		status, err := d.post(j, sig)
		rec := Delivery{EventID: j.eventID, Type: j.typ, WebhookID: j.sub.id, URL: j.sub.url,
			Attempt: attempt, StatusCode: status, Time: d.s.Now()}
		if err != nil {
			rec.Err = err.Error()
		}
		d.mu.Lock()
		d.record(rec)
		d.mu.Unlock()
		if err == nil && status >= 200 && status < 300 {
			return
		}
		if attempt == d.s.cfg.webhookAttempts || !d.s.sleep(context.Background(), pause) {
			return
		}
		pause *= 2
	}
}

// record adds a delivery attempt to the log, dropping the oldest quarter
// when it is full. Call with d.mu held.
func (d *dispatcher) record(rec Delivery) {
	d.deliveries = append(d.deliveries, rec)
	if len(d.deliveries) > d.logLimit {
		d.deliveries = append([]Delivery(nil), d.deliveries[len(d.deliveries)-d.logLimit*3/4:]...)
	}
}

func (d *dispatcher) post(j job, sig string) (int, error) {
	ctx, cancel := context.WithTimeout(d.s.ctx, 2*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, j.sub.url, bytes.NewReader(j.body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "lambdatest-webhooks/1")
	if sig != "" {
		req.Header.Set(SignatureHeader, sig)
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var sink [512]byte
	for { // drain a little so the connection can be reused
		if _, err := resp.Body.Read(sink[:]); err != nil {
			break
		}
	}
	return resp.StatusCode, nil
}

// Deliveries returns the webhook delivery attempts so far, oldest first
// (at most the latest 10,000). An event dropped because 10,000 others were
// waiting for delivery (a receiver down for long) is one failed attempt.
func (s *Server) Deliveries() []Delivery {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return slices.Clone(s.hooks.deliveries)
}

type wireWebhook struct {
	ID        string   `json:"id"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	CreatedAt string   `json:"created_at"`
}

func (s *Server) createWebhook(c *call) reply {
	var req struct {
		URL    string   `json:"url"`
		Events []string `json:"events"`
		Secret string   `json:"secret"`
	}
	if e := c.decode(&req); e != nil {
		return c.fail(e)
	}
	if e := requireFields("url", req.URL, "secret", req.Secret); e != nil {
		return c.fail(e)
	}
	if len(req.Events) == 0 {
		return c.fail(fieldError("events", nil, "subscribe to at least one event type"))
	}
	if e := checkWebhookURL(req.URL); e != nil {
		return c.fail(e)
	}
	sub := &subscription{id: newID("wh_"), url: req.URL, events: slices.Clone(req.Events),
		secret: req.Secret, created: c.now}
	d := s.hooks
	d.mu.Lock()
	d.subs = append(d.subs, sub)
	d.mu.Unlock()
	return c.created(wireWebhook{ID: sub.id, URL: sub.url, Events: slices.Clone(sub.events), CreatedAt: stamp(sub.created)})
}

// checkWebhookURL accepts https URLs, and http ones on loopback only (the
// receivers of tests are httptest servers).
func checkWebhookURL(raw string) *apiError {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fieldError("url", raw, "url must be an absolute https URL")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fieldError("url", raw, "url must use https (http is accepted on loopback only)")
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
