package lambda_test

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

// controlBytes are the bytes no header value can carry: C0 but tab, and DEL.
func controlBytes() []byte {
	var bs []byte
	for b := byte(0); b < 0x20; b++ {
		if b != '\t' {
			bs = append(bs, b)
		}
	}
	return append(bs, 0x7f)
}

func TestOptionsThatCanNeverWorkAreRefusedWhereGiven(t *testing.T) {
	t.Parallel()
	client, srv := newSim(t)
	ctx := testCtx(t)
	for _, b := range controlBytes() {
		bad := fmt.Sprintf("λ_sk_abc%cdef", b)
		_, err := lambda.NewClient(lambda.WithAPIKey(bad), lambda.WithBaseURL(srv.BaseURL()))
		require.Error(t, err, "WithAPIKey with 0x%02X", b)
		assert.Contains(t, err.Error(), "WithAPIKey")
		assert.NotContains(t, err.Error(), bad)

		_, err = lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithAPIKeyHeader(), lambda.WithAPIKey(bad))
		require.Error(t, err, "WithAPIKey in X-API-Key with 0x%02X", b)

		_, err = lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithUserAgent(fmt.Sprintf("app/1%c", b)))
		require.Error(t, err, "WithUserAgent with 0x%02X", b)
		assert.Contains(t, err.Error(), "WithUserAgent")

		for name, opt := range map[string]lambda.RequestOption{
			"WithHeader value":   lambda.WithHeader("X-Trace", fmt.Sprintf("t%c1", b)),
			"WithHeader name":    lambda.WithHeader(fmt.Sprintf("X-Tr%cace", b), "t1"),
			"WithIdempotencyKey": lambda.WithIdempotencyKey(fmt.Sprintf("k%c1", b)),
		} {
			_, err := client.Instances.List(ctx, nil, opt)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest, "%s with 0x%02X", name, b)
			assert.Contains(t, err.Error(), name[:len("WithHeader")], name)
		}
	}
	for _, name := range []string{"X Trace", "X:Trace", "X-Träce", "(x)", "X/Y", `X"Y`, "X@Y"} {
		_, err := client.Instances.List(ctx, nil, lambda.WithHeader(name, "v"))
		require.ErrorIs(t, err, lambda.ErrInvalidRequest, "header name %q", name)
		assert.Contains(t, err.Error(), "not a valid header name", name)
	}
	assert.Empty(t, srv.Requests(), "nothing was sent")

	// Tab is a valid header byte, and keys carry non-ASCII: both pass.
	c, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithUserAgent("app/1\tbuild 7"))
	require.NoError(t, err)
	require.NotNil(t, c)
	_, err = client.Instances.List(ctx, nil, lambda.WithHeader("X-Trace!#$%&'*+-.^_`|~", "a\tb λ"))
	require.NoError(t, err)
	assert.Equal(t, "a\tb λ", lastReq(t, srv).Header.Get("X-Trace!#$%&'*+-.^_`|~"))
}

// countingTransport counts the attempts that reach net/http.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// TestErrorsOfTheClientsOwnMakingAreNotRetried: a middleware that sets a
// header value with a control byte makes every attempt unsendable;
// net/http refuses it before sending, and the call fails at once, not
// after retries with backoff. A token source handing out such a token is
// refused before net/http: the call and the metrics stream fail at once
// with ErrUnauthorized, without an attempt, a dial or a reconnect.
func TestErrorsOfTheClientsOwnMakingAreNotRetried(t *testing.T) {
	t.Parallel()
	url, served := scriptedServer(t, "/", func(int32, http.ResponseWriter, *http.Request) {})
	ct := &countingTransport{}
	badHeader := lambda.WithMiddleware(func(req *http.Request, next func(*http.Request) (*http.Response, error)) (*http.Response, error) {
		req.Header.Set("X-Trace", "a\x01b")
		return next(req)
	})
	client := newTestClient(t, url+"/v1", badHeader,
		lambda.WithHTTPClient(&http.Client{Transport: ct}), lambda.WithRetryBackoff(time.Second, time.Second))

	start := time.Now()
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "invalid header field value")
	assert.Equal(t, int32(1), ct.n.Load(), "one attempt, no retry")
	assert.Less(t, time.Since(start), 900*time.Millisecond, "no backoff slept")

	ct.n.Store(0)
	src := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok\x01en", Expiry: time.Now().Add(time.Hour)})
	client = newTestClientWith(t, lambda.WithTokenSource(src), url+"/v1",
		lambda.WithHTTPClient(&http.Client{Transport: ct}), lambda.WithRetryBackoff(time.Second, time.Second))
	start = time.Now()
	_, err = client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrUnauthorized)
	assert.Contains(t, err.Error(), "no header can carry")
	assert.Less(t, time.Since(start), 900*time.Millisecond, "no backoff slept")
	var errs int
	for _, err := range client.Instances.StreamMetrics(testCtx(t), "inst_1", fastStream) {
		require.ErrorIs(t, err, lambda.ErrUnauthorized)
		errs++
	}
	assert.Equal(t, 1, errs, "no reconnect")
	assert.Zero(t, ct.n.Load(), "no attempt, no dial")
	assert.Zero(t, served.Load(), "nothing reached the server")
}
