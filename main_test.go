package lambda_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// client call, an iterator, a waiter or a stream that forgets to clean up.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
