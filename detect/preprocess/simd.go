package preprocess

import "math"

// The vector path (used when useSIMD is set, on CPUs with the kernels of
// simd_amd64.s) computes the same integers as the scalar path in another
// layout. A source row is held as three planes of uint16, one per channel,
// over the compact columns of scratch.cols. The horizontal pass resamples
// 16 destination columns at a time: their two samples lie within 32
// consecutive compact columns (each destination column reads at most two
// columns, and every column between the first and the last read is read by
// one of them), so one word permute gathers the (x0, x1) pairs and one
// multiply-add of 16-bit words weights them: h = p0·w0 + p1·w1 < 2^21 as an
// int32. The vertical pass computes q = floor((h0·u0 + h1·u1)/D + 1/2) in
// float64 (see vertRow) and looks q up in the float32 table with a gather.

// hblock is the number of destination columns the horizontal kernel
// resamples at a time; cblock the number of compact columns the YCbCr
// kernel converts at a time from a 64-byte window of the luma and chroma
// rows.
const (
	hblock = 16
	cblock = 16
	cwin   = 64
)

// vec holds the planar buffers and kernel tables of the vector path.
type vec struct {
	ok     bool        // the horizontal tables fit the kernel
	nb     int         // blocks of hblock destination columns
	hbase  []int32     // per block: first compact column it reads
	hidx   []uint16    // per block: 2·hblock word indices from hbase, (x0, x1) per column
	hw     []int16     // per block: their weights
	planes [3][]uint16 // one source row by channel (R, G, B), compact columns, padded
	h      [2][3][]int32
	hy     [2]int // source row held by h[i], or -1
	out    [3][]float32

	// lutOf is the table that affine was checked against.
	lutOf  *[3][256]float32
	affine [3]affine

	// YCbCr: per block of cblock compact columns, the window start in the
	// luma and chroma rows and the byte index of each column in the window,
	// at bytes 0, 1, 2 (luma) and 0 (chroma) of a 4-byte lane; cnb blocks
	// have windows narrower than cwin.
	cnb          int
	ybase, cbase []int32
	yidx, cidx   []uint8
}

// prepareX builds the horizontal tables from the scalar ones.
func (v *vec) prepareX(xi []int32, xw []uint64, ncols, dw int) {
	v.nb = (dw + hblock - 1) / hblock
	v.hbase = grow(v.hbase, v.nb)
	v.hidx, v.hw = grow(v.hidx, 2*hblock*v.nb), grow(v.hw, 2*hblock*v.nb)
	v.ok = true
	for b := range v.nb {
		base := xi[2*hblock*b]
		v.hbase[b] = base
		for j := range hblock {
			d, k := hblock*b+j, 2*(hblock*b+j)
			i0, i1, w0, w1 := base, base, uint64(0), uint64(0)
			if d < dw {
				i0, i1, w0, w1 = xi[2*d], xi[2*d+1], xw[2*d], xw[2*d+1]
			}
			v.ok = v.ok && i1-base < 2*hblock && w0 < 1<<15 && w1 < 1<<15
			v.hidx[k], v.hidx[k+1] = uint16(i0-base), uint16(i1-base)
			v.hw[k], v.hw[k+1] = int16(w0), int16(w1)
		}
	}
	for c := range 3 {
		v.planes[c] = grow(v.planes[c], ncols+2*hblock)
		v.h[0][c], v.h[1][c] = grow(v.h[0][c], hblock*v.nb), grow(v.h[1][c], hblock*v.nb)
		v.out[c] = grow(v.out[c], dw)
	}
}

// bindYCbCr builds the conversion tables from the luma and chroma offsets
// of the compact columns. Blocks from the first whose window is too wide
// on are converted by loadYCbCr in Go.
func (v *vec) bindYCbCr(off, coff []int) {
	nb := len(off) / cblock
	v.ybase, v.cbase = grow(v.ybase, nb), grow(v.cbase, nb)
	v.yidx, v.cidx = grow(v.yidx, 4*cblock*nb), grow(v.cidx, 4*cblock*nb)
	v.cnb = nb
	for b := range nb {
		k := cblock * b
		yb, cb := off[k], coff[k]
		if off[k+cblock-1]-yb >= cwin || coff[k+cblock-1]-cb >= cwin {
			v.cnb = b
			return
		}
		v.ybase[b], v.cbase[b] = int32(yb), int32(cb)
		for j := range cblock {
			yi, ci := uint8(off[k+j]-yb), uint8(coff[k+j]-cb)
			v.yidx[4*(k+j)], v.yidx[4*(k+j)+1], v.yidx[4*(k+j)+2] = yi, yi, yi
			v.cidx[4*(k+j)] = ci
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
	for i, hy := range v.hy {
		if hy == y {
			return i
		}
	}
	i := 0
	if keep == 0 || (keep != 1 && v.hy[1] < v.hy[0]) {
		i = 1
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
				v.affine[c].row(v.out[c][:g.Width], h0[c], h1[c], &p.srcLUT[c], a0, a1)
			}
			interleave(dst[3*row:3*(row+g.Width)], &v.out, pl)
			continue
		}
		for c := range 3 {
			o := pl[c]*plane + row
			v.affine[c].row(dst[o:o+g.Width], h0[c], h1[c], &p.srcLUT[c], a0, a1)
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
func (f *affine) row(dst []float32, h0, h1 []int32, lut *[256]float32, a0, a1 float64) {
	n := (len(dst) + hblock - 1) / hblock * hblock
	if f.ok {
		vertAffineKernel(dst, h0[:n], h1[:n], a0, a1, 0.5+vertBias, f.a, f.b)
		return
	}
	vertKernel(dst, h0[:n], h1[:n], lut, a0, a1, 0.5+vertBias)
}
