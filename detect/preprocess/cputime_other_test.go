//go:build !unix

package preprocess

import "time"

// processCPU returns 0: CPU time is only measured on unix.
func processCPU() time.Duration { return 0 }
