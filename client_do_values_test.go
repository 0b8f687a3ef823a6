package lambda_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestClientDoOutOfEveryKind: whatever Do is handed to decode into, the
// answer's data reaches it or the call is refused with ErrInvalidRequest
// before anything is sent; never a success whose data went nowhere. Each
// shape of answer is tried, since each decodes its own way.
func TestClientDoOutOfEveryKind(t *testing.T) {
	t.Parallel()
	answers := map[string]string{
		"canonical": `{"success":true,"data":` + instanceJSON + `}`,
		"status":    `{"status":"success","data":` + instanceJSON + `}`,
		"bare":      instanceJSON,
	}
	var nilInst *lambda.Instance
	refused := map[string]any{
		"struct value":      lambda.Instance{},
		"typed nil pointer": nilInst,
		"map value":         map[string]any{},
		"string":            "out",
		"int":               42,
	}
	for shape, body := range answers {
		for name, out := range refused {
			t.Run(shape+"/"+name, func(t *testing.T) {
				t.Parallel()
				client, served := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
					io.WriteString(w, body)
				}))
				err := client.Do(testCtx(t), "POST", "/instances", map[string]string{"name": "web"}, out)
				assertRefused(t, name, err)
				assert.Contains(t, err.Error(), "out", "the error names the argument")
				assert.Zero(t, served.Load(), "a create whose answer could go nowhere was sent")
			})
		}
		t.Run(shape+"/decoded", func(t *testing.T) {
			t.Parallel()
			client, _ := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, body)
			}))
			ctx := testCtx(t)
			var inst lambda.Instance
			require.NoError(t, client.Do(ctx, "GET", "/instances/inst_abc123", nil, &inst))
			assert.Equal(t, "inst_abc123", inst.ID)

			var anything any
			require.NoError(t, client.Do(ctx, "GET", "/instances/inst_abc123", nil, &anything))
			assert.Equal(t, "inst_abc123", anything.(map[string]any)["id"])

			var raw json.RawMessage
			require.NoError(t, client.Do(ctx, "GET", "/instances/inst_abc123", nil, &raw))
			assert.Contains(t, string(raw), `"inst_abc123"`)

			m := map[string]any{}
			require.NoError(t, client.Do(ctx, "GET", "/instances/inst_abc123", nil, &m))
			assert.Equal(t, "inst_abc123", m["id"])

			pinst := new(lambda.Instance)
			require.NoError(t, client.Do(ctx, "GET", "/instances/inst_abc123", nil, &pinst), "a pointer to a pointer")
			assert.Equal(t, "inst_abc123", pinst.ID)
		})
	}
}

// TestClientDoBodyOfEveryKind: a body is sent as the JSON it stands for, or
// refused before sending; never mangled (a []byte of JSON as base64, a
// reader as {}) or dropped. A reader is refused: a retry could not read it
// again, and json.RawMessage says the same thing plainly.
func TestClientDoBodyOfEveryKind(t *testing.T) {
	t.Parallel()
	const doc = `{"name":"web","tags":{"a":"b&c"}}`
	var nilReq *lambda.CreateInstanceRequest
	sent := []struct {
		name string
		body any
		want string
	}{
		{"json.RawMessage", json.RawMessage(doc), doc},
		{"map", map[string]any{"name": "web", "tags": map[string]string{"a": "b&c"}}, doc},
		{"struct pointer", &lambda.UpdateInstanceRequest{Name: lambda.Ptr("web"), Tags: &map[string]string{"a": "b&c"}}, doc},
		{"[]byte of JSON", []byte(doc), doc},
	}
	for _, tt := range sent {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			client, _ := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				got = append(got, string(b))
				if len(got) == 1 {
					w.WriteHeader(http.StatusServiceUnavailable) // the body must survive a retry too
					return
				}
				io.WriteString(w, `{"success":true,"data":{"ok":true}}`)
			}))
			require.NoError(t, client.Do(testCtx(t), "POST", "/things", tt.body, nil))
			require.Len(t, got, 2)
			for _, g := range got {
				assert.JSONEq(t, tt.want, g)
			}
		})
	}
	refused := []struct {
		name string
		body any
	}{
		{"[]byte not JSON", []byte("name=web")},
		{"io.Reader of JSON", strings.NewReader(doc)}, // a retry could not read it again
		{"*bytes.Buffer of JSON", bytes.NewBufferString(doc)},
		{"json.RawMessage not JSON", json.RawMessage("{")},
		{"typed nil pointer", nilReq},
		{"nil []byte", []byte(nil)}, // json.Marshal would send null
		{"empty []byte", []byte{}},
		{"nil json.RawMessage", json.RawMessage(nil)},
		{"a func", func() {}},
		{"a channel", make(chan int)},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			client, served := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, _ *http.Request) {
				io.WriteString(w, `{"success":true,"data":{}}`)
			}))
			err := client.Do(testCtx(t), "POST", "/things", tt.body, nil)
			assertRefused(t, tt.name, err)
			assert.Zero(t, served.Load(), "nothing was sent")
		})
	}
}

// TestClientDoChecksResourcesAsMethodsDo: Do into a resource type of the
// SDK refuses the half-filled answer the service method refuses, for one
// resource and for each item of a list; into a type of the caller's own
// it decodes what came.
func TestClientDoChecksResourcesAsMethodsDo(t *testing.T) {
	t.Parallel()
	client, _ := scriptedAPI(t, "/", always(func(_ int32, w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/instances" {
			writeData(w, http.StatusOK, `[{"id":"inst_1"},{"name":"no id"}]`)
			return
		}
		writeData(w, http.StatusOK, `{"name":"no id","status":"running"}`)
	}))
	ctx := testCtx(t)
	var inst lambda.Instance
	assert.ErrorIs(t, client.Do(ctx, "GET", "/instances/inst_1", nil, &inst), lambda.ErrInvalidResponse)
	var list []lambda.Instance
	assert.ErrorIs(t, client.Do(ctx, "GET", "/instances", nil, &list), lambda.ErrInvalidResponse)
	var usage lambda.Usage
	assert.ErrorIs(t, client.Do(ctx, "GET", "/billing/usage", nil, &usage), lambda.ErrInvalidResponse)

	var own struct {
		Name string `json:"name"`
	}
	require.NoError(t, client.Do(ctx, "GET", "/instances/inst_1", nil, &own))
	assert.Equal(t, "no id", own.Name)
	var ownList []map[string]any
	require.NoError(t, client.Do(ctx, "GET", "/instances", nil, &ownList))
	assert.Len(t, ownList, 2)
}
