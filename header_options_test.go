package lambda_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestWithHeaderRefusesHeadersTheClientOwns: a header the client or
// net/http sets itself is refused by WithHeader, on a call and on
// NewClient, before anything is sent, naming it and what to use instead.
// net/http silently ignored Host, Content-Length and Transfer-Encoding;
// User-Agent replaced the one the contract requires (lambda-go/<version>
// …, a suffix goes through WithUserAgent); Content-Type and Accept said the
// JSON the client sends and reads was something else; Accept-Encoding
// turned off net/http's transparent decompression, so a compressed answer
// could not be read. Other headers are sent as given.
func TestWithHeaderRefusesHeadersTheClientOwns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value string
		hint        string // in the message
	}{
		{"Host", "evil.example.com", "net/http"},
		{"content-length", "5", "net/http"},
		{"Transfer-Encoding", "chunked", "net/http"},
		{"User-Agent", "mine/1.0", "WithUserAgent"},
		{"Content-Type", "text/plain", "JSON"},
		{"Accept", "text/html", "JSON"},
		{"Accept-Encoding", "gzip", "decompress"},
	}
	client, srv := newSim(t)
	ctx := testCtx(t)
	for _, tt := range tests {
		_, err := client.Account.Get(ctx, lambda.WithHeader(tt.name, tt.value))
		assertRefused(t, tt.name, err)
		var lerr *lambda.Error
		if assert.ErrorAs(t, err, &lerr, tt.name) && assert.NotNil(t, lerr.Details, tt.name) {
			assert.Equal(t, tt.name, lerr.Details.Field, tt.name)
		}
		assert.Contains(t, err.Error(), tt.hint, tt.name)

		c, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithHeader(tt.name, tt.value))
		assert.Nil(t, c, tt.name)
		assertRefused(t, tt.name+" on NewClient", err)
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")

	for _, h := range [][2]string{{"X-Trace-Id", "abc"}, {"Connection", "close"}, {"Accept-Language", "de"}} {
		_, err := client.Account.Get(ctx, lambda.WithHeader(h[0], h[1]))
		require.NoError(t, err, h[0])
		reqs := platformRequests(srv, http.MethodGet, "/v1/account")
		assert.Equal(t, h[1], reqs[len(reqs)-1].Header.Get(h[0]), "%s is sent as given", h[0])
	}
}
