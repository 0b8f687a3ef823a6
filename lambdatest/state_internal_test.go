package lambdatest

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An object created while transitions are paused is held from the start:
// its first step is due a whole delay after the pause, which
// ResumeTransitions then moves on by the time held, not a delay after its
// creation plus the time held.
func TestTransitionBegunWhilePausedStartsAtThePause(t *testing.T) {
	t.Parallel()
	s := NewServer(WithTransitionDelay(time.Hour))
	defer s.Close()
	s.PauseTransitions()
	time.Sleep(time.Millisecond) // the creation comes strictly after the pause
	status, _ := do(t, s, http.MethodPost, "/v1/instances", DefaultAPIKey,
		`{"name":"held","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`)
	require.Equal(t, http.StatusCreated, status)
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	require.Len(t, s.st.instances, 1)
	for _, in := range s.st.instances {
		assert.Equal(t, s.st.pausedAt.Add(time.Hour), in.lc.nextAt)
	}
}

// Each step of a life cycle lasts its own delay: an instance due to leave
// "pending" shows "provisioning" for a delay before "running", even when the
// state is read long after.
func TestEveryStepLastsADelay(t *testing.T) {
	t.Parallel()
	s := NewServer(WithTransitionDelay(time.Hour))
	defer s.Close()
	status, _ := do(t, s, http.MethodPost, "/v1/instances", DefaultAPIKey,
		`{"name":"slow","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`)
	require.Equal(t, http.StatusCreated, status)
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for _, in := range s.st.instances {
		due := time.Now().Add(-time.Minute)
		in.lc.nextAt = due // as if its first hour were over
		s.st.advance(time.Now(), s.Now())
		assert.Equal(t, "provisioning", in.lc.status)
		assert.Equal(t, due.Add(time.Hour), in.lc.nextAt, "the next step a whole delay later")
	}
}

// PauseTransitions twice is once: the pause dates from the first call.
func TestPauseTwiceIsOnce(t *testing.T) {
	t.Parallel()
	s := NewServer()
	defer s.Close()
	s.PauseTransitions()
	s.st.mu.Lock()
	first := s.st.pausedAt
	s.st.mu.Unlock()
	require.False(t, first.IsZero(), "paused")
	time.Sleep(time.Millisecond)
	s.PauseTransitions()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	assert.Equal(t, first, s.st.pausedAt)
}

// ResumeTransitions without a pause does nothing: no step is put off.
func TestResumeWithoutAPauseDoesNothing(t *testing.T) {
	t.Parallel()
	s := NewServer(WithTransitionDelay(time.Hour))
	defer s.Close()
	status, _ := do(t, s, http.MethodPost, "/v1/instances", DefaultAPIKey,
		`{"name":"moving","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`)
	require.Equal(t, http.StatusCreated, status)
	due := map[string]time.Time{}
	s.st.mu.Lock()
	for id, in := range s.st.instances {
		due[id] = in.lc.nextAt
	}
	s.st.mu.Unlock()
	s.ResumeTransitions()
	s.st.mu.Lock()
	defer s.st.mu.Unlock()
	for id, in := range s.st.instances {
		assert.Equal(t, due[id], in.lc.nextAt)
	}
}
