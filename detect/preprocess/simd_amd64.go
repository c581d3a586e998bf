package preprocess

import "golang.org/x/sys/cpu"

// useSIMD selects the vector path of simd.go; tests clear it to compare
// with the scalar path. The kernels need AVX-512 F, BW (word permutes and
// multiply-adds) and VBMI (byte permutes).
var useSIMD = cpu.X86.HasAVX512F && cpu.X86.HasAVX512BW && cpu.X86.HasAVX512VL && cpu.X86.HasAVX512VBMI

// yccBlocks converts the first blocks of cblock compact columns of a YCbCr
// row into v.planes, as many of the v.cnb blocks as have their windows
// inside yrow, cb and cr, and returns how many.
func yccBlocks(v *vec, yrow, cb, cr []byte) int {
	nb := v.cnb
	lc := min(len(cb), len(cr))
	for nb > 0 && (int(v.ybase[nb-1])+cwin > len(yrow) || int(v.cbase[nb-1])+cwin > lc) {
		nb-- // windows start in ascending order
	}
	if nb == 0 {
		return 0
	}
	n := cblock * nb
	r, g, b := v.planes[0][:n], v.planes[1][:n], v.planes[2][:n]
	yidx, cidx := v.yidx[:4*n], v.cidx[:4*n]
	ycc16(&r[0], &g[0], &b[0], &yrow[0], &cb[0], &cr[0], &v.ybase[0], &v.cbase[0], &yidx[0], &cidx[0], nb)
	return nb
}

// hpassBlocks resamples v.planes along x into h.
func hpassBlocks(v *vec, h *[3][]int32) {
	nb := v.nb
	n := hblock * nb
	last := int(v.hbase[nb-1]) + 2*hblock // bases ascend; the kernel reads 2·hblock words from each
	p0, p1, p2 := v.planes[0][:last], v.planes[1][:last], v.planes[2][:last]
	h0, h1, h2 := h[0][:n], h[1][:n], h[2][:n]
	idx, w := v.hidx[:2*n], v.hw[:2*n]
	hpass16(&h0[0], &h1[0], &h2[0], &p0[0], &p1[0], &p2[0], &v.hbase[0], &idx[0], &w[0], nb)
}

// vertKernel writes len(dst) values; h0 and h1 hold len(dst) rounded up
// to a multiple of hblock.
func vertKernel(dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1, c float64) {
	n := len(dst)
	m := (n + hblock - 1) / hblock * hblock
	if n == 0 || len(h0) < m || len(h1) < m {
		panic("preprocess: vertKernel: short rows")
	}
	vert16(&dst[0], &h0[0], &h1[0], &lut[0], a0, a1, c, n)
}

//go:noescape
func ycc16(pr, pg, pb *uint16, y, cb, cr *byte, ybase, cbase *int32, yidx, cidx *byte, nb int)

//go:noescape
func hpass16(h0, h1, h2 *int32, p0, p1, p2 *uint16, base *int32, idx *uint16, w *int16, nb int)

//go:noescape
func vert16(dst *float32, h0, h1 *int32, lut *float32, a0, a1, c float64, n int)

// vertAffineKernel is vertKernel with the table replaced by
// float32(fma(q, sa, sb)).
func vertAffineKernel(dst []float32, h0, h1 []int32, a0, a1, c, sa, sb float64) {
	n := len(dst)
	m := (n + hblock - 1) / hblock * hblock
	if n == 0 || len(h0) < m || len(h1) < m {
		panic("preprocess: vertAffineKernel: short rows")
	}
	vertAffine16(&dst[0], &h0[0], &h1[0], a0, a1, c, sa, sb, n)
}

//go:noescape
func vertAffine16(dst *float32, h0, h1 *int32, a0, a1, c, sa, sb float64, n int)
