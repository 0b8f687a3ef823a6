package lambda_test

// Reliability of the repository itself, for the bugs of other SDKs
// (RELIABILITY.md) that are not runtime faults: one-megabyte files, logging
// through the global logger.
// (README snippets that do not compile are caught by internal/readmecheck,
// which .ci/run runs on README.md.)

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"log"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
)

// TestNoSourceFileIsHuge: one file of a megabyte (stripe-go has one) is a
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

	client, served := scriptedAPI(t, "/instances/inst_1", failFirst(2, status(503)))
	_, err := client.Instances.Get(context.Background(), "inst_1")
	require.NoError(t, err)
	require.EqualValues(t, 3, served.Load())
	client, _ = scriptedAPI(t, "/instances/inst_1", always(status(401)))
	_, err = client.Instances.Get(context.Background(), "inst_1")
	require.Error(t, err)
	closed := newTestClient(t, "http://127.0.0.1:1/v1", lambda.WithMaxRetries(1))
	_, err = closed.Instances.Get(context.Background(), "inst_1")
	require.Error(t, err)
	assert.Empty(t, global.String(), "the SDK wrote to a global logger")
}

// TestCallerHTTPClientWorksWithEveryCredential: retries and every
// credential work over the caller's own http.Client, which is never
// modified (godo replaces it when retries are on, and panics without an
// OAuth2 transport).
func TestCallerHTTPClientWorksWithEveryCredential(t *testing.T) {
	t.Parallel()
	for cred, opts := range credentialOptions {
		tr := &http.Transport{}
		t.Cleanup(tr.CloseIdleConnections)
		hc := &http.Client{Transport: tr}
		mux, url := newTestServer(t)
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
		client := newTestClientWith(t, opts[0], url+"/v1", slices.Concat(opts[1:], []lambda.Option{lambda.WithHTTPClient(hc)})...)
		_, err := client.Instances.Get(context.Background(), "inst_1")
		require.NoError(t, err, cred)
		assert.Same(t, tr, hc.Transport, cred)
		assert.Nil(t, hc.CheckRedirect, cred)
		assert.EqualValues(t, 2, n, cred)
	}
}

// TestDocsPointClientsAtBaseURL: what users copy (the README, package docs,
// examples and Example functions) points a client at the simulator with
// srv.BaseURL(), never by gluing "/v1" onto a root URL, the mistake that
// once made every resource answer 404.
func TestDocsPointClientsAtBaseURL(t *testing.T) {
	t.Parallel()
	glued := regexp.MustCompile(`URL\s*\+\s*"/v[0-9]+"`)
	copied := func(p string) bool {
		base := filepath.Base(p)
		return strings.HasSuffix(p, ".md") || base == "doc.go" || strings.HasPrefix(p, "examples"+string(filepath.Separator)) ||
			strings.HasSuffix(base, "example_test.go")
	}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !copied(p) {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(b), "\n") {
			assert.False(t, glued.MatchString(line), "%s:%d: use srv.BaseURL(): %s", p, i+1, strings.TrimSpace(line))
		}
		return nil
	})
	require.NoError(t, err)
}

// TestEveryAllWarnsAboutDeletingWhileRanging: the doc of every iterator
// (All, AllRules, AllInvoices, …) says that deleting inside the loop skips
// items and points at the safe pattern.
func TestEveryAllWarnsAboutDeletingWhileRanging(t *testing.T) {
	t.Parallel()
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	require.NoError(t, err)
	found := 0
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		require.NoError(t, err)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !strings.HasPrefix(fn.Name.Name, "All") || !fn.Name.IsExported() {
				continue
			}
			found++
			assert.Contains(t, fn.Doc.Text(), "Deleting items inside the loop skips some", "%s", fn.Name.Name)
			assert.Contains(t, fn.Doc.Text(), "Collect the IDs first", "%s", fn.Name.Name)
		}
	}
	assert.GreaterOrEqual(t, found, 10, "iterators found")
}
