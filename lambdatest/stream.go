package lambdatest

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// streamSet tracks the open metric streams so that DropStreams and Close
// can cut them.
// Stream handlers run on net/http's goroutines, so they are counted here
// rather than in Server.wg: Close waits for them to end.
type streamSet struct {
	mu     sync.Mutex
	conns  map[*websocket.Conn]struct{}
	active int
	closed bool
	idle   sync.Cond
}

// enter counts a stream handler in; false once the server is closing.
func (ss *streamSet) enter() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.closed {
		return false
	}
	ss.active++
	return true
}

func (ss *streamSet) leave() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.active--
	if ss.active == 0 && ss.idle.L != nil {
		ss.idle.Broadcast()
	}
}

// closeAndWait refuses new streams, cuts the open ones and waits for their
// handlers to return.
func (ss *streamSet) closeAndWait() {
	ss.mu.Lock()
	ss.closed = true
	ss.mu.Unlock()
	ss.dropAll()
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.idle.L = &ss.mu
	for ss.active > 0 {
		ss.idle.Wait()
	}
}

func (ss *streamSet) add(c *websocket.Conn) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.conns == nil {
		ss.conns = map[*websocket.Conn]struct{}{}
	}
	ss.conns[c] = struct{}{}
}

func (ss *streamSet) remove(c *websocket.Conn) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	delete(ss.conns, c)
}

func (ss *streamSet) dropAll() {
	ss.mu.Lock()
	conns := make([]*websocket.Conn, 0, len(ss.conns))
	for c := range ss.conns {
		conns = append(conns, c)
	}
	ss.mu.Unlock()
	for _, c := range conns {
		_ = c.CloseNow() // abrupt on purpose: no close frame
	}
}

// DropStreams closes every open metrics stream abruptly (no close frame),
// as a failing load balancer would, for reconnect tests.
func (s *Server) DropStreams() { s.streams.dropAll() }

// streamMetrics upgrades to a WebSocket and sends one sample per metrics
// interval until the client leaves, the stream is dropped, or the server
// closes. Auth, rate limits, faults and the contract were checked before
// the upgrade, by the pipeline.
func (s *Server) streamMetrics(c *call) reply {
	st := s.st.lock(c.now)
	_, e := st.instance(c.id)
	st.unlock()
	if e != nil {
		return c.fail(e)
	}
	if !s.streams.enter() {
		return c.fail(errorf(http.StatusServiceUnavailable, "the server is shutting down"))
	}
	defer s.streams.leave()
	hw := &handshakeWriter{ResponseWriter: c.w}
	conn, err := websocket.Accept(hw, c.r, nil)
	if err != nil {
		if hw.refused == 0 || hw.switched {
			return reply{written: true} // answered already: the 101 went out
		}
		return c.fail(handshakeError(c.w.Header(), hw.refused, err))
	}
	s.streams.add(conn)
	defer s.streams.remove(conn)
	defer conn.CloseNow()

	ctx, cancel := context.WithCancel(c.r.Context())
	defer cancel()
	stop := context.AfterFunc(s.ctx, cancel)
	defer stop()
	ctx = conn.CloseRead(ctx) // ends ctx when the client closes or goes away

	ticker := time.NewTicker(s.cfg.metricsInterval)
	defer ticker.Stop()
	for {
		if !s.instanceExists(c.id) {
			// Deleted (or Reset) while streamed: the stream ends as the
			// contract's "until either side closes" allows, normally, so
			// that a client stops rather than reconnects.
			_ = conn.Close(websocket.StatusNormalClosure, "instance deleted")
			return reply{written: true}
		}
		if err := s.sendSample(ctx, conn, c.id); err != nil {
			return reply{written: true}
		}
		select {
		case <-ctx.Done():
			if s.ctx.Err() != nil {
				_ = conn.Close(websocket.StatusGoingAway, "server closing")
			}
			return reply{written: true}
		case <-ticker.C:
		}
	}
}

// instanceExists reports whether instance id exists now.
func (s *Server) instanceExists(id string) bool {
	st := s.st.lock(s.Now())
	defer st.unlock()
	_, ok := st.instances[id]
	return ok
}

func (s *Server) sendSample(ctx context.Context, conn *websocket.Conn, id string) error {
	wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return conn.Write(wctx, websocket.MessageText, mustJSON(sample(id, s.Now().UTC())))
}

// handshakeWriter lets websocket.Accept switch protocols, but keeps the
// refusal it would write in plain text (its status only), so that the
// simulator answers it in the error envelope as every other error.
type handshakeWriter struct {
	http.ResponseWriter
	refused  int  // the status of Accept's refusal; 0 when none
	switched bool // the 101 was written: nothing else may be
}

func (h *handshakeWriter) WriteHeader(status int) {
	if status == http.StatusSwitchingProtocols {
		h.switched = true
		h.ResponseWriter.WriteHeader(status)
		return
	}
	h.refused = status
}

func (h *handshakeWriter) Write(b []byte) (int, error) {
	if h.refused != 0 || h.switched {
		return len(b), nil // the plain-text message: the envelope says it
	}
	return h.ResponseWriter.Write(b)
}

// Unwrap lets Accept find the http.Hijacker underneath.
func (h *handshakeWriter) Unwrap() http.ResponseWriter { return h.ResponseWriter }

// handshakeError is the error envelope's form of Accept's refusal: its 426
// (not a handshake) is the API's 400 invalid_request, which is how the
// contract lists it. The headers Accept set for its plain-text answer go,
// but Upgrade: websocket, which says what was missing.
func handshakeError(h http.Header, status int, err error) *apiError {
	h.Del("Connection")
	h.Del("X-Content-Type-Options")
	if status == http.StatusUpgradeRequired {
		status = http.StatusBadRequest
	}
	msg := strings.TrimPrefix(err.Error(), "failed to accept WebSocket connection: ")
	return errorf(status, "this route is a WebSocket: %s", msg)
}
