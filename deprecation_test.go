package lambda_test

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestDeprecationInResponseInfo: the Deprecation (RFC 9745) and Sunset
// (RFC 8594) headers of an answer land in ResponseInfo; values that do not
// parse are ignored, never trusted.
func TestDeprecationInResponseInfo(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name           string
		header         map[string]string
		wantDeprecated bool
		wantSince      time.Time
		wantSunset     time.Time
		wantLink       string
	}{
		{"none", nil, false, time.Time{}, time.Time{}, ""},
		{"RFC 9745 date", map[string]string{"Deprecation": "@1688169599"}, true,
			time.Date(2023, 6, 30, 23, 59, 59, 0, time.UTC), time.Time{}, ""},
		{"with sunset and link", map[string]string{
			"Deprecation": "@1688169599",
			"Sunset":      "Sun, 30 Jun 2024 23:59:59 GMT",
			"Link":        `<https://docs.lambda.io/v1-sunset>; rel="sunset", <https://docs.lambda.io/next>; rel="successor-version"`,
		}, true, time.Date(2023, 6, 30, 23, 59, 59, 0, time.UTC), time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC),
			"https://docs.lambda.io/v1-sunset"},
		{"an older draft's true", map[string]string{"Deprecation": "true"}, true, time.Time{}, time.Time{}, ""},
		{"an older draft's HTTP date", map[string]string{"Deprecation": "Fri, 30 Jun 2023 23:59:59 GMT"}, true,
			time.Date(2023, 6, 30, 23, 59, 59, 0, time.UTC), time.Time{}, ""},
		{"sunset alone", map[string]string{"Sunset": "Sun, 30 Jun 2024 23:59:59 GMT"}, false,
			time.Time{}, time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC), ""},
		{"sunset alone, with its link", map[string]string{
			"Sunset": "Sun, 30 Jun 2024 23:59:59 GMT",
			"Link":   `<https://docs.lambda.io/v1-sunset>; rel="sunset"`,
		}, false, time.Time{}, time.Date(2024, 6, 30, 23, 59, 59, 0, time.UTC), "https://docs.lambda.io/v1-sunset"},
		{"a link without a notice", map[string]string{"Link": `<https://docs.lambda.io/v1-sunset>; rel="sunset"`},
			false, time.Time{}, time.Time{}, ""},
		{"garbage", map[string]string{"Deprecation": "soon", "Sunset": "next year"}, false, time.Time{}, time.Time{}, ""},
		{"date out of range", map[string]string{"Deprecation": "@99999999999999999999"}, false, time.Time{}, time.Time{}, ""},
		{"a link that is not http", map[string]string{"Deprecation": "@0", "Link": `<javascript:alert(1)>; rel="deprecation"`},
			true, time.Unix(0, 0).UTC(), time.Time{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			client, mux, _ := setup(t)
			mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				writeData(w, 200, instanceJSON)
			})
			var info lambda.ResponseInfo
			_, err := client.Instances.Get(testCtx(t), "inst_1", lambda.WithResponseInfo(&info))
			require.NoError(t, err)
			assert.Equal(t, tc.wantDeprecated, info.Deprecated, "Deprecated")
			assert.True(t, tc.wantSince.Equal(info.Deprecation), "Deprecation: got %v", info.Deprecation)
			assert.True(t, tc.wantSunset.Equal(info.Sunset), "Sunset: got %v", info.Sunset)
			assert.Equal(t, tc.wantLink, info.DeprecationLink)
		})
	}
}

// logRecords parses the JSON log records written to buf so far.
func logRecords(t *testing.T, buf *syncBuffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(strings.NewReader(buf.String()))
	for dec.More() {
		var r map[string]any
		require.NoError(t, dec.Decode(&r))
		out = append(out, r)
	}
	return out
}

// TestDeprecationWarnsOncePerRoutePerClient: many concurrent calls of the
// same route, for different IDs and on errors too, give one warning; each
// other route gets its own; another client warns again. Calls without the
// headers warn nothing.
func TestDeprecationWarnsOncePerRoutePerClient(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, mux, url := setup(t, lambda.WithLogger(logger))
	deprecated := func(w http.ResponseWriter) {
		w.Header().Set("Deprecation", "@1688169599")
		w.Header().Set("Sunset", "Sun, 30 Jun 2024 23:59:59 GMT")
	}
	mux.HandleFunc("/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		deprecated(w)
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case r.PathValue("id") == "inst_gone":
			writeError(w, 404, "not_found", "Instance not found")
		default:
			writeData(w, 200, instanceJSON)
		}
	})
	mux.HandleFunc("/volumes", func(w http.ResponseWriter, r *http.Request) {
		writeData(w, 200, `[]`) // not deprecated
	})

	ctx := testCtx(t)
	var wg sync.WaitGroup
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := []string{"inst_1", "inst_2", "inst_gone"}[i%3]
			_, _ = client.Instances.Get(ctx, id)
		}()
	}
	wg.Wait()
	require.NoError(t, client.Instances.Delete(ctx, "inst_1"))
	require.NoError(t, client.Instances.Delete(ctx, "inst_2"))
	_, err := client.Volumes.List(ctx, nil)
	require.NoError(t, err)

	var routes []string
	for _, r := range logRecords(t, &logs) {
		assert.Equal(t, "WARN", r["level"])
		assert.Equal(t, "2023-06-30T23:59:59Z", r["deprecation"])
		assert.Equal(t, "2024-06-30T23:59:59Z", r["sunset"])
		routes = append(routes, r["route"].(string))
	}
	assert.ElementsMatch(t, []string{"GET /instances/{id}", "DELETE /instances/{id}"}, routes)

	// Another client has not warned yet.
	other := newTestClient(t, url+"/v1", lambda.WithLogger(logger))
	_, err = other.Instances.Get(ctx, "inst_1")
	require.NoError(t, err)
	assert.Len(t, logRecords(t, &logs), 3)
}

// TestSunsetAloneWarns: a Sunset header without a Deprecation one is a
// notice too (the route stops answering on that date): it is logged.
func TestSunsetAloneWarns(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	client, mux, _ := setup(t, lambda.WithLogger(logger))
	mux.HandleFunc("/instances/{id}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Sunset", "Sun, 30 Jun 2024 23:59:59 GMT")
		writeData(w, 200, instanceJSON)
	})
	_, err := client.Instances.Get(testCtx(t), "inst_1")
	require.NoError(t, err)
	records := logRecords(t, &logs)
	require.Len(t, records, 1)
	assert.Equal(t, "GET /instances/{id}", records[0]["route"])
	assert.Equal(t, "2024-06-30T23:59:59Z", records[0]["sunset"])
}
