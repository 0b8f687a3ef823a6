package lambda_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExampleRecipesCopyClean: the file a user copies, examples/<name>/main.go,
// holds the recipe alone. It must not import the simulator (directly or
// through the examples' helper), or a program built from the copy links
// lambdatest and kin-openapi: 13.6 MB instead of 9.8 MB (BENCHMARKS.md).
// The fallback to the simulator belongs in the example's sim.go. (.ci/run
// also builds each main.go on its own, which catches a recipe that leans on
// a name from sim.go.)
func TestExampleRecipesCopyClean(t *testing.T) {
	t.Parallel()
	recipes, err := filepath.Glob("examples/*/main.go")
	require.NoError(t, err)
	require.NotEmpty(t, recipes)
	forbidden := []string{
		"github.com/lambda/lambda-go/lambdatest",
		"github.com/lambda/lambda-go/examples/",
		"github.com/getkin/kin-openapi",
	}
	for _, p := range recipes {
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, err := strconv.Unquote(imp.Path.Value)
			require.NoError(t, err)
			for _, bad := range forbidden {
				assert.False(t, strings.HasPrefix(path, bad), "%s imports %s: move the simulator fallback to sim.go", p, path)
			}
		}
		assert.FileExists(t, filepath.Join(filepath.Dir(p), "sim.go"), "%s: without sim.go, `go run` needs a real account", p)
	}
}
