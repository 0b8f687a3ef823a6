package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"sort"
	"strings"
)

// snippet is one ```go block: its text and the line of the file where the
// text starts (1-based).
type snippet struct {
	text string
	line int
}

// extract returns the ```go blocks of a Markdown text, in order. Blocks of
// other languages (```sh, ```json, plain ```) are not Go and are skipped.
func extract(md string) []snippet {
	var out []snippet
	lines := strings.Split(md, "\n")
	for i := 0; i < len(lines); i++ {
		fence, lang, ok := openFence(lines[i])
		if !ok {
			continue
		}
		start := i + 1
		end := start
		for end < len(lines) && strings.TrimSpace(lines[end]) != fence {
			end++
		}
		if lang == "go" {
			out = append(out, snippet{text: strings.Join(lines[start:end], "\n"), line: start + 1})
		}
		i = end
	}
	return out
}

// openFence reports whether line opens a fenced block, with its fence
// ("```") and language ("go").
func openFence(line string) (fence, lang string, ok bool) {
	t := strings.TrimSpace(line)
	for _, f := range []string{"````", "```", "~~~"} {
		if rest, found := strings.CutPrefix(t, f); found {
			lang, _, _ = strings.Cut(strings.TrimSpace(rest), " ")
			return f, lang, true
		}
	}
	return "", "", false
}

// imports maps the package names a snippet may use to their import paths.
var imports = map[string]string{
	"context":           "context",
	"errors":            "errors",
	"fmt":               "fmt",
	"http":              "net/http",
	"httptest":          "net/http/httptest",
	"io":                "io",
	"iter":              "iter",
	"json":              "encoding/json",
	"lambda":            "github.com/lambda/lambda-go",
	"lambdatest":        "github.com/lambda/lambda-go/lambdatest",
	"log":               "log",
	"oauth2":            "golang.org/x/oauth2",
	"clientcredentials": "golang.org/x/oauth2/clientcredentials",
	"os":                "os",
	"rate":              "golang.org/x/time/rate",
	"slog":              "log/slog",
	"strings":           "strings",
	"sync":              "sync",
	"tabwriter":         "text/tabwriter",
	"testing":           "testing",
	"time":              "time",
}

// env declares what fragments may use without declaring it.
const env = `package %s

import (
	"context"

	"golang.org/x/oauth2"

	"github.com/lambda/lambda-go"
)

var (
	ctx    = context.Background()
	client *lambda.Client
	key    string
	secret string
	id     string
	conf   *oauth2.Config
	tok    *oauth2.Token
)
`

// generate turns a snippet into the files of package pkg. mdPath names the
// Markdown file in //line directives, so that errors point into it.
func generate(sn snippet, pkg, mdPath string) (map[string]string, error) {
	lineDirective := fmt.Sprintf("//line %s:%d\n", mdPath, sn.line)
	if isWholeFile(sn.text) {
		return map[string]string{"snippet.go": lineDirective + sn.text + "\n"}, nil
	}
	fset := token.NewFileSet()
	header := "package " + pkg + "\n\n"
	var body string
	f, err := parser.ParseFile(fset, "", header+sn.text, parser.SkipObjectResolution)
	if err == nil {
		body = lineDirective + sn.text + "\n" // top-level declarations
	} else {
		wrapped := header + "func snippet() error {\n" + sn.text + "\n}\n"
		if f, err = parser.ParseFile(fset, "", wrapped, parser.SkipObjectResolution); err != nil {
			return nil, fmt.Errorf("neither declarations nor statements: %v", err)
		}
		ret := "\treturn nil\n"
		if fn := f.Decls[0].(*ast.FuncDecl); len(fn.Body.List) > 0 {
			if _, ok := fn.Body.List[len(fn.Body.List)-1].(*ast.ReturnStmt); ok {
				ret = ""
			}
		}
		body = "func snippet() error {\n" + lineDirective + sn.text + "\n" + ret + "}\n"
	}
	src := header + importBlock(f) + body
	return map[string]string{"snippet.go": src, "env.go": fmt.Sprintf(env, pkg)}, nil
}

// isWholeFile reports whether a snippet is a complete file: its first line
// that is not blank or a comment is a package clause.
func isWholeFile(text string) bool {
	for _, l := range strings.Split(text, "\n") {
		l = strings.TrimSpace(l)
		if l == "" || strings.HasPrefix(l, "//") {
			continue
		}
		return strings.HasPrefix(l, "package ")
	}
	return false
}

// importBlock imports the known packages that the code of f qualifies a
// name with ("time.Second"); names in comments and strings do not count.
func importBlock(f *ast.File) string {
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok && imports[id.Name] != "" {
				used[id.Name] = true
			}
		}
		return true
	})
	if len(used) == 0 {
		return ""
	}
	names := make([]string, 0, len(used))
	for n := range used {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString("import (\n")
	for _, n := range names {
		fmt.Fprintf(&b, "\t%s %q\n", n, imports[n])
	}
	b.WriteString(")\n\n")
	return b.String()
}
