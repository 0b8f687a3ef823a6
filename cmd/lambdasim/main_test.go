package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	lambda "github.com/lambda/lambda-go"
)

// binary is lambdasim, built once for every test of the package.
var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "lambdasim-test")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "lambdasim")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = &buildError{out: string(out), err: err}
		}
	})
	require.NoError(t, buildErr)
	return binPath
}

type buildError struct {
	out string
	err error
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// sim is a running lambdasim process and what it printed at start.
type sim struct {
	cmd    *exec.Cmd
	env    map[string]string
	stderr *lockedBuffer
	done   chan error
}

// startSim runs the binary with args on a free loopback port and waits for
// its KEY=value lines.
func startSim(t *testing.T, args ...string) *sim {
	t.Helper()
	cmd := exec.Command(buildBinary(t), append([]string{"-addr", "127.0.0.1:0", "-transition-delay", "20ms"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	s := &sim{cmd: cmd, env: map[string]string{}, stderr: &lockedBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = s.stderr
	require.NoError(t, cmd.Start())
	go func() { s.done <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-s.done
	})

	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	timeout := time.After(30 * time.Second)
	for s.env["LAMBDASIM_ADMIN_TOKEN"] == "" || (contains(args, "-tls") && s.env["LAMBDASIM_CA_CERT"] == "") {
		select {
		case line, ok := <-lines:
			require.True(t, ok, "lambdasim exited early: %s", s.stderr.String())
			if k, v, ok := strings.Cut(line, "="); ok {
				s.env[k] = v
			}
		case <-timeout:
			t.Fatalf("lambdasim printed no admin token: %s", s.stderr.String())
		}
	}
	go func() {
		for range lines { // keep the pipe drained
		}
	}()
	return s
}

// httptestServer starts a loopback receiver for the test and returns its URL.
func httptestServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// call sends a request with a JSON body (if any) and returns the status
// and the decoded JSON answer.
func call(t *testing.T, hc *http.Client, method, url, auth, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	require.NoError(t, err)
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	var out map[string]any
	if len(bytes.TrimSpace(raw)) > 0 && raw[0] == '{' {
		require.NoError(t, json.Unmarshal(raw, &out), "%s", raw)
	}
	return resp.StatusCode, out
}

func TestLambdasimOverPlainHTTP(t *testing.T) {
	t.Parallel()
	s := startSim(t, "-clock", "2031-05-06T07:08:09Z")
	base, key, admin := s.env["LAMBDA_BASE_URL"], s.env["LAMBDA_API_KEY"], s.env["LAMBDASIM_ADMIN_TOKEN"]
	require.True(t, strings.HasSuffix(base, "/v1"), base)
	root := strings.TrimSuffix(base, "/v1")
	hc := &http.Client{Timeout: 10 * time.Second}

	// The API overview's create, as its curl sends it: no Idempotency-Key.
	status, out := call(t, hc, "POST", base+"/instances", key,
		`{"name":"my-api-instance","instance_type":"compute-4x","region":"us-west-1","image":"ubuntu-22.04","ssh_keys":["key_abc123"]}`)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	inst := out["data"].(map[string]any)
	id := inst["id"].(string)
	assert.True(t, strings.HasPrefix(inst["created_at"].(string), "2031-05-06T07:"), "the clock flag: %v", inst["created_at"])

	// The admin API wants its own token, and the API does not take it.
	status, _ = call(t, hc, "GET", root+"/_lambdasim/health", "", "")
	assert.Equal(t, http.StatusUnauthorized, status)
	status, _ = call(t, hc, "GET", root+"/_lambdasim/health", key, "")
	assert.Equal(t, http.StatusUnauthorized, status, "an API key is not an admin token")
	status, _ = call(t, hc, "GET", base+"/instances", "λ_sk_...", "")
	assert.Equal(t, http.StatusOK, status, "the documentation's placeholder key works")
	status, _ = call(t, hc, "GET", base+"/instances", "", "")
	assert.Equal(t, http.StatusUnauthorized, status, "a key is still needed")
	status, out = call(t, hc, "GET", root+"/_lambdasim/health", admin, "")
	require.Equal(t, http.StatusOK, status)
	assert.Equal(t, base, out["base_url"])

	// Faults.
	status, _ = call(t, hc, "POST", root+"/_lambdasim/faults", admin, `{"method":"GET","path":"/v1/instances/*","status":503,"times":1}`)
	require.Equal(t, http.StatusNoContent, status)
	status, _ = call(t, hc, "GET", base+"/instances/"+id, key, "")
	assert.Equal(t, http.StatusServiceUnavailable, status)
	status, _ = call(t, hc, "GET", base+"/instances/"+id, key, "")
	assert.Equal(t, http.StatusOK, status, "the fault hit once")
	status, _ = call(t, hc, "POST", root+"/_lambdasim/faults", admin, `{"status":500,"times":-1}`)
	require.Equal(t, http.StatusNoContent, status)
	status, _ = call(t, hc, "DELETE", root+"/_lambdasim/faults", admin, "")
	require.Equal(t, http.StatusNoContent, status)
	status, _ = call(t, hc, "GET", base+"/instances/"+id, key, "")
	assert.Equal(t, http.StatusOK, status, "faults cleared")
	status, _ = call(t, hc, "POST", root+"/_lambdasim/faults", admin, `{"delay":"soon"}`)
	assert.Equal(t, http.StatusBadRequest, status)

	// Status, clock, request log, seed, reset.
	status, _ = call(t, hc, "PUT", root+"/_lambdasim/status/instances/"+id, admin, `{"status":"error"}`)
	require.Equal(t, http.StatusNoContent, status)
	_, out = call(t, hc, "GET", base+"/instances/"+id, key, "")
	assert.Equal(t, "error", out["data"].(map[string]any)["status"])
	status, _ = call(t, hc, "PUT", root+"/_lambdasim/status/instances/inst_nope", admin, `{"status":"error"}`)
	assert.Equal(t, http.StatusNotFound, status)

	status, out = call(t, hc, "POST", root+"/_lambdasim/clock/advance", admin, `{"by":"48h"}`)
	require.Equal(t, http.StatusOK, status, "%v", out)
	assert.True(t, strings.HasPrefix(out["now"].(string), "2031-05-08T07:"), "%v", out["now"])
	status, out = call(t, hc, "PUT", root+"/_lambdasim/clock", admin, `{"now":"2040-01-01T00:00:00Z"}`)
	require.Equal(t, http.StatusOK, status)
	assert.True(t, strings.HasPrefix(out["now"].(string), "2040-01-01T00:00:0"), "%v", out["now"])

	status, out = call(t, hc, "GET", root+"/_lambdasim/requests", admin, "")
	require.Equal(t, http.StatusOK, status)
	reqs := out["requests"].([]any)
	require.NotEmpty(t, reqs)
	first := reqs[0].(map[string]any)
	assert.Equal(t, "/v1/instances", first["path"])
	logged, _ := json.Marshal(reqs)
	assert.NotContains(t, string(logged), key, "the request log redacts credentials")

	status, out = call(t, hc, "POST", root+"/_lambdasim/seed", admin, `{"instances":3,"functions":[{"name":"fn"}]}`)
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, out["instances"], 3)
	_, out = call(t, hc, "GET", base+"/instances", key, "")
	assert.Len(t, out["data"], 4)

	status, _ = call(t, hc, "POST", root+"/_lambdasim/reset", admin, "")
	require.Equal(t, http.StatusNoContent, status)
	_, out = call(t, hc, "GET", base+"/instances", key, "")
	assert.Empty(t, out["data"], "the world is reset")
	status, _ = call(t, hc, "GET", base+"/instances/"+id, key, "")
	assert.Equal(t, http.StatusNotFound, status)

	status, _ = call(t, hc, "POST", root+"/_lambdasim/streams/drop", admin, "")
	assert.Equal(t, http.StatusNoContent, status)

	status, _ = call(t, hc, "POST", root+"/_lambdasim/transitions/pause", admin, "")
	require.Equal(t, http.StatusNoContent, status)
	status, out = call(t, hc, "POST", base+"/instances", key, `{"name":"held","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`)
	require.Equal(t, http.StatusCreated, status)
	held := out["data"].(map[string]any)["id"].(string)
	time.Sleep(300 * time.Millisecond) // well past the server's transition delay
	_, out = call(t, hc, "GET", base+"/instances/"+held, key, "")
	assert.Contains(t, []any{"pending", "provisioning"}, out["data"].(map[string]any)["status"], "it moved while paused")
	status, _ = call(t, hc, "POST", root+"/_lambdasim/transitions/resume", admin, "")
	assert.Equal(t, http.StatusNoContent, status)
	status, _ = call(t, hc, "GET", root+"/_lambdasim/openapi.yaml", admin, "")
	assert.Equal(t, http.StatusOK, status)
	status, _ = call(t, hc, "GET", root+"/_lambdasim/nope", admin, "")
	assert.Equal(t, http.StatusNotFound, status)
}

func TestLambdasimNamedKeys(t *testing.T) {
	t.Parallel()
	s := startSim(t, "-api-key", "λ_sk_one", "-api-key", "λ_sk_two")
	base, admin := s.env["LAMBDA_BASE_URL"], s.env["LAMBDASIM_ADMIN_TOKEN"]
	assert.Equal(t, "λ_sk_one", s.env["LAMBDA_API_KEY"])
	hc := &http.Client{Timeout: 10 * time.Second}
	for key, want := range map[string]int{"λ_sk_one": 200, "λ_sk_two": 200, "λ_sk_...": 401, admin: 401} {
		status, _ := call(t, hc, "GET", base+"/instances", key, "")
		assert.Equal(t, want, status, "key %q", key)
	}
}

// The token endpoint of a registered OAuth client, over plain HTTP.
func TestLambdasimOAuthClient(t *testing.T) {
	t.Parallel()
	s := startSim(t, "-oauth-client", "app:s3cret")
	root := strings.TrimSuffix(s.env["LAMBDA_BASE_URL"], "/v1")
	resp, err := http.PostForm(root+"/v1/oauth/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s3cret"}})
	require.NoError(t, err)
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int    `json:"expires_in"`
	}
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	assert.NotEmpty(t, tok.AccessToken)
	assert.Equal(t, 30*24*3600, tok.ExpiresIn)

	s = startSim(t, "-oauth-client", "app:s3cret", "-token-lifetime", "1h")
	root = strings.TrimSuffix(s.env["LAMBDA_BASE_URL"], "/v1")
	resp, err = http.PostForm(root+"/v1/oauth/token", map[string][]string{
		"grant_type": {"client_credentials"}, "client_id": {"app"}, "client_secret": {"s3cret"}})
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&tok))
	assert.Equal(t, 3600, tok.ExpiresIn, "-token-lifetime")
}

