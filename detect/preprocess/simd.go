package preprocess

import "math"

// The vector path (used when simdLevel is not levelScalar, on CPUs with the
// AVX2 kernels of simd_avx2_amd64.s) computes the same integers
// as the scalar path in another layout. A source row is held as three
// planes of uint16, one per channel, over the compact columns of
// scratch.cols. The horizontal pass resamples g destination columns at a
// time (a window group of 4): their two samples
// lie within 2g consecutive compact columns (each destination column reads
// at most two columns, and every column between the first and the last
// read is read by one of them), so one in-lane byte shuffle gathers the
// (x0, x1) pairs and one
// multiply-add of 16-bit words weights them: h = p0·w0 + p1·w1 < 2^21 as an
// int32. The vertical pass computes q = floor((h0·u0 + h1·u1)/D + 1/2) in
// float64 (see affine.row) and maps q through the affine table or looks it
// up in the float32 table with a gather.

// hblock is the number of destination columns the horizontal pass
// resamples per block; cblock the number of compact columns the YCbCr
// kernels convert per block.
const (
	hblock = 16
	cblock = 16
)

// The vector levels; simdLevel (simd_amd64.go) holds the one in use.
//
// An AVX-512 kernel set (16-column windows, word permutes) was measured at
// 0.04–0.1 ms less per photo than the AVX2 one, under 1 % of a model run,
// and was removed: it doubled the assembly whose memory safety rests on the
// checks in simd_amd64.go.
const (
	levelScalar = iota
	levelAVX2
)

// shape is the window geometry of a level's kernels: hgroup destination
// columns share one base in the planes (their samples lie in 2·hgroup
// words from it), and cgroup compact columns share one window of cwin
// bytes in the luma and chroma rows.
type shape struct{ hgroup, cgroup, cwin int }

var shapes = [...]shape{
	levelAVX2: {hgroup: 4, cgroup: 4, cwin: 16},
}

// zeroIdx in a byte index zeroes the byte (VPSHUFB).
const zeroIdx = 0x80

// vec holds the planar buffers and kernel tables of the vector path.
type vec struct {
	level  int         // the level the tables were built for
	ok     bool        // the horizontal tables fit the kernel
	nb     int         // blocks of hblock destination columns
	hbase  []int32     // per hgroup: first compact column it reads
	hidx   []uint16    // per column: (x0, x1) indices from hbase (see hindex)
	hw     []int16     // per column: their weights
	planes [3][]uint16 // one source row by channel (R, G, B), compact columns, padded
	h      [2][3][]int32
	hy     [2]int // source row held by h[i], or -1
	out    [3][]float32

	// lutOf is the table that affine was checked against.
	lutOf  *[3][256]float32
	affine [3]affine

	// YCbCr: per cgroup of compact columns, the window start in the luma
	// and chroma rows and the byte index of each column in the window, at
	// bytes 0, 1, 2 (luma) and 0 (chroma) of a 4-byte lane, zeroIdx in the
	// others; the first cnb blocks have windows narrower than cwin.
	cnb          int
	ybase, cbase []int32
	yidx, cidx   []uint8
}

// prepareX builds the horizontal tables of simdLevel from the scalar ones.
func (v *vec) prepareX(xi []int32, xw []uint64, ncols, dw int) {
	v.level = simdLevel
	g := shapes[v.level].hgroup
	v.nb = (dw + hblock - 1) / hblock
	n := hblock * v.nb
	v.hbase = grow(v.hbase, n/g)
	v.hidx, v.hw = grow(v.hidx, 2*n), grow(v.hw, 2*n)
	v.ok = true
	base := int32(0)
	for d := range n {
		if d%g == 0 {
			prev := base
			base = xi[2*min(d, dw-1)] // groups past dw repeat the last base
			v.hbase[d/g] = base
			v.ok = v.ok && base >= prev // hpassBlocks bounds reads by the last base
		}
		i0, i1, w0, w1 := base, base, uint64(0), uint64(0)
		if d < dw {
			i0, i1, w0, w1 = xi[2*d], xi[2*d+1], xw[2*d], xw[2*d+1]
		}
		v.ok = v.ok && int(i1-base) < 2*g && w0 < 1<<15 && w1 < 1<<15
		v.hidx[2*d], v.hidx[2*d+1] = v.hindex(i0-base), v.hindex(i1-base)
		v.hw[2*d], v.hw[2*d+1] = int16(w0), int16(w1)
	}
	for c := range 3 {
		v.planes[c] = grow(v.planes[c], ncols+2*hblock)
		v.h[0][c], v.h[1][c] = grow(v.h[0][c], n), grow(v.h[1][c], n)
		v.out[c] = grow(v.out[c], dw)
	}
}

