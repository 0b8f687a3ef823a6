package lambdatest_test

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

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
