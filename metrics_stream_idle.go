package lambda

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// silenceWatch closes a metrics connection that stays silent for idle
// while the stream waits on it, after asking it for a pong at half that.
// Its goroutine ends in stop, before the stream's pump returns.
type silenceWatch struct {
	conn   *websocket.Conn
	idle   time.Duration
	start  time.Time    // for monotonic readings of since
	since  atomic.Int64 // when the wait for a message began, as time since start plus 1; 0 while not waiting
	silent atomic.Bool
	cancel context.CancelFunc
	done   chan struct{}
}

func watchSilence(conn *websocket.Conn, idle time.Duration) *silenceWatch {
	ctx, cancel := context.WithCancel(context.Background())
	w := &silenceWatch{conn: conn, idle: idle, start: time.Now(), cancel: cancel, done: make(chan struct{})}
	go w.run(ctx)
	return w
}

// waiting marks the start (true) and the end (false) of a wait for a
// message: only a wait can be silence, not the loop's body at work.
func (w *silenceWatch) waiting(on bool) {
	if on {
		w.since.Store(w.now())
	} else {
		w.since.Store(0)
	}
}

// fired reports whether the watch closed the connection.
func (w *silenceWatch) fired() bool { return w.silent.Load() }

// stop ends the watch and waits for its goroutine; a ping in flight is
// abandoned at once. After stop, fired is final. It may be called again.
func (w *silenceWatch) stop() {
	w.cancel()
	<-w.done
}

func (w *silenceWatch) now() int64 { return int64(time.Since(w.start)) + 1 }

func (w *silenceWatch) run(ctx context.Context) {
	defer close(w.done)
	t := time.NewTimer(w.idle / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		next, closed := w.check(ctx)
		if closed {
			return
		}
		t.Reset(next)
	}
}

// check closes the connection if it has been silent for idle, pings it
// if for half that, and says when to look again.
func (w *silenceWatch) check(ctx context.Context) (next time.Duration, closed bool) {
	since := w.since.Load()
	if since == 0 {
		return w.idle / 2, false
	}
	quiet := time.Duration(w.now() - since)
	switch {
	case quiet >= w.idle:
		w.silent.Store(true)
		_ = w.conn.CloseNow() // no close handshake: the peer is not listening
		return 0, true
	case quiet < w.idle/2:
		return w.idle/2 - quiet, false
	}
	pctx, cancel := context.WithTimeout(ctx, w.idle-quiet)
	err := w.conn.Ping(pctx) // the pong is read by the stream's pending Read
	noPong := errors.Is(pctx.Err(), context.DeadlineExceeded)
	cancel()
	switch {
	case err == nil:
		w.since.CompareAndSwap(since, w.now()) // unless a message ended the wait meanwhile
		return w.idle / 2, false
	case noPong: // silent for idle; coder/websocket may already have closed the connection
		w.silent.Store(true)
		_ = w.conn.CloseNow()
		return 0, true
	}
	// The ping failed at once (the connection is closing): look again when
	// the silence would reach idle.
	return max(w.idle-time.Duration(w.now()-since), time.Millisecond), false
}

// logSilence reports a connection closed for silence.
func (ms *metricStream) logSilence(ctx context.Context) {
	if ms.logger == nil {
		return
	}
	ms.logger.LogAttrs(ctx, slog.LevelWarn, "lambda: metrics stream silent; closing the connection to reconnect",
		slog.String("instance", ms.id), slog.Duration("idle_timeout", ms.cfg.IdleTimeout))
}
