package lambda_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/lambda/lambda-go"
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

// TestRepositoryReadyToPublish: the files a published module needs are there,
// and CHANGELOG.md has a section for the Version the SDK reports in its
// User-Agent (the version policy of CONTRIBUTING.md bumps both together).
// pkg.go.dev shows no documentation for a module without a licence it
// recognises, which is why LICENSE must be the unmodified Apache-2.0 text.
func TestRepositoryReadyToPublish(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"LICENSE", "CHANGELOG.md", "SECURITY.md", "CONTRIBUTING.md", ".github/workflows/ci.yml"} {
		assert.FileExists(t, f)
	}
	license, err := os.ReadFile("LICENSE")
	require.NoError(t, err)
	assert.Contains(t, string(license), "Apache License\n                           Version 2.0, January 2004")
	assert.Len(t, license, 11358, "LICENSE differs from the Apache-2.0 text")

	changelog, err := os.ReadFile("CHANGELOG.md")
	require.NoError(t, err)
	assert.Contains(t, string(changelog), "\n## ["+lambda.Version+"]", "CHANGELOG.md has no section for Version %s", lambda.Version)

	ci, err := os.ReadFile(".github/workflows/ci.yml")
	require.NoError(t, err)
	assert.Contains(t, string(ci), "bash .ci/run")
	assert.Contains(t, string(ci), `"1.23.x"`, "CI must run on go.mod's go line")
}
