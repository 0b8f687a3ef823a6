package lambda

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// Errors a WebhookEventStore returns from Begin when an event must not be
// processed now. WebhookHandler answers the first 200 without calling its
// function and the second 409, so that the platform delivers again later.
var (
	// ErrWebhookDuplicate means the event was processed already.
	ErrWebhookDuplicate = errors.New("lambda: webhook event was processed already")
	// ErrWebhookInProgress means another delivery of the event is being
	// processed at this moment.
	ErrWebhookInProgress = errors.New("lambda: webhook event is being processed by another delivery")
)

// WebhookEventStore remembers which events were processed, by Event.ID, so
// that each is processed once although the platform delivers at least once:
// again after any answer other than 2xx, after a lost answer, and possibly
// twice at the same time.
//
// WebhookHandler calls Begin before its function and Finish after it. An
// implementation shared by every replica of a receiver (a table with a unique
// key, a Redis SET NX) gives the guarantee across replicas; it should also
// let a claim lapse when its holder dies before calling Finish. It must be
// safe for concurrent use.
type WebhookEventStore interface {
	// Begin claims id for processing. It returns nil when the caller is to
	// process the event, ErrWebhookDuplicate when it was processed already,
	// ErrWebhookInProgress when another claim on it is open, or another error
	// when the store cannot tell (the delivery is then answered 500).
	Begin(ctx context.Context, id string) error
	// Finish closes the claim Begin granted. With processed true the event is
	// never processed again; with false (the function failed or panicked) a
	// later delivery may claim it again.
	Finish(ctx context.Context, id string, processed bool) error
}

// DefaultWebhookStoreSize is how many processed event IDs the in-memory store
// of WebhookHandler remembers unless WithWebhookEventStore gives another.
const DefaultWebhookStoreSize = 100_000

// NewWebhookMemoryStore returns a WebhookEventStore that keeps, in this
// process's memory, the IDs of the last max events processed (forgetting the
// oldest first) and of the events being processed. It protects one process
// only, and forgets on restart; an event processed more than max events ago
// can be processed again if it is delivered again. max must be positive.
func NewWebhookMemoryStore(max int) (WebhookEventStore, error) {
	if max <= 0 {
		return nil, fmt.Errorf("%w: NewWebhookMemoryStore(%d): the size must be positive", ErrInvalidRequest, max)
	}
	return &webhookMemoryStore{max: max, state: make(map[string]bool)}, nil
}

// webhookMemoryStore maps each ID it knows to whether it was processed
// (true) or is being processed (false). done lists the processed IDs in the
// order they finished, as a ring of at most max entries.
type webhookMemoryStore struct {
	mu    sync.Mutex
	max   int
	state map[string]bool
	done  []string
	next  int // where the next processed ID goes in done once it is full
}

func (s *webhookMemoryStore) Begin(_ context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	processed, known := s.state[id]
	switch {
	case !known:
		s.state[id] = false
		return nil
	case processed:
		return ErrWebhookDuplicate
	default:
		return ErrWebhookInProgress
	}
}

func (s *webhookMemoryStore) Finish(_ context.Context, id string, processed bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !processed {
		delete(s.state, id)
		return nil
	}
	s.state[id] = true
	if len(s.done) < s.max {
		s.done = append(s.done, id)
		return nil
	}
	delete(s.state, s.done[s.next])
	s.done[s.next] = id
	s.next = (s.next + 1) % s.max
	return nil
}
