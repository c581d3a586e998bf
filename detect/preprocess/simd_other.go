//go:build !amd64

package preprocess

// There are no vector kernels for this architecture.
var (
	cpuLevel  = levelScalar
	simdLevel = cpuLevel
)

func yccBlocks(v *vec, yrow, cb, cr []byte) int { return 0 }

func hpassBlocks(v *vec, h *[3][]int32) { panic("preprocess: no vector kernels") }

func vertKernel(level int, dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1, c float64) {
	panic("preprocess: no vector kernels")
}

func vertAffineKernel(level int, dst []float32, h0, h1 []int32, a0, a1, c, sa, sb float64) {
	panic("preprocess: no vector kernels")
}
