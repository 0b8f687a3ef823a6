package lambda_test

import (
	"bufio"
	"context"
	"crypto/sha1"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lambda/lambda-go"
)

// wsFrame is one WebSocket frame as a server writes it (unmasked), with
// any header bit a hostile server may set wrong.
func wsFrame(fin bool, rsv, opcode byte, payload []byte) []byte {
	b0 := opcode & 0x0f
	if fin {
		b0 |= 0x80
	}
	b0 |= (rsv & 7) << 4
	out := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		out = append(out, byte(n))
	case n <= 0xffff:
		out = append(out, 126, byte(n>>8), byte(n))
	default:
		out = append(out, 127)
		out = binary.BigEndian.AppendUint64(out, uint64(n))
	}
	return append(out, payload...)
}

// rawStreamServer completes the WebSocket handshake by hand, then writes
// the bytes registered for the instance in the path, and ends its side of
// the TCP connection: nothing in the way of what a hostile server can send.
type rawStreamServer struct {
	url   string
	sends sync.Map // instance ID → []byte
	next  atomic.Int64
}

func newRawStreamServer(tb testing.TB) *rawStreamServer {
	tb.Helper()
	s := &rawStreamServer{}
	hts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var id string
		if _, err := fmt.Sscanf(r.URL.Path, "/v1/instances/%s", &id); err != nil {
			return
		}
		id = id[:len(id)-len("/metrics/stream")]
		raw, _ := s.sends.Load(id)
		sum := sha1.Sum([]byte(r.Header.Get("Sec-WebSocket-Key") + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		conn, rw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		_, _ = rw.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
			"Sec-WebSocket-Accept: " + base64.StdEncoding.EncodeToString(sum[:]) + "\r\n\r\n")
		if b, ok := raw.([]byte); ok {
			_, _ = rw.Write(b)
		}
		_ = rw.Flush()
		// Nothing more comes: the client sees the end of the stream. What it
		// says (its close frame) is read until it hangs up, so that its
		// close handshake is not cut short by a reset.
		if cw, ok := conn.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _ = bufio.NewReader(conn).WriteTo(discardWriter{})
	}))
	tb.Cleanup(hts.Close)
	s.url = hts.URL
	return s
}

type discardWriter struct{}

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// stream registers raw for a fresh instance and returns its ID.
func (s *rawStreamServer) stream(raw []byte) string {
	id := fmt.Sprintf("inst_%d", s.next.Add(1))
	s.sends.Store(id, raw)
	return id
}

// FuzzStreamMetricsServerBytes: whatever bytes a server sends after a
// valid handshake, the stream ends (without reconnecting) with samples,
// errors matching ErrInvalidResponse or ErrStreamDropped, or nothing: never
// a panic, a hang, a zero sample or an untyped error.
func FuzzStreamMetricsServerBytes(f *testing.F) {
	sample := []byte(goodSample)
	closeNormal := wsFrame(true, 0, 8, []byte{0x03, 0xe8})
	for _, seed := range [][]byte{
		nil,
		append(wsFrame(true, 0, 1, sample), closeNormal...),
		wsFrame(true, 0, 2, sample),                                                     // binary
		append(wsFrame(false, 0, 1, sample[:10]), wsFrame(true, 0, 0, sample[10:])...),  // fragmented
		wsFrame(true, 0, 0, sample),                                                     // continuation without a start
		append(wsFrame(false, 0, 1, sample[:10]), wsFrame(true, 0, 1, sample[10:])...),  // new message mid-message
		wsFrame(true, 4, 1, sample),                                                     // RSV1 without compression
		wsFrame(true, 1, 1, sample),                                                     // RSV3
		wsFrame(true, 0, 3, sample),                                                     // reserved data opcode
		wsFrame(true, 0, 0xb, nil),                                                      // reserved control opcode
		wsFrame(true, 0, 9, make([]byte, 126)),                                          // ping too long for a control frame
		wsFrame(false, 0, 9, nil),                                                       // fragmented ping
		append(wsFrame(true, 0, 10, []byte("unasked")), wsFrame(true, 0, 1, sample)...), // unsolicited pong
		wsFrame(true, 0, 8, []byte{0x03}),                                               // close payload of one byte
		wsFrame(true, 0, 8, []byte{0x03, 0xed}),                                         // close 1005 on the wire
		wsFrame(true, 0, 8, []byte{0x03, 0xe8, 0xff, 0xfe}),                             // close reason not UTF-8
		wsFrame(true, 0, 8, []byte{0x13, 0x88}),                                         // close 5000
		wsFrame(true, 0, 1, []byte("null")),
		wsFrame(true, 0, 1, []byte(`{"error":{"code":"not_found"}}`)),
		{0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // a negative 64-bit length
		{0x81, 0x7f, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // a length of 2^63-1, then nothing
		{0x81, 0xfe, 0x00, 0x04, 1, 2, 3, 4, 'n', 'u', 'l', 'l'},     // a masked frame from the server
		{0x81},                        // a header cut short
		[]byte("HTTP/1.1 200 OK\r\n"), // text where frames belong
	} {
		f.Add(seed)
	}
	srv := newRawStreamServer(f)
	client, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithBaseURL(srv.url+"/v1"))
	if err != nil {
		f.Fatal(err)
	}
	opts := &lambda.StreamMetricsOptions{DisableReconnect: true, ReadLimit: 4096}
	f.Fuzz(func(t *testing.T, raw []byte) {
		id := srv.stream(raw)
		defer srv.sends.Delete(id)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		for s, err := range client.Instances.StreamMetrics(ctx, id, opts) {
			switch {
			case ctx.Err() != nil:
				t.Fatalf("the stream hung on %q: %v", raw, err)
			case err == nil && s == (lambda.MetricSample{}):
				t.Fatalf("a zero sample from %q", raw)
			case err != nil && !errors.Is(err, lambda.ErrInvalidResponse) && !errors.Is(err, lambda.ErrStreamDropped):
				t.Fatalf("an error matching neither ErrInvalidResponse nor ErrStreamDropped from %q: %v", raw, err)
			}
		}
	})
}
