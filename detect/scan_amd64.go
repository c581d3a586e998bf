package detect

import "golang.org/x/sys/cpu"

// hasAVX2 selects skipBelowAVX2; tests clear it to compare with Go.
var hasAVX2 = cpuHasAVX2()

func cpuHasAVX2() bool { return cpu.X86.HasAVX2 }

// skipBelow returns an index of v such that no value before it is at least
// thr: where the scan for candidates can start.
func skipBelow(v []float32, thr float32) int {
	if !hasAVX2 || len(v) < 32 {
		return 0
	}
	return skipBelowAVX2(v, thr)
}

//go:noescape
func skipBelowAVX2(v []float32, thr float32) int
