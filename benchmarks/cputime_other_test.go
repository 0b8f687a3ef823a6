//go:build !unix

package benchmarks

import "time"

// cpuTime is not measured here: CPU figures then read zero.
func cpuTime() time.Duration { return 0 }
