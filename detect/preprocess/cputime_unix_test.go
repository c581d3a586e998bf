//go:build unix

package preprocess

import (
	"syscall"
	"time"
)

// processCPU returns the user and system CPU time of the process so far,
// which is steadier than wall time on a busy machine.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
