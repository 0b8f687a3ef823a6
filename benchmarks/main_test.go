package benchmarks

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if a benchmark leaves a goroutine behind: a
// server not closed, or a client call that outlives its benchmark.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
