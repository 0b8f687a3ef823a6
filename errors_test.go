package lambda_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

func TestErrorsAreTypedAndMatchSentinels(t *testing.T) {
	t.Parallel()
	tests := []struct {
		status   int
		code     string
		sentinel error
	}{
		{400, "invalid_request", lambda.ErrInvalidRequest},
		{401, "authentication_failed", lambda.ErrUnauthorized},
		{403, "forbidden", lambda.ErrForbidden},
		{404, "not_found", lambda.ErrNotFound},
		{409, "conflict", lambda.ErrConflict},
		{429, "rate_limit_exceeded", lambda.ErrRateLimited},
		{500, "server_error", lambda.ErrServer},
		{503, "service_unavailable", lambda.ErrUnavailable},
		{403, "quota_exceeded", lambda.ErrForbidden}, // unknown code: matched by status
		{422, "", lambda.ErrInvalidRequest},
	}
	all := []error{lambda.ErrInvalidRequest, lambda.ErrUnauthorized, lambda.ErrForbidden, lambda.ErrNotFound,
		lambda.ErrConflict, lambda.ErrRateLimited, lambda.ErrServer, lambda.ErrUnavailable, lambda.ErrInvalidResponse}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t, lambda.WithMaxRetries(0))
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				writeError(w, tt.status, tt.code, "it went wrong")
			})
			inst, err := client.Instances.Get(context.Background(), "inst_1")
			assert.Nil(t, inst, "never a nil error with a nil value, nor the reverse")
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, tt.status, lerr.HTTPStatus)
			assert.Equal(t, "it went wrong", lerr.Message)
			assert.Equal(t, "req_err", lerr.RequestID)
			for _, s := range all {
				assert.Equal(t, s == tt.sentinel, errors.Is(err, s), "errors.Is(%v)", s)
			}
		})
	}
}

func TestErrorDetailsAndMessage(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/instances", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, "POST")
		testJSONBody(t, r, `{"name":"x","instance_type":"invalid-type","region":"","image":""}`)
		w.WriteHeader(400)
		io.WriteString(w, `{"success":false,"error":{"code":"invalid_request","message":"Invalid instance type specified",
		  "details":{"field":"instance_type","value":"invalid-type","allowed_values":["compute-1x","compute-2x"]}},
		  "metadata":{"request_id":"req_xyz789","timestamp":"2026-01-24T10:30:00Z"}}`)
	})
	_, err := client.Instances.Create(context.Background(), &lambda.CreateInstanceRequest{Name: "x", InstanceType: "invalid-type"})
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	require.NotNil(t, lerr.Details)
	assert.Equal(t, "instance_type", lerr.Details.Field)
	assert.Equal(t, "invalid-type", lerr.Details.Value)
	assert.Equal(t, []string{"compute-1x", "compute-2x"}, lerr.Details.AllowedValues)
	assert.Equal(t, "lambda: 400 invalid_request: Invalid instance type specified (field instance_type; allowed: compute-1x, compute-2x) [request req_xyz789]", err.Error())
}

func TestHTMLErrorPageGivesBoundedTypedError(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t, lambda.WithMaxRetries(1))
	page := "<html><head><title>502 Bad Gateway</title></head><body>" + strings.Repeat("<p>upstream down</p>\n", 5000) + "</body></html>"
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Header().Set("X-Request-Id", "req_proxy")
		w.WriteHeader(502)
		io.WriteString(w, page)
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrServer)
	var lerr *lambda.Error
	require.ErrorAs(t, err, &lerr)
	assert.Equal(t, 502, lerr.HTTPStatus)
	assert.Equal(t, "req_proxy", lerr.RequestID)
	assert.Contains(t, lerr.Body, "502 Bad Gateway")
	assert.LessOrEqual(t, len(lerr.Body), 210)
	assert.Less(t, len(err.Error()), 400)
}

func TestSuccessResponsesThatAreNotSuccess(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
	}{
		{"200 with success false", 200, `{"success":false,"error":{"code":"not_found","message":"gone"}}`, lambda.ErrNotFound},
		{"empty 200", 200, ``, lambda.ErrInvalidResponse},
		{"truncated JSON", 200, `{"success":true,"data":{"id":"inst_1","na`, lambda.ErrInvalidResponse},
		{"wrong type", 200, `{"success":true,"data":{"id":42}}`, lambda.ErrInvalidResponse},
		{"HTML 200", 200, `<html>maintenance</html>`, lambda.ErrInvalidResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.body)
			})
			inst, err := client.Instances.Get(context.Background(), "inst_1")
			assert.Nil(t, inst)
			require.ErrorIs(t, err, tt.sentinel)
			var lerr *lambda.Error
			require.ErrorAs(t, err, &lerr)
			assert.Equal(t, 200, lerr.HTTPStatus)
		})
	}
}

func TestOversizedResponseIsRefusedNotBuffered(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"success":true,"data":{"id":"`)
		chunk := strings.Repeat("x", 1<<20)
		for range 100 { // 100 MB, unless the client hangs up first
			if _, err := io.WriteString(w, chunk); err != nil {
				return
			}
		}
	})
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.ErrorIs(t, err, lambda.ErrInvalidResponse)
	assert.Contains(t, err.Error(), "16 MiB")
}

func TestEmptyIDIsRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	sent := false
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { sent = true })
	ctx := context.Background()
	_, err1 := client.Instances.Get(ctx, "")
	_, err2 := client.Instances.Update(ctx, " ", nil)
	_, err3 := client.Instances.WaitUntilReady(ctx, "")
	for _, err := range []error{err1, err2, err3} {
		require.ErrorIs(t, err, lambda.ErrInvalidRequest)
		var lerr *lambda.Error
		require.ErrorAs(t, err, &lerr)
		assert.Equal(t, 0, lerr.HTTPStatus)
		assert.Equal(t, "id", lerr.Details.Field)
	}
	assert.False(t, sent)
}

func TestPathParametersAreEscaped(t *testing.T) {
	t.Parallel()
	client, mux, _ := setup(t)
	var got string
	mux.HandleFunc("/instances/", func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.EscapedPath()
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(context.Background(), "inst_λ:1&x=y")
	require.NoError(t, err)
	assert.Equal(t, "/instances/inst_%CE%BB:1&x=y", got)
}

func TestResponseShapesOfOlderRoutes(t *testing.T) {
	t.Parallel()
	tests := map[string]string{
		"bare":   instanceJSON,
		"status": `{"status":"success","data":` + instanceJSON + `}`,
	}
	for name, body := range tests {
		client, mux, _ := setup(t)
		mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
		inst, err := client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err, name)
		assert.Equal(t, "inst_abc123", inst.ID, name)
		assert.Equal(t, lambda.InstanceStatusRunning, inst.Status, name)
	}
}