// hindex encodes word index i of a window as the byte pair (2i, 2i+1) of a
// byte shuffle.
func (v *vec) hindex(i int32) uint16 {
	return uint16(2*i) | uint16(2*i+1)<<8
}

// bindYCbCr builds the conversion tables from the luma and chroma offsets
// of the compact columns. Blocks from the first whose windows are too wide
// on are converted by loadYCbCr in Go.
func (v *vec) bindYCbCr(off, coff []int) {
	sh := shapes[v.level]
	g := sh.cgroup
	nb := len(off) / cblock
	ng := nb * cblock / g
	v.ybase, v.cbase = grow(v.ybase, ng), grow(v.cbase, ng)
	v.yidx, v.cidx = grow(v.yidx, 4*cblock*nb), grow(v.cidx, 4*cblock*nb)
	v.cnb = nb
	for i := range ng {
		k := g * i
		yb, cb := off[k], coff[k]
		ascending := i == 0 || (int32(yb) >= v.ybase[i-1] && int32(cb) >= v.cbase[i-1])
		if !ascending || off[k+g-1]-yb >= sh.cwin || coff[k+g-1]-cb >= sh.cwin {
			v.cnb = k / cblock
			return
		}
		v.ybase[i], v.cbase[i] = int32(yb), int32(cb)
		for j := k; j < k+g; j++ {
			yi, ci := uint8(off[j]-yb), uint8(coff[j]-cb)
			copy(v.yidx[4*j:4*j+4], []uint8{yi, yi, yi, zeroIdx})
			copy(v.cidx[4*j:4*j+4], []uint8{ci, zeroIdx, zeroIdx, zeroIdx})
		}
	}
}

// rows is scratch.rows for the vector path.
func (v *vec) rows(y0, y1 int, s *scratch, src *source) (h0, h1 *[3][]int32) {
	i0 := v.slot(y0, -1, s, src)
	i1 := v.slot(y1, i0, s, src)
	return &v.h[i0], &v.h[i1]
}

func (v *vec) slot(y, keep int, s *scratch, src *source) int {
	i, held := slotFor(&v.hy, y, keep)
	if held {
		return i
	}
	v.load(y, s, src)
	hpassBlocks(v, &v.h[i])
	v.hy[i] = y
	return i
}

// load converts the compact columns of relative source row y into planes.
func (v *vec) load(y int, s *scratch, src *source) {
	if src.kind == kindYCbCr {
		v.loadYCbCr(y, s, src)
		return
	}
	src.load(y, s)
	n := len(s.cols)
	r, g, b := v.planes[0][:n], v.planes[1][:n], v.planes[2][:n]
	for k, p := range s.srow[:n] {
		r[k], g[k], b[k] = uint16(p&laneMask), uint16(p>>lane&laneMask), uint16(p>>(2*lane))
	}
}

