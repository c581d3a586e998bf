package preprocess

import "golang.org/x/sys/cpu"

// cpuLevel is the best vector level of this CPU: the AVX-512 kernels of
// simd_amd64.s need F, BW (word permutes and multiply-adds), VL and VBMI
// (byte permutes); the AVX2 kernels of simd_avx2_amd64.s need AVX2 and FMA.
var cpuLevel = func() int {
	x := &cpu.X86
	switch {
	case x.HasAVX512F && x.HasAVX512BW && x.HasAVX512VL && x.HasAVX512VBMI && x.HasAVX2 && x.HasFMA:
		return levelAVX512
	case x.HasAVX2 && x.HasFMA:
		return levelAVX2
	}
	return levelScalar
}()

// simdLevel selects the path new scratch tables are built for; tests set
// it to any level up to cpuLevel to compare the paths.
var simdLevel = cpuLevel

// yccBlocks converts the first blocks of cblock compact columns of a YCbCr
// row into v.planes, as many of the v.cnb blocks as have their windows
// inside yrow, cb and cr, and returns how many.
func yccBlocks(v *vec, yrow, cb, cr []byte) int {
	nb := v.cnb
	sh := shapes[v.level]
	gpb := cblock / sh.cgroup // windows per block
	lc := min(len(cb), len(cr))
	for nb > 0 && (int(v.ybase[nb*gpb-1])+sh.cwin > len(yrow) || int(v.cbase[nb*gpb-1])+sh.cwin > lc) {
		nb-- // windows start in ascending order
	}
	if nb == 0 {
		return 0
	}
	n := cblock * nb
	r, g, b := v.planes[0][:n], v.planes[1][:n], v.planes[2][:n]
	yidx, cidx := v.yidx[:4*n], v.cidx[:4*n]
	ybase, cbase := v.ybase[:nb*gpb], v.cbase[:nb*gpb]
	if v.level == levelAVX2 {
		ycc16AVX2(&r[0], &g[0], &b[0], &yrow[0], &cb[0], &cr[0], &ybase[0], &cbase[0], &yidx[0], &cidx[0], nb)
		return nb
	}
	ycc16(&r[0], &g[0], &b[0], &yrow[0], &cb[0], &cr[0], &ybase[0], &cbase[0], &yidx[0], &cidx[0], nb)
	return nb
}

// hpassBlocks resamples v.planes along x into h.
func hpassBlocks(v *vec, h *[3][]int32) {
	n := hblock * v.nb
	g := shapes[v.level].hgroup
	ng := n / g
	last := int(v.hbase[ng-1]) + 2*g // bases ascend; the kernels read 2·g words from each
	p0, p1, p2 := v.planes[0][:last], v.planes[1][:last], v.planes[2][:last]
	h0, h1, h2 := h[0][:n], h[1][:n], h[2][:n]
	base, idx, w := v.hbase[:ng], v.hidx[:2*n], v.hw[:2*n]
	if v.level == levelAVX2 {
		hpass16AVX2(&h0[0], &h1[0], &h2[0], &p0[0], &p1[0], &p2[0], &base[0], &idx[0], &w[0], v.nb)
		return
	}
	hpass16(&h0[0], &h1[0], &h2[0], &p0[0], &p1[0], &p2[0], &base[0], &idx[0], &w[0], v.nb)
}

// vertKernel writes len(dst) values; h0 and h1 hold len(dst) rounded up
// to a multiple of hblock.
func vertKernel(level int, dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1, c float64) {
	n := len(dst)
	m := (n + hblock - 1) / hblock * hblock
	if n == 0 || len(h0) < m || len(h1) < m {
		panic("preprocess: vertKernel: short rows")
	}
	if level == levelAVX2 {
		vertAVX2(dst, h0, h1, lut, a0, a1, c)
		return
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
func vertAffineKernel(level int, dst []float32, h0, h1 []int32, a0, a1, c, sa, sb float64) {
	n := len(dst)
	m := (n + hblock - 1) / hblock * hblock
	if n == 0 || len(h0) < m || len(h1) < m {
		panic("preprocess: vertAffineKernel: short rows")
	}
	if level == levelAVX2 {
		vertAffineAVX2(dst, h0, h1, a0, a1, c, sa, sb)
		return
	}
	vertAffine16(&dst[0], &h0[0], &h1[0], a0, a1, c, sa, sb, n)
}

//go:noescape
func vertAffine16(dst *float32, h0, h1 *int32, a0, a1, c, sa, sb float64, n int)
