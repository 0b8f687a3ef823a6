package lambda_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
	"github.com/lambda/lambda-go/lambdatest"
)

// withBodySignature signs signed and adds the signature as the body's last
// member, as lambdatest.WithWebhookSignatureInBody does.
func withBodySignature(signed []byte, secret string) []byte {
	return append(bytes.Clone(signed[:len(signed)-1]), `,"signature":"`+hmacSign(signed, secret)+`"}`...)
}

// TestConstructEventSignatureInTheBody: with no header, the body's own
// "signature" member is checked, over the body without that member.
func TestConstructEventSignatureInTheBody(t *testing.T) {
	t.Parallel()
	signed := []byte(`{"id":"evt_abc123","type":"instance.created","timestamp":"` + testNow.Format("2006-01-02T15:04:05Z07:00") +
		`","data":{"instance_id":"inst_abc123","signature":"not this one"}}`)
	pretty := []byte("{\n  \"id\": \"evt_1\",\n  \"type\": \"instance.created\",\n  \"timestamp\": \"" +
		testNow.Format("2006-01-02T15:04:05Z07:00") + "\",\n  \"data\": {}\n}")
	sigPretty := hmacSign(pretty, testSecret)
	first := append([]byte(`{"signature":"`+hmacSign(signed, testSecret)+`",`), signed[1:]...)
	opts := []lambda.WebhookOption{lambda.WithWebhookClock(func() time.Time { return testNow })}
	tests := []struct {
		name string
		body []byte
		want error
	}{
		{"last member", withBodySignature(signed, testSecret), nil},
		{"first member", first, nil},
		{"pretty printed", []byte(strings.Replace(string(pretty), "{}\n}", "{},\n  \"signature\": \""+sigPretty+"\"\n}", 1)), nil},
		{"another secret", withBodySignature(signed, "other"), lambda.ErrWebhookInvalidSignature},
		{"data changed after signing", bytes.Replace(withBodySignature(signed, testSecret), []byte("inst_abc123"), []byte("inst_evil00"), 1), lambda.ErrWebhookInvalidSignature},
		{"only a nested signature", signed, lambda.ErrWebhookNotSigned},
		{"two signature members", append(withBodySignature(signed, testSecret)[:len(withBodySignature(signed, testSecret))-1], `,"signature":"x"}`...), lambda.ErrWebhookNotSigned},
		{"signature not a string", []byte(`{"id":"evt_1","type":"instance.created","signature":7}`), lambda.ErrWebhookNotSigned},
		{"not an object", []byte(`["signature","sha256=00"]`), lambda.ErrWebhookNotSigned},
		{"trailing bytes", append(withBodySignature(signed, testSecret), "{}"...), lambda.ErrWebhookNotSigned},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ev, err := lambda.ConstructEvent(tc.body, "", testSecret, opts...)
			if tc.want != nil {
				require.ErrorIs(t, err, tc.want)
				assert.NotContains(t, err.Error(), testSecret)
				return
			}
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(ev.Signature, "sha256="), "Event.Signature keeps the body's field: %q", ev.Signature)
		})
	}
	// A header, when there is one, decides: the body's field is kept, not checked.
	ev, err := lambda.ConstructEvent(validBody, hmacSign(validBody, testSecret), testSecret, opts...)
	require.NoError(t, err)
	assert.Equal(t, "sha256=...", ev.Signature)
}

// TestWebhookHandlerSignatureHeaderOption: the handler reads the header it
// is told to, and falls back to the body's signature without it.
func TestWebhookHandlerSignatureHeaderOption(t *testing.T) {
	t.Parallel()
	clock := lambda.WithWebhookClock(func() time.Time { return testNow })
	tests := []struct {
		name   string
		opts   []lambda.WebhookOption
		header string
		body   []byte
		want   int
	}{
		{"default header", nil, lambda.SignatureHeader, validBody, http.StatusNoContent},
		{"custom header", []lambda.WebhookOption{lambda.WithWebhookSignatureHeader("x-hub-signature-256")}, "X-Hub-Signature-256", validBody, http.StatusNoContent},
		{"default header ignored once another is named", []lambda.WebhookOption{lambda.WithWebhookSignatureHeader("X-Sig")}, lambda.SignatureHeader, validBody, http.StatusUnauthorized},
		{"no header, signature in the body", nil, "", nil, http.StatusNoContent},
		{"bad header name", []lambda.WebhookOption{lambda.WithWebhookSignatureHeader("X Sig:")}, lambda.SignatureHeader, validBody, http.StatusInternalServerError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := tc.body
			if body == nil {
				body = withBodySignature([]byte(`{"id":"evt_2","type":"instance.created","timestamp":"`+
					testNow.Format(time.RFC3339)+`","data":{}}`), testSecret)
			}
			var got *lambda.Event
			h := lambda.WebhookHandler(testSecret, func(ctx context.Context, ev *lambda.Event) error {
				got = ev
				return nil
			}, append([]lambda.WebhookOption{clock, lambda.WithWebhookErrorLog(slog.New(slog.NewTextHandler(io.Discard, nil)))}, tc.opts...)...)
			req := httptest.NewRequest(http.MethodPost, "/hooks", bytes.NewReader(body))
			if tc.header != "" {
				req.Header.Set(tc.header, hmacSign(body, testSecret))
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			assert.Equal(t, tc.want, rec.Code, rec.Body.String())
			if tc.want == http.StatusNoContent {
				require.NotNil(t, got)
				assert.NotEmpty(t, got.Signature)
			}
		})
	}
}

// TestWebhooksDeliveredWithTheSignatureInTheBody: the simulator signs as
// the API overview shows (in the body, no header), and the handler accepts it.
func TestWebhooksDeliveredWithTheSignatureInTheBody(t *testing.T) {
	t.Parallel()
	got := make(chan *lambda.Event, 4)
	client, srv := newSim(t, lambdatest.WithWebhookSignatureInBody())
	receiver := httptest.NewServer(lambda.WebhookHandler(platformHookSecret, func(ctx context.Context, ev *lambda.Event) error {
		got <- ev
		return nil
	}, lambda.WithWebhookClock(srv.Now)))
	t.Cleanup(receiver.Close)
	t.Cleanup(srv.Close)
	ctx := testCtx(t)
	_, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{
		URL: receiver.URL + "/hooks", Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret(platformHookSecret)})
	require.NoError(t, err)
	_, err = client.Instances.Create(ctx, createReq)
	require.NoError(t, err)
	select {
	case ev := <-got:
		assert.Equal(t, lambda.EventInstanceCreated, ev.Type)
		assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, ev.Signature)
	case <-ctx.Done():
		t.Fatalf("no event delivered; deliveries: %+v", srv.Deliveries())
	}
}
