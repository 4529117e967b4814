//go:build unix

package synth

import (
	"syscall"
	"time"
)

// cpuTime is the process's user+system CPU time. On a shared machine wall
// time per op grows with other people's load; CPU time per op does not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
