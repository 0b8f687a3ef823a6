//go:build unix

package benchmarks

import (
	"syscall"
	"time"
)

// cpuTime is the CPU time the process has used, user and system: the
// server's share is the same for both sides, so the difference per call is
// the client's, and less sensitive than wall time to load from elsewhere.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
