package benchmarks

import (
	"runtime"
	"testing"
	"time"
)

// measure runs f n times and returns the wall time and heap allocations.
func measure(b *testing.B, n int, f func() error) (time.Duration, uint64) {
	b.Helper()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	for range n {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	d := time.Since(start)
	runtime.ReadMemStats(&after)
	return d, after.Mallocs - before.Mallocs
}
