package benchmarks

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the run if a goroutine outlives the benchmarks: every
// server is closed, and with it every connection the clients kept.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
