package preprocess

// The AVX2 kernels of simd_avx2_amd64.s work on the tables of simd.go
// built for levelAVX2: windows of 4 columns, whose indices are in-lane
// byte shuffles. The vertical kernels write multiples of 8 values; the
// last 8 of a row go through a local buffer, so that no kernel writes past
// dst.

// vertAVX2 is vertKernel on the AVX2 path; h0 and h1 hold len(dst)
// rounded up to a multiple of hblock.
func vertAVX2(dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1, c float64) {
	checkVertRows(len(dst), h0, h1)
	n8 := len(dst) &^ 7
	if n8 > 0 {
		vert8(&dst[0], &h0[0], &h1[0], &lut[0], a0, a1, c, n8)
	}
	if n8 < len(dst) {
		var tmp [8]float32
		vert8(&tmp[0], &h0[n8], &h1[n8], &lut[0], a0, a1, c, 8)
		copy(dst[n8:], tmp[:])
	}
}

// vertAffineAVX2 is vertAffineKernel on the AVX2 path.
func vertAffineAVX2(dst []float32, h0, h1 []int32, a0, a1, c, sa, sb float64) {
	checkVertRows(len(dst), h0, h1)
	n8 := len(dst) &^ 7
	if n8 > 0 {
		vertAffine8(&dst[0], &h0[0], &h1[0], a0, a1, c, sa, sb, n8)
	}
	if n8 < len(dst) {
		var tmp [8]float32
		vertAffine8(&tmp[0], &h0[n8], &h1[n8], a0, a1, c, sa, sb, 8)
		copy(dst[n8:], tmp[:])
	}
}

// checkVertRows panics unless h0 and h1 hold the n values rounded up to a
// multiple of 8 that the kernels read: the assembly must not read past them.
func checkVertRows(n int, h0, h1 []int32) {
	if m := (n + 7) &^ 7; n == 0 || len(h0) < m || len(h1) < m {
		panic("preprocess: vertical kernel: short rows")
	}
}

// ycc16AVX2 converts nb blocks of cblock compact columns into the planes,
// with a window of 16 bytes per 4 columns: ybase and cbase hold 4 entries
// per block.
//
//go:noescape
func ycc16AVX2(pr, pg, pb *uint16, y, cb, cr *byte, ybase, cbase *int32, yidx, cidx *byte, nb int)

// hpass16AVX2 resamples nb blocks of hblock destination columns, with a
// base per 4 of them, whose index pairs are byte shuffles of the 8 words
// from it.
//
//go:noescape
func hpass16AVX2(h0, h1, h2 *int32, p0, p1, p2 *uint16, base *int32, idx *uint16, w *int16, nb int)

// vert8 blends n values of h0 and h1 and looks them up in lut, for n a
// positive multiple of 8.
//
//go:noescape
func vert8(dst *float32, h0, h1 *int32, lut *float32, a0, a1, c float64, n int)

// vertAffine8 is vert8 with the table replaced by float32(fma(q, sa, sb)).
//
//go:noescape
func vertAffine8(dst *float32, h0, h1 *int32, a0, a1, c, sa, sb float64, n int)