// The flags that shape the simulator, each seen on the wire: -strict
// refuses a POST without Idempotency-Key, -seed-shapes answers GET
// /functions as a bare array, -seed-instances creates running instances,
// and -log-format json logs each request as a JSON line.
func TestLambdasimShapingFlags(t *testing.T) {
	t.Parallel()
	s := startSim(t, "-strict", "-seed-shapes", "-seed-instances", "2", "-log-format", "json", "-log-level", "debug")
	base, key := s.env["LAMBDA_BASE_URL"], s.env["LAMBDA_API_KEY"]
	hc := &http.Client{Timeout: 10 * time.Second}
	status, out := call(t, hc, "GET", base+"/instances", key, "")
	require.Equal(t, http.StatusOK, status)
	assert.Len(t, out["data"], 2, "-seed-instances")
	status, out = call(t, hc, "POST", base+"/instances", key, `{"name":"w","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`)
	assert.Equal(t, http.StatusBadRequest, status, "-strict wants an Idempotency-Key: %v", out)

	req, err := http.NewRequest("GET", base+"/functions", nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := hc.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "[]", strings.TrimSpace(string(raw)), "-seed-shapes: a bare array")
	require.Eventually(t, func() bool { return strings.Contains(s.stderr.String(), `"path":"/v1/functions"`) },
		10*time.Second, 10*time.Millisecond, "-log-format json: %s", s.stderr.String())
}

