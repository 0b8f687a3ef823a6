package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestExtract(t *testing.T) {
	t.Parallel()
	md := "# T\n\n```sh\ngo test\n```\n\n```go\nfmt.Println(1)\n```\n\ntext\n\n```go\nx := 2\n_ = x\n```\n\n```\nplain\n```\n"
	got := extract(md)
	require.Len(t, got, 2)
	assert.Equal(t, snippet{text: "fmt.Println(1)", line: 8}, got[0])
	assert.Equal(t, snippet{text: "x := 2\n_ = x", line: 14}, got[1])
}

func TestGenerate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, text string
		want       []string // substrings of snippet.go
		env        bool
	}{
		{"whole file", "package main\n\nfunc main() {}", []string{"//line README.md:3\npackage main"}, false},
		{"declarations", "func handle() error { return errors.New(\"x\") }",
			[]string{`errors "errors"`, "//line README.md:3\nfunc handle()"}, true},
		{"statements get return nil", "fmt.Println(time.Second)",
			[]string{`fmt "fmt"`, `time "time"`, "func snippet() error {\n//line README.md:3\n", "\treturn nil\n}"}, true},
		{"statements ending in return", "return errors.New(\"x\")", []string{"return errors.New(\"x\")\n}"}, true},
		{"names in comments are not imports", "// see http.Handle\n_ = ctx", []string{"func snippet()"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			files, err := generate(snippet{text: tt.text, line: 3}, "s01", "README.md")
			require.NoError(t, err)
			for _, w := range tt.want {
				assert.Contains(t, files["snippet.go"], w)
			}
			assert.NotContains(t, files["snippet.go"], `http "net/http"`)
			_, hasEnv := files["env.go"]
			assert.Equal(t, tt.env, hasEnv)
		})
	}
	_, err := generate(snippet{text: "func {", line: 1}, "s01", "README.md")
	assert.Error(t, err)
}

// TestCheck builds real snippets: good ones pass, and a snippet that does
// not compile fails with the Markdown line of the mistake.
func TestCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go build")
	}
	t.Parallel()
	dir := t.TempDir()
	good := "```go\nc, err := lambda.NewClient(lambda.WithAPIKey(key))\nif err != nil {\n\treturn err\n}\n" +
		"_, err = c.Instances.Get(ctx, id)\nreturn err\n```\n\n```go\nfunc handler() http.Handler {\n" +
		"\treturn lambda.WebhookHandler(secret, nil)\n}\n```\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "good.md"), []byte(good), 0o644))
	n, err := check(filepath.Join(dir, "good.md"), false)
	require.NoError(t, err)
	assert.Equal(t, 2, n)

	bad := "# Bad\n\n```go\ninst, err := client.Instances.Get(ctx, id)\nfmt.Println(inst.NoSuchField, err)\n```\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.md"), []byte(bad), 0o644))
	_, err = check(filepath.Join(dir, "bad.md"), false)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bad.md:5")
	assert.Contains(t, err.Error(), "NoSuchField")

	leftovers, err := filepath.Glob("_snippets-*")
	require.NoError(t, err)
	assert.Empty(t, leftovers, "generated packages must be removed")
}

func TestCheckNoSnippets(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "empty.md")
	require.NoError(t, os.WriteFile(path, []byte("# nothing\n```sh\nls\n```\n"), 0o644))
	_, err := check(path, false)
	require.Error(t, err)
	assert.True(t, strings.Contains(err.Error(), "no ```go snippets"))
}
