// Command readmecheck proves that every Go snippet of a Markdown file
// compiles: it writes each ```go block into a throwaway package inside the
// module, then runs go build and go vet on them. CI runs it on README.md.
//
//	go run ./internal/readmecheck [-keep] [README.md]
//
// A block that starts with "package" is a whole file, kept as it is. Any
// other block is a fragment: top-level declarations if it parses as such,
// otherwise statements, wrapped in a func that returns an error (so that a
// fragment may "return err"). Imports are added for the packages a snippet
// names, and these variables are in scope, as in most READMEs:
//
//	ctx context.Context, client *lambda.Client, key, secret, id string,
//	conf *oauth2.Config, tok *oauth2.Token
//
// Errors point at the lines of the Markdown file, through //line directives.
// The packages live in a directory whose name starts with "_", which
// ./... patterns skip, and are removed afterwards unless -keep is given.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	keep := flag.Bool("keep", false, "keep the generated packages (their directory is printed)")
	flag.Usage = func() {
		fmt.Fprintln(flag.CommandLine.Output(), "usage: readmecheck [-keep] [file.md ...]  (default README.md)")
		flag.PrintDefaults()
	}
	flag.Parse()
	files := flag.Args()
	if len(files) == 0 {
		files = []string{"README.md"}
	}
	failed := false
	for _, f := range files {
		n, err := check(f, *keep)
		if err != nil {
			fmt.Fprintf(os.Stderr, "readmecheck: %s: %v\n", f, err)
			failed = true
			continue
		}
		fmt.Printf("readmecheck: %s: %d Go snippets compile and pass go vet\n", f, n)
	}
	if failed {
		os.Exit(1)
	}
}

// check generates the packages of the snippets of the Markdown file at path
// and builds and vets them; it returns how many snippets there were.
func check(path string, keep bool) (int, error) {
	md, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return 0, err
	}
	snippets := extract(string(md))
	if len(snippets) == 0 {
		return 0, errors.New("no ```go snippets found")
	}
	root, err := moduleRoot()
	if err != nil {
		return 0, err
	}
	dir, err := os.MkdirTemp(filepath.Join(root, "internal", "readmecheck"), "_snippets-")
	if err != nil {
		return 0, err
	}
	if keep {
		fmt.Println("readmecheck: generated packages kept in", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	var pkgs []string
	for i, sn := range snippets {
		name := fmt.Sprintf("s%02d", i+1)
		files, err := generate(sn, name, abs)
		if err != nil {
			return 0, fmt.Errorf("snippet at line %d: %w", sn.line, err)
		}
		pkgDir := filepath.Join(dir, name)
		if err := os.Mkdir(pkgDir, 0o755); err != nil {
			return 0, err
		}
		for fname, src := range files {
			if err := os.WriteFile(filepath.Join(pkgDir, fname), []byte(src), 0o644); err != nil {
				return 0, err
			}
		}
		rel, err := filepath.Rel(root, pkgDir)
		if err != nil {
			return 0, err
		}
		pkgs = append(pkgs, "./"+filepath.ToSlash(rel))
	}
	// Explicit package paths: a "..." pattern would skip the "_" directory.
	for _, tool := range [][]string{{"build"}, {"vet"}} {
		cmd := exec.Command("go", append(tool, pkgs...)...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return 0, fmt.Errorf("go %s failed:\n%s", tool[0], strings.TrimSpace(string(out)))
		}
	}
	return len(snippets), nil
}

// moduleRoot finds the directory of the enclosing go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("not inside a Go module")
		}
		dir = parent
	}
}