// -h prints the flags and exits 0: asking for help is not an error.
func TestLambdasimHelp(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	cmd := exec.Command(buildBinary(t), "-h")
	cmd.Stderr = &stderr
	require.NoError(t, cmd.Run(), "%s", stderr.String())
	assert.Contains(t, stderr.String(), "-webhook-signature-in-body")
}

// -webhook-signature-in-body signs events in the body's "signature"
// member, as the API documentation's payload shows, not in the header.
func TestLambdasimSignatureInBody(t *testing.T) {
	t.Parallel()
	got := make(chan *http.Request, 1)
	bodies := make(chan []byte, 1)
	recv := httptestServer(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		select {
		case got <- r:
			bodies <- b
		default:
		}
	})
	s := startSim(t, "-webhook-signature-in-body")
	base, key := s.env["LAMBDA_BASE_URL"], s.env["LAMBDA_API_KEY"]
	hc := &http.Client{Timeout: 10 * time.Second}
	status, out := call(t, hc, "POST", base+"/webhooks", key, `{"url":"`+recv+`","events":["instance.created"],"secret":"whsec"}`)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	status, out = call(t, hc, "POST", base+"/instances", key, `{"name":"w","instance_type":"compute-1x","region":"us-west-1","image":"ubuntu-22.04"}`)
	require.Equal(t, http.StatusCreated, status, "%v", out)
	select {
	case r := <-got:
		body := <-bodies
		assert.Empty(t, r.Header.Get(lambda.SignatureHeader), "the signature is in the body")
		var ev map[string]any
		require.NoError(t, json.Unmarshal(body, &ev))
		assert.Regexp(t, `^sha256=[0-9a-f]{64}$`, ev["signature"])
	case <-time.After(20 * time.Second):
		t.Fatal("no event delivered")
	}
}

