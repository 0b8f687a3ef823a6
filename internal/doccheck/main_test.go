package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func TestUndocumented(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(rel, src string) {
		p := filepath.Join(dir, rel)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(src), 0o644))
	}
	write("a.go", `package a

// Documented is fine.
func Documented() {}

func Bare() {}

func unexported() {}

// T is documented.
type T struct{}

func (T) Method() {}

type u struct{}

func (u) Method() {}

// Group docs count.
const (
	A = 1
	B = 2
)

const C = 3

var (
	// D has its own.
	D = 4
	E = 5 // a line comment counts
	F = 6
)

type Generic[X any] struct{}

func (*Generic[X]) Do() {}
`)
	write("a_test.go", "package a\n\nfunc Untested() {}\n")
	write("internal/x/x.go", "package x\n\nfunc Hidden() {}\n")
	write("_skip/s.go", "package s\n\nfunc Skipped() {}\n")

	got, err := undocumented(dir, false)
	require.NoError(t, err)
	var names []string
	for _, g := range got {
		names = append(names, g[len(g)-len(lastWord(g)):])
	}
	assert.ElementsMatch(t, []string{"Bare", "Method", "C", "F", "Generic", "Do"}, names)

	got, err = undocumented(dir, true)
	require.NoError(t, err)
	assert.Len(t, got, 7, "with -internal, Hidden too")
}

func lastWord(s string) string {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == ' ' {
			return s[i+1:]
		}
	}
	return s
}
