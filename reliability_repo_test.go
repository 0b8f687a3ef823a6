package lambda_test

// Reliability of the repository itself, for the anchors' bugs that are not
// runtime faults: README programs that do not compile, one-megabyte files,
// logging through the global logger.

import (
	"bytes"
	"context"
	"go/parser"
	"go/token"
	"io/fs"
	"log"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

var goBlock = regexp.MustCompile("(?s)```go\n(.*?)```")

// TestREADMESnippetsCompile builds every complete program in README.md
// (in a throwaway package under testdata, which ./... ignores) and parses
// every fragment as the body of a function.
func TestREADMESnippetsCompile(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	blocks := goBlock.FindAllSubmatch(readme, -1)
	require.NotEmpty(t, blocks, "README.md has no Go snippets")
	goTool, err := exec.LookPath("go")
	if err != nil {
		goTool = filepath.Join(runtime.GOROOT(), "bin", "go")
	}
	for i, b := range blocks {
		src := string(b[1])
		if strings.HasPrefix(src, "package ") {
			dir, err := os.MkdirTemp("testdata", "readme-")
			require.NoError(t, err)
			t.Cleanup(func() { os.RemoveAll(dir) })
			require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), b[1], 0o644))
			out, err := exec.Command(goTool, "vet", "./"+filepath.ToSlash(dir)).CombinedOutput()
			assert.NoError(t, err, "README program %d does not build:\n%s\n%s", i+1, out, src)
			continue
		}
		_, err := parser.ParseFile(token.NewFileSet(), "snippet.go", "package p\nfunc _() {\n"+src+"\n}\n", 0)
		assert.NoError(t, err, "README fragment %d does not parse:\n%s", i+1, src)
	}
}

// TestNoSourceFileIsHuge: one file of a megabyte (an anchor had one) is a
// file nobody reads. The style asks for about 500 lines; this fails at
// twice that.
func TestNoSourceFileIsHuge(t *testing.T) {
	t.Parallel()
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		assert.LessOrEqual(t, len(b), 100<<10, "%s is %d bytes", p, len(b))
		assert.LessOrEqual(t, bytes.Count(b, []byte("\n")), 1000, "%s has more than 1,000 lines", p)
		return nil
	})
	require.NoError(t, err)
}

// TestNoGlobalLogging: without WithLogger, a retried call, a refused call
// and a transport failure write nothing to the standard library's global
// loggers (log and slog). Not parallel: it swaps them.
func TestNoGlobalLogging(t *testing.T) {
	var global bytes.Buffer
	oldLog, oldFlags, oldSlog := log.Writer(), log.Flags(), slog.Default()
	log.SetOutput(&global)
	slog.SetDefault(slog.New(slog.NewTextHandler(&global, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer func() {
		log.SetOutput(oldLog)
		log.SetFlags(oldFlags)
		slog.SetDefault(oldSlog)
	}()

	client, served := countingAPI(t, failFirst(2, status(503)))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	require.EqualValues(t, 3, served.Load())
	client, _ = countingAPI(t, always(status(401)))
	_, err = client.Instances.Get(context.Background(), "inst_1")
	require.Error(t, err)
	closed, err := lambda.NewClient(lambda.WithAPIKey(testKey), lambda.WithBaseURL("http://127.0.0.1:1/v1"),
		lambda.WithRetryBackoff(1, 1), lambda.WithMaxRetries(1))
	require.NoError(t, err)
	_, err = closed.Instances.Get(context.Background(), "inst_1")
	require.Error(t, err)
	assert.Empty(t, global.String(), "the SDK wrote to a global logger")
}

// TestCallerHTTPClientWorksWithEveryCredential: retries and every
// credential work over the caller's own http.Client, which is never
// modified (an anchor replaced it, and panicked without an OAuth2
// transport).
func TestCallerHTTPClientWorksWithEveryCredential(t *testing.T) {
	t.Parallel()
	for cred, opts := range credentialOptions {
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr}
		_, mux, url := setup(t)
		var n int32
		mux.HandleFunc("/instances/inst_1", func(w http.ResponseWriter, r *http.Request) {
			n++
			if n == 1 {
				writeError(w, 503, "service_unavailable", "busy")
				return
			}
			assert.NotEmpty(t, r.Header.Get("Authorization")+r.Header.Get("X-API-Key"), cred)
			writeData(w, 200, instanceJSON)
		})
		client, err := lambda.NewClient(append([]lambda.Option{lambda.WithHTTPClient(hc), lambda.WithBaseURL(url + "/v1"),
			lambda.WithRetryBackoff(1, 1)}, opts...)...)
		require.NoError(t, err, cred)
		_, err = client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err, cred)
		assert.Same(t, tr, hc.Transport, cred)
		assert.Nil(t, hc.CheckRedirect, cred)
		assert.EqualValues(t, 2, n, cred)
	}
}
