package lambda_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	lambda "github.com/lambda/lambda-go"
)

func ExampleVerifyWebhookSignature() {
	body := []byte(`{"id":"evt_abc123","type":"instance.created","timestamp":"2026-01-24T10:30:00Z","data":{}}`)
	sig := lambda.SignWebhookPayload(body, "whsec_example")
	fmt.Println(sig)

	fmt.Println(lambda.VerifyWebhookSignature(body, sig, "whsec_example"))

	err := lambda.VerifyWebhookSignature(body, sig, "another secret")
	fmt.Println(errors.Is(err, lambda.ErrWebhookInvalidSignature))

	err = lambda.VerifyWebhookSignature(body, "", "whsec_example")
	fmt.Println(errors.Is(err, lambda.ErrWebhookNotSigned))
	// Output:
	// sha256=8d993624cf0989825a345007734f20dc67104e85f5549db2e48fdb327bfb9003
	// <nil>
	// true
	// true
}

func ExampleConstructEvent() {
	body := []byte(`{"id":"evt_abc123","type":"instance.created","timestamp":"2026-01-24T10:30:00Z",` +
		`"data":{"instance_id":"inst_abc123","name":"my-instance","status":"running"}}`)
	sig := lambda.SignWebhookPayload(body, "whsec_example")

	// A fixed clock two minutes after the event, within the 5-minute tolerance.
	clock := lambda.WithWebhookClock(func() time.Time { return time.Date(2026, 1, 24, 10, 32, 0, 0, time.UTC) })
	ev, err := lambda.ConstructEvent(body, sig, "whsec_example", clock)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(ev.ID, ev.Type, ev.Timestamp.Format(time.RFC3339))
	if ev.Type == lambda.EventInstanceCreated {
		d, err := ev.InstanceData()
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(d.InstanceID, d.Name, d.Status)
	}

	// An hour later the same delivery is refused as a replay.
	late := lambda.WithWebhookClock(func() time.Time { return time.Date(2026, 1, 24, 11, 30, 0, 0, time.UTC) })
	_, err = lambda.ConstructEvent(body, sig, "whsec_example", late)
	fmt.Println(errors.Is(err, lambda.ErrWebhookTooOld))
	// Output:
	// evt_abc123 instance.created 2026-01-24T10:30:00Z
	// inst_abc123 my-instance running
	// true
}

func ExampleWebhookHandler() {
	handler := lambda.WebhookHandler("whsec_example", func(ctx context.Context, ev *lambda.Event) error {
		fmt.Println("received", ev.ID, ev.Type)
		return nil
	})
	srv := httptest.NewServer(handler) // in production: http.Handle("/hooks", handler)
	defer srv.Close()

	// What the platform sends: a fresh event, signed.
	body := []byte(fmt.Sprintf(`{"id":"evt_1","type":"volume.attached","timestamp":%q,"data":{}}`,
		time.Now().UTC().Format(time.RFC3339)))
	for _, sig := range []string{lambda.SignWebhookPayload(body, "whsec_example"), "sha256=forged"} {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set(lambda.SignatureHeader, sig)
		resp, err := srv.Client().Do(req)
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(resp.Status)
	}
	// Output:
	// received evt_1 volume.attached
	// 204 No Content
	// 401 Unauthorized
}

// processedEvents is the kind of store a receiver with several replicas
// shares: here a map, in production a table with a unique key on the event
// ID, or Redis SET NX, reached by every replica.
type processedEvents struct {
	mu    sync.Mutex
	state map[string]bool // true: processed; false: being processed
}

func (s *processedEvents) Begin(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if done, seen := s.state[id]; seen {
		if done {
			return lambda.ErrWebhookDuplicate
		}
		return lambda.ErrWebhookInProgress
	}
	s.state[id] = false
	return nil
}

func (s *processedEvents) Finish(_ context.Context, id string, processed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if processed {
		s.state[id] = true
	} else {
		delete(s.state, id)
	}
	return nil
}

// Each event is processed once, although the platform delivers at least
// once: the handler claims each event by its ID in the store, so a delivery
// that failed is processed when it comes again, even an hour later, and a
// delivery of an event already processed is acknowledged without processing.
func ExampleWithWebhookEventStore() {
	store := &processedEvents{state: map[string]bool{}}
	attempts := 0
	handler := lambda.WebhookHandler("whsec_example", func(ctx context.Context, ev *lambda.Event) error {
		attempts++
		if attempts == 1 {
			return errors.New("the database is down") // answered 500: the platform delivers again
		}
		fmt.Println("processed", ev.ID)
		return nil
	}, lambda.WithWebhookEventStore(store))

	body := []byte(fmt.Sprintf(`{"id":"evt_42","type":"instance.stopped","timestamp":%q,"data":{}}`,
		time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)))
	for range 3 { // the first delivery, the platform's redelivery, and a replay
		req := httptest.NewRequest(http.MethodPost, "/hooks", bytes.NewReader(body))
		req.Header.Set(lambda.SignatureHeader, lambda.SignWebhookPayload(body, "whsec_example"))
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		fmt.Println(rec.Code)
	}
	// Output:
	// 500
	// processed evt_42
	// 204
	// 200
}
