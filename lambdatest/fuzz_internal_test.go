package lambdatest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// hangBound is how long FuzzServe waits for an answer: generous, since a
// handler takes microseconds.
const hangBound = 5 * time.Second

// FuzzServe drives the whole pipeline (routing, authentication, the
// contract, idempotency, every handler) with arbitrary methods, paths,
// queries, bodies and keys, in the default and the strict mode. It calls
// the server's handler directly, so a panic fails the fuzzer instead of
// being swallowed by net/http. Every answer is a real status, and every
// error is the API's envelope with a code and the request ID. The seeds
// are every operation of the contract, with and without a plausible body.
func FuzzServe(f *testing.F) {
	contract, err := LoadContract()
	if err != nil {
		f.Fatal(err)
	}
	bodies := []string{"", "{}", `{"name":"x","instance_type":"compute-2x","region":"us-west-1","image":"ubuntu-22.04"}`,
		`{"size_gb":10.0,"name":"v","region":"us-west-1"}`, `{"instance_id":"inst_x"}`, `[1,2]`, `{"name":null}`, "\xff"}
	for _, op := range contract.Operations() {
		path := "/v1" + strings.NewReplacer("{id}", "x", "{workload_id}", "w").Replace(op.Path)
		for _, b := range bodies {
			f.Add(op.Method, path, "page=1&limit=2&sort=name", b, DefaultAPIKey, false)
		}
	}
	f.Add("GET", "/v1/instances/%2e%2e/network", "page=99999999999&limit=-1", "", DefaultAPIKey, true)
	f.Add("POST", "/v2/oauth/token", "", "grant_type=client_credentials", "", false)
	f.Add("PATCH", "/v1/instances/inst_1", "", `{"name":"`+strings.Repeat("n", 300)+`"}`, "k", true)

	servers := map[bool]*Server{false: NewServer(WithOAuthClient("c", "s")), true: NewServer(WithStrictRequests())}
	f.Cleanup(func() {
		for _, s := range servers {
			s.Close()
		}
	})
	f.Fuzz(func(t *testing.T, method, path, query, body, key string, strict bool) {
		req, err := http.NewRequest(method, "http://sim"+path, strings.NewReader(body))
		if err != nil || req.URL.Path == "" || !strings.HasPrefix(req.URL.Path, "/") {
			return // net/http would have refused it before any handler
		}
		req.URL.RawQuery = query
		req.Header.Set("Content-Type", "application/json")
		if key != "" {
			req.Header.Set("Authorization", "Bearer "+key)
		}
		if method == http.MethodPost {
			req.Header.Set("Idempotency-Key", "fuzz-"+key)
		}
		rec := httptest.NewRecorder()
		done := make(chan struct{})
		go func() {
			defer close(done)
			servers[strict].serveHTTP(rec, req)
		}()
		select {
		case <-done:
		case <-time.After(hangBound):
			buf := make([]byte, 1<<20)
			t.Fatalf("%s %q?%q body %q key %q: no answer after %v\n%s", method, path, query, body, key, hangBound,
				buf[:runtime.Stack(buf, true)])
		}

		if rec.Code < 100 || rec.Code > 599 {
			t.Fatalf("status %d", rec.Code)
		}
		if rec.Code < 400 || strings.HasPrefix(req.URL.Path, AdminPrefix) {
			return
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Fatalf("%d without X-Request-Id", rec.Code)
		}
		if isTokenPath(req.URL.EscapedPath()) {
			return // RFC 6749's error shape, not the API's
		}
		var env struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &env) != nil || env.Error.Code == "" {
			t.Fatalf("%s %s?%s: %d not in the envelope: %q", method, path, query, rec.Code, rec.Body.String())
		}
	})
}
