package benchmarks

import (
	"runtime"
	"testing"
	"time"
)

// cost is what n calls of a function took.
type cost struct {
	d      time.Duration
	allocs uint64 // heap allocations, process-wide: the server's are the same for both sides
	bytes  uint64 // heap bytes allocated
}

func (c cost) add(o cost) cost { return cost{c.d + o.d, c.allocs + o.allocs, c.bytes + o.bytes} }

// measure runs f n times and returns the wall time and heap allocations.
func measure(b *testing.B, n int, f func() error) cost {
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
	return cost{d, after.Mallocs - before.Mallocs, after.TotalAlloc - before.TotalAlloc}
}