func TestLambdasimWithTheSDKOverTLS(t *testing.T) {
	t.Parallel()
	s := startSim(t, "-tls", "-cert-dir", t.TempDir())
	pemBytes, err := os.ReadFile(s.env["LAMBDASIM_CA_CERT"])
	require.NoError(t, err)
	pool := x509.NewCertPool()
	require.True(t, pool.AppendCertsFromPEM(pemBytes))
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	require.True(t, strings.HasPrefix(s.env["LAMBDA_BASE_URL"], "https://"))

	client, err := lambda.NewClient(lambda.WithBaseURL(s.env["LAMBDA_BASE_URL"]), lambda.WithAPIKey(s.env["LAMBDA_API_KEY"]),
		lambda.WithHTTPClient(hc))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inst, err := client.Instances.Create(ctx, &lambda.CreateInstanceRequest{Name: "sdk", InstanceType: "compute-4x",
		Region: "us-west-1", Image: "ubuntu-22.04", SSHKeys: []string{"key_abc123"}})
	require.NoError(t, err)
	inst, err = client.Instances.WaitUntilReady(ctx, inst.ID)
	require.NoError(t, err)
	assert.Equal(t, "running", string(inst.Status))
}

func TestLambdasimStopsOnSignals(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGINT or SIGTERM to send on Windows")
	}
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			t.Parallel()
			s := startSim(t)
			require.NoError(t, s.cmd.Process.Signal(sig))
			select {
			case err := <-s.done:
				s.done <- err // for the cleanup
				require.NoError(t, err, "a clean stop exits 0: %s", s.stderr.String())
				assert.Contains(t, s.stderr.String(), "stopping")
			case <-time.After(20 * time.Second):
				t.Fatal("lambdasim did not stop")
			}
		})
	}
}

func TestLambdasimRefusesBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-plan", "gold"}, {"-clock", "tomorrow"}, {"-log-format", "xml"}, {"-transition-delay", "0s"},
		{"-rate-limit", "-1"}, {"extra"}, {"-log-level", "loud"}, {"-addr", "256.0.0.1:1"}, {"-oauth-client", "nosecret"}, {"-token-lifetime", "-1h"},
		// Careless values, as from an unset environment variable: an empty
		// -addr listened on every interface, an empty -api-key accepted no
		// key at all, a negative count was ignored.
		{"-addr", ""}, {"-api-key", ""}, {"-api-key", " "}, {"-seed-instances", "-1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			t.Parallel()
			var stderr lockedBuffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // were it to start, it would stop at once
			// A free port first, so that a flag the test means to be wrong
			// is refused for itself, not because the default port is taken.
			err := run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, &stderr)
			require.Error(t, err)
		})
	}
}

// An address that is not loopback is served, since it was asked for, but
// with a warning: any API key is accepted by default.
func TestLambdasimWarnsOffLoopback(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		addr string
		warn bool
	}{
		{"127.0.0.1:0", false},
		{"localhost:0", false},
		{"[::1]:0", false},
		{":0", true},
		{"0.0.0.0:0", true},
	} {
		t.Run(tc.addr, func(t *testing.T) {
			t.Parallel()
			var stderr lockedBuffer
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			if err := run(ctx, []string{"-addr", tc.addr}, io.Discard, &stderr); err != nil {
				t.Skipf("cannot listen on %s here: %v", tc.addr, err)
			}
			if tc.warn {
				assert.Contains(t, stderr.String(), "reachable from other machines")
				assert.Contains(t, stderr.String(), "it accepts any API key", "no -api-key: any key is accepted")
			} else {
				assert.NotContains(t, stderr.String(), "reachable from other machines")
			}
		})
	}
}

// The Node smoke test: another language walks the API overview's
// create-and-start flow and verifies a webhook with the API overview's own
// verifyWebhook.
func TestLambdasimFromNode(t *testing.T) {
	t.Parallel()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("node is not on PATH; CI runs this smoke test")
		}
		t.Skip("node is not on PATH")
	}
	s := startSim(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "testdata/smoke.mjs",
		s.env["LAMBDA_BASE_URL"], s.env["LAMBDA_API_KEY"], s.env["LAMBDASIM_ADMIN_TOKEN"]).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "verified")
	assert.Contains(t, string(out), "1 passed, 0 failed")
}

// lockedBuffer is a bytes.Buffer safe for a process's writes and the test's reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// A client stalled in the middle of a request (its body half sent) does
// not keep lambdasim from stopping on SIGTERM: before, it waited for that
// body forever.
func TestLambdasimStopsWithAStalledClient(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no SIGTERM to send on Windows")
	}
	s := startSim(t)
	conn, err := net.Dial("tcp", strings.TrimSuffix(strings.TrimPrefix(s.env["LAMBDA_BASE_URL"], "http://"), "/v1"))
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.Write([]byte("POST /v1/instances HTTP/1.1\r\nHost: sim\r\nAuthorization: Bearer k\r\n" +
		"Content-Type: application/json\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n"))
	require.NoError(t, err)
	line, err := bufio.NewReader(conn).ReadString('\n') // the handler reads the body
	require.NoError(t, err)
	require.Contains(t, line, "100 Continue")
	_, err = conn.Write([]byte(`{"name":`))
	require.NoError(t, err)

	require.NoError(t, s.cmd.Process.Signal(syscall.SIGTERM))
	select {
	case err := <-s.done:
		s.done <- err
		require.NoError(t, err, "a clean stop exits 0: %s", s.stderr.String())
	case <-time.After(time.Minute):
		t.Fatal("lambdasim did not stop while a client stalled")
	}
}