func (v *vec) loadYCbCr(y int, s *scratch, src *source) {
	yrow := src.pix[y*src.stride:]
	c0 := src.chromaRow(y)
	cb, cr := src.cb[c0:], src.cr[c0:]
	n := len(s.cols)
	k0 := cblock * yccBlocks(v, yrow, cb, cr)
	off, coff := s.off[:n], s.coff[:n]
	r, g, b := v.planes[0][:n], v.planes[1][:n], v.planes[2][:n]
	for k := k0; k < n; k++ {
		co := coff[k]
		rc, gc, bc := chroma(cb[co], cr[co])
		p := yccPack(yrow[off[k]], rc, gc, bc)
		r[k], g[k], b[k] = uint16(p&laneMask), uint16(p>>lane&laneMask), uint16(p>>(2*lane))
	}
}

// resizeVec is resize on the vector path.
func (p *Preprocessor) resizeVec(dst []float32, g Geometry, s *scratch, src *source, y0, y1 int) {
	W, plane := p.opts.Width, p.opts.Width*p.opts.Height
	pl := p.planeOf // source channel → tensor channel
	v := &s.vec
	invD := 1 / float64(s.den)
	if v.lutOf != &p.srcLUT {
		v.lutOf = &p.srcLUT
		for c := range 3 {
			v.affine[c] = newAffine(&p.srcLUT[c], p.opts.Scale, p.opts.Mean[pl[c]], p.opts.Std[pl[c]])
		}
	}
	for y := y0; y < y1; y++ {
		h0, h1 := v.rows(s.yi[2*y], s.yi[2*y+1], s, src)
		a0, a1 := float64(s.yw[2*y])*invD, float64(s.yw[2*y+1])*invD
		row := (g.OffsetY+y)*W + g.OffsetX
		if p.opts.Layout == NHWC {
			for c := range 3 {
				v.affine[c].row(v.level, v.out[c][:g.Width], h0[c], h1[c], &p.srcLUT[c], a0, a1)
			}
			interleave(dst[3*row:3*(row+g.Width)], &v.out, pl)
			continue
		}
		for c := range 3 {
			o := pl[c]*plane + row
			v.affine[c].row(v.level, dst[o:o+g.Width], h0[c], h1[c], &p.srcLUT[c], a0, a1)
		}
	}
}

// interleave writes three planes into interleaved pixels; pl[s] is the
// tensor channel of plane s.
func interleave(dst []float32, planes *[3][]float32, pl [3]int) {
	n := len(dst) / 3
	r, g, b := planes[0][:n], planes[1][:n], planes[2][:n]
	for x := range n {
		o := dst[3*x : 3*x+3 : 3*x+3]
		o[pl[0]], o[pl[1]], o[pl[2]] = r[x], g[x], b[x]
	}
}

// vertBias is added before the truncation of the vertical pass; see row.
const vertBias = 0x1p-32

// affine is a channel's table as a function: lut[v] = float32(fma(v, a, b))
// for every v when ok, which holds for most options (the table is
// (v·Scale − Mean)/Std rounded to float32, and a = Scale/Std, b = −Mean/Std
// differ from it only in far-off bits).
type affine struct {
	ok   bool
	a, b float64
}

func newAffine(lut *[256]float32, scale, mean, std float64) affine {
	f := affine{ok: true, a: scale / std, b: -mean / std}
	for v, want := range lut {
		if math.Float32bits(float32(math.FMA(float64(v), f.a, f.b))) != math.Float32bits(want) {
			return affine{}
		}
	}
	return f
}

// row blends rows h0 and h1 of one channel with weights a0 = u0/D and
// a1 = u1/D and writes the table values of the rounded results to dst.
// The exact value T = (h0·u0 + h1·u1)/D + 1/2 is a multiple of 1/D ≥ 2^-26
// (D = 2·dstW·2·dstH is even); float64 computes it with an error below
// 2^-42 (T < 512), so adding 2^-32 and truncating gives floor(T) exactly.
func (f *affine) row(level int, dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1 float64) {
	n := (len(dst) + hblock - 1) / hblock * hblock
	if f.ok {
		vertAffineKernel(level, dst, h0[:n], h1[:n], a0, a1, 0.5+vertBias, f.a, f.b)
		return
	}
	vertKernel(level, dst, h0[:n], h1[:n], lut, a0, a1, 0.5+vertBias)
}
