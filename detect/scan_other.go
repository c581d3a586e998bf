//go:build !amd64

package detect

var hasAVX2 = false

func cpuHasAVX2() bool { return false }

// skipBelow returns an index of v such that no value before it is at least
// thr: where the scan for candidates can start. Without vector code, 0.
func skipBelow(v []float32, thr float32) int { return 0 }
