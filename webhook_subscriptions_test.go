package lambda_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

const platformHookSecret = "whsec_9f8e7d6c5b4a3210"

func TestWebhooksCreate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		url  string
	}{
		{"https with a token in the query", "https://hooks.example.com/lambda?token=abc123"},
		{"http on 127.0.0.1", "http://127.0.0.1:9/hook"},
		{"http on localhost", "http://LOCALHOST:8080/hook"},
		{"http on ::1", "http://[::1]:8080/hook"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, srv := newSim(t)
			req := &lambda.CreateWebhookRequest{
				URL:    tt.url,
				Events: []lambda.EventType{lambda.EventInstanceCreated, lambda.EventVolumeAttached},
				Secret: lambda.NewSecret(platformHookSecret),
			}
			sub, err := client.Webhooks.Create(testCtx(t), req)
			require.NoError(t, err)

			r := platformOnlyRequest(t, srv)
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, "/v1/webhooks", r.Path)
			assert.JSONEq(t, fmt.Sprintf(`{"url":%q,"events":["instance.created","volume.attached"],"secret":%q}`,
				tt.url, platformHookSecret), string(r.Body), "the secret goes on the wire, and only there")

			assert.Regexp(t, `^wh_`, sub.ID)
			assert.Equal(t, tt.url, sub.URL)
			assert.Equal(t, []lambda.EventType{lambda.EventInstanceCreated, lambda.EventVolumeAttached}, sub.Events)
			assert.WithinDuration(t, srv.Now(), sub.CreatedAt, time.Minute)

			for _, v := range []any{req, *req, sub} {
				for how, text := range platformLeaks(t, v) {
					assert.NotContains(t, text, platformHookSecret, "%T printed with %s", v, how)
				}
			}
		})
	}
}

func TestWebhooksCreateValidates(t *testing.T) {
	t.Parallel()
	events := []lambda.EventType{lambda.EventInstanceCreated}
	secret := lambda.NewSecret(platformHookSecret)
	tests := []struct {
		name  string
		req   *lambda.CreateWebhookRequest
		field string
	}{
		{"nil request", nil, "url"},
		{"no URL", &lambda.CreateWebhookRequest{Events: events, Secret: secret}, "url"},
		{"relative URL", &lambda.CreateWebhookRequest{URL: "/hooks", Events: events, Secret: secret}, "url"},
		{"no host", &lambda.CreateWebhookRequest{URL: "https:///hooks", Events: events, Secret: secret}, "url"},
		{"port without host", &lambda.CreateWebhookRequest{URL: "https://:443/hooks", Events: events, Secret: secret}, "url"},
		{"ftp", &lambda.CreateWebhookRequest{URL: "ftp://example.com/x", Events: events, Secret: secret}, "url"},
		{"plain http remote", &lambda.CreateWebhookRequest{URL: "http://hooks.example.com/x?token=tok_777", Events: events, Secret: secret}, "url"},
		{"http on a loopback-looking name", &lambda.CreateWebhookRequest{URL: "http://localhost.example.com/x", Events: events, Secret: secret}, "url"},
		{"unparsable URL", &lambda.CreateWebhookRequest{URL: "https://exa mple.com/%zz", Events: events, Secret: secret}, "url"},
		{"no events", &lambda.CreateWebhookRequest{URL: "https://example.com/x", Secret: secret}, "events"},
		{"an empty event", &lambda.CreateWebhookRequest{URL: "https://example.com/x", Events: []lambda.EventType{"instance.created", ""}, Secret: secret}, "events"},
		{"no secret", &lambda.CreateWebhookRequest{URL: "https://example.com/x", Events: events}, "secret"},
	}
	client, srv := newSim(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := client.Webhooks.Create(context.Background(), tt.req)
			require.ErrorIs(t, err, lambda.ErrInvalidRequest)
			assert.Nil(t, sub)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			require.NotNil(t, lerr.Details)
			assert.Equal(t, tt.field, lerr.Details.Field)
			for _, text := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
				assert.NotContains(t, text, platformHookSecret)
				assert.NotContains(t, text, "tok_777", "webhook URLs may carry tokens")
			}
		})
	}
	assert.Empty(t, srv.Requests(), "nothing invalid is sent")
}

// TestWebhooksDeliverSignedEvents subscribes a real receiver and checks that
// the secret sent is the one events are signed with.
func TestWebhooksDeliverSignedEvents(t *testing.T) {
	t.Parallel()
	got := make(chan *lambda.Event, 4)
	client, srv := newSim(t)
	// The events carry the simulator's time, which need not be this
	// machine's (lambdatest.ClockOffsetEnv): the handler checks them on it.
	receiver := httptest.NewServer(lambda.WebhookHandler(platformHookSecret, func(ctx context.Context, ev *lambda.Event) error {
		got <- ev
		return nil
	}, lambda.WithWebhookClock(srv.Now)))
	t.Cleanup(receiver.Close)
	t.Cleanup(srv.Close) // runs first: it stops deliveries before the receiver goes
	ctx := testCtx(t)

	_, err := client.Webhooks.Create(ctx, &lambda.CreateWebhookRequest{
		URL: receiver.URL + "/hooks", Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret(platformHookSecret)})
	require.NoError(t, err)
	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "web", InstanceType: lambda.InstanceTypeCompute1x,
		Region: "us-west-1", Image: "ubuntu-22.04"})
	require.NoError(t, err)

	select {
	case ev := <-got:
		assert.Equal(t, lambda.EventInstanceCreated, ev.Type)
		data, err := ev.InstanceData()
		require.NoError(t, err)
		assert.Equal(t, inst.ID, data.InstanceID)
	case <-ctx.Done():
		t.Fatalf("no event delivered; deliveries: %+v", srv.Deliveries())
	}
	for _, d := range srv.Deliveries() {
		assert.Equal(t, http.StatusNoContent, d.StatusCode, "delivery refused: %+v", d)
		assert.True(t, strings.HasPrefix(d.URL, receiver.URL))
	}
}

// TestWebhooksCreateScrubsAQuotedSecret: a server that refuses the secret
// and quotes it back in error.details.value does not get it into the error.
func TestWebhooksCreateScrubsAQuotedSecret(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("POST /webhooks", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, `{"success":false,"error":{"code":"invalid_request","message":"secret too weak",
			"details":{"field":"secret","value":%q}},"metadata":{"request_id":"req_1"}}`, platformHookSecret)
	})
	_, err := client.Webhooks.Create(context.Background(), &lambda.CreateWebhookRequest{URL: "https://example.com/h",
		Events: []lambda.EventType{lambda.EventInstanceCreated}, Secret: lambda.NewSecret(platformHookSecret)})
	require.ErrorIs(t, err, lambda.ErrInvalidRequest)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "secret", lerr.Details.Field)
	assert.Nil(t, lerr.Details.Value)
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", err, *lerr, *lerr.Details), platformHookSecret)
}
