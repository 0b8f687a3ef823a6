package lambdatest_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any goroutine outlives the tests: a stream
// handler, a transition timer or a webhook worker that Close forgot to stop.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
