package preprocess

import "golang.org/x/sys/cpu"

// cpuLevel is the best vector level of this CPU: the AVX2 kernels of
// simd_avx2_amd64.s need AVX2 and FMA.
var cpuLevel = func() int {
	if cpu.X86.HasAVX2 && cpu.X86.HasFMA {
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
		nb-- // windows start in ascending order (bindYCbCr checks it)
	}
	if nb == 0 {
		return 0
	}
	n := cblock * nb
	// The kernel reads cwin bytes from each window start, the last of
	// which is the highest, and 4 index bytes per column; it writes n words
	// per plane. Slicing to those lengths panics rather than let it stray.
	ylast, clast := int(v.ybase[nb*gpb-1])+sh.cwin, int(v.cbase[nb*gpb-1])+sh.cwin
	yrow, cb, cr = yrow[:ylast], cb[:clast], cr[:clast]
	r, g, b := v.planes[0][:n], v.planes[1][:n], v.planes[2][:n]
	yidx, cidx := v.yidx[:4*n], v.cidx[:4*n]
	ybase, cbase := v.ybase[:nb*gpb], v.cbase[:nb*gpb]
	ycc16AVX2(&r[0], &g[0], &b[0], &yrow[0], &cb[0], &cr[0], &ybase[0], &cbase[0], &yidx[0], &cidx[0], nb)
	return nb
}

// hpassBlocks resamples v.planes along x into h.
func hpassBlocks(v *vec, h *[3][]int32) {
	n := hblock * v.nb
	g := shapes[v.level].hgroup
	ng := n / g
	// Bases ascend (prepareX checks it) and the kernel reads 2·g words from
	// each, so the last base bounds every read; slicing panics rather than
	// let the kernel read past a plane.
	last := int(v.hbase[ng-1]) + 2*g
	p0, p1, p2 := v.planes[0][:last], v.planes[1][:last], v.planes[2][:last]
	h0, h1, h2 := h[0][:n], h[1][:n], h[2][:n]
	base, idx, w := v.hbase[:ng], v.hidx[:2*n], v.hw[:2*n]
	hpass16AVX2(&h0[0], &h1[0], &h2[0], &p0[0], &p1[0], &p2[0], &base[0], &idx[0], &w[0], v.nb)
}

// vertKernel writes len(dst) values; h0 and h1 hold len(dst) rounded up
// to a multiple of hblock.
func vertKernel(level int, dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1, c float64) {
	vertAVX2(dst, h0, h1, lut, a0, a1, c)
}

// vertAffineKernel is vertKernel with the table replaced by
// float32(fma(q, sa, sb)).
func vertAffineKernel(level int, dst []float32, h0, h1 []int32, a0, a1, c, sa, sb float64) {
	vertAffineAVX2(dst, h0, h1, a0, a1, c, sa, sb)
}
