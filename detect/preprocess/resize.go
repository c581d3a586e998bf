package preprocess

import "math/bits"

// The resize is exact rational arithmetic done in integers. Along an axis of
// n source and m destination pixels, destination index d samples the source
// at s = (d+0.5)·n/m − 0.5 = ((2d+1)·n − m) / (2m), so both bilinear weights
// are integers over 2m. A horizontal pass gives each channel times 2·nw; the
// vertical pass gives it times D = 2·nw · 2·nh, and the division by D rounds
// half up. The three channels of a pixel travel in 21-bit lanes of one
// uint64, so the horizontal pass needs one multiplication per sample for all
// three: 255 · 2 · MaxInputSide < 1<<21. The vertical sum is at most
// 511·D, and 511·D · 2D < 2^64, so one 64-bit multiply-high divides exactly.
const (
	lane     = 21
	laneMask = 1<<lane - 1
)

// scratch holds the tables and row buffers of one resize. Tables depend only
// on the source and destination sizes and are kept while they stay the same.
type scratch struct {
	srcW, srcH, dstW, dstH int

	cols  []int    // source columns that sampling reads, ascending
	xi    []int32  // per destination column: indices of its two samples in srow
	xw    []uint64 // per destination column: their weights, summing to 2·dstW
	yi    []int    // per destination row: its two source rows
	yw    []uint64 // per destination row: their weights, summing to 2·dstH
	mark  []int32  // per source column: index in cols, or -1
	den   uint64   // D = 2·dstW · 2·dstH
	magic uint64   // floor(2^64 / 2D) + 1: x/(2D) = high word of x·magic

	off, coff []int    // per entry of cols: offset in the pixel (or luma) and chroma rows
	srow      []uint64 // the entries of cols of one source row, packed
	h         [2][]uint64
	hy        [2]int // source row held by h[i], or -1

	ct    []cterm // YCbCr: chroma terms of the chroma row at offset ctRow
	ctRow int     // -1: none

	vec vec // the vector path's buffers (simd.go), unless vec.level is levelScalar
}

// axis returns the two source indices that destination index d samples along
// an axis of n source and m destination pixels, and their weights over 2m:
// half-pixel centres, clamped at both ends (cv2.resize INTER_LINEAR
// geometry, computed exactly).
func axis(d, n, m int) (i0, i1 int, w0, w1 uint64) {
	num, den := (2*d+1)*n-m, 2*m
	i0 = num / den
	if num < 0 && num%den != 0 {
		i0--
	}
	f := num - i0*den
	if i0 < 0 {
		i0, f = 0, 0
	}
	if i0 >= n-1 {
		i0, f = n-1, 0
	}
	return i0, min(i0+1, n-1), uint64(den - f), uint64(f)
}

func (s *scratch) prepare(sw, sh, dw, dh int) {
	if s.srcW != sw || s.dstW != dw || s.vec.level != simdLevel {
		s.prepareX(sw, dw)
	}
	if s.srcH != sh || s.dstH != dh {
		s.prepareY(sh, dh)
	}
	s.srcW, s.srcH, s.dstW, s.dstH = sw, sh, dw, dh
	s.den = uint64(4 * dw * dh)
	s.magic = ^uint64(0)/(2*s.den) + 1
	s.hy = [2]int{-1, -1}
	s.vec.hy = [2]int{-1, -1}
}

func (s *scratch) prepareX(sw, dw int) {
	s.mark = grow(s.mark, sw)
	for i := range s.mark {
		s.mark[i] = -1
	}
	s.xw = grow(s.xw, 2*dw)
	for d := range dw {
		x0, x1, w0, w1 := axis(d, sw, dw)
		s.mark[x0], s.mark[x1] = 0, 0
		s.xw[2*d], s.xw[2*d+1] = w0, w1
	}
	s.cols = s.cols[:0]
	for x, m := range s.mark {
		if m == 0 {
			s.mark[x] = int32(len(s.cols))
			s.cols = append(s.cols, x)
		}
	}
	s.xi = grow(s.xi, 2*dw)
	for d := range dw {
		x0, x1, _, _ := axis(d, sw, dw)
		s.xi[2*d], s.xi[2*d+1] = s.mark[x0], s.mark[x1]
	}
	n := len(s.cols)
	s.off, s.coff, s.srow = grow(s.off, n), grow(s.coff, n), grow(s.srow, n)
	s.h[0], s.h[1] = grow(s.h[0], dw), grow(s.h[1], dw)
	s.vec.level = simdLevel
	if simdLevel != levelScalar {
		s.vec.prepareX(s.xi, s.xw, n, dw)
	}
}

func (s *scratch) prepareY(sh, dh int) {
	s.yi, s.yw = grow(s.yi, 2*dh), grow(s.yw, 2*dh)
	for d := range dh {
		y0, y1, w0, w1 := axis(d, sh, dh)
		s.yi[2*d], s.yi[2*d+1] = y0, y1
		s.yw[2*d], s.yw[2*d+1] = w0, w1
	}
}

// grow returns a slice of length n, reusing b's array when it is big enough.
func grow[T any](b []T, n int) []T {
	if cap(b) < n {
		return make([]T, n)
	}
	return b[:n]
}

// rows returns the horizontally resampled source rows y0 and y1, computing
// those not already held. Rows arrive in ascending order, so the slot to
// reuse is the one holding the older row.
func (s *scratch) rows(y0, y1 int, src *source) (h0, h1 []uint64) {
	i0 := s.slot(y0, -1, src)
	i1 := s.slot(y1, i0, src)
	return s.h[i0], s.h[i1]
}

func (s *scratch) slot(y, keep int, src *source) int {
	i, held := slotFor(&s.hy, y, keep)
	if held {
		return i
	}
	src.load(y, s)
	hpass(s.h[i], s.srow, s.xi, s.xw)
	s.hy[i] = y
	return i
}

// slotFor returns which of two row slots holds source row y, or, when
// neither does (held false), the one to load it into: never keep, else the
// one holding the older row, since rows arrive in ascending order. Both
// the scalar and the vector path keep their rows this way.
func slotFor(hy *[2]int, y, keep int) (i int, held bool) {
	for i, r := range hy {
		if r == y {
			return i, true
		}
	}
	if keep == 0 || (keep != 1 && hy[1] < hy[0]) {
		return 1, false
	}
	return 0, false
}

// hpass resamples one packed source row along x.
func hpass(dst, srow []uint64, xi []int32, xw []uint64) {
	xi, xw = xi[:2*len(dst)], xw[:2*len(dst)]
	for d := range dst {
		dst[d] = srow[xi[2*d]]*xw[2*d] + srow[xi[2*d+1]]*xw[2*d+1]
	}
}

// resize writes rows y0 ≤ y < y1 of the resampled image into their place
// in dst.
func (p *Preprocessor) resize(dst []float32, g Geometry, s *scratch, src *source, y0, y1 int) {
	if s.vec.level != levelScalar && s.vec.ok {
		p.resizeVec(dst, g, s, src, y0, y1)
		return
	}
	W, plane := p.opts.Width, p.opts.Width*p.opts.Height
	pl := p.planeOf // source channel → tensor channel
	for y := y0; y < y1; y++ {
		h0, h1 := s.rows(s.yi[2*y], s.yi[2*y+1], src)
		v := vert{w0: 2 * s.yw[2*y], w1: 2 * s.yw[2*y+1], den: s.den, magic: s.magic}
		row := (g.OffsetY+y)*W + g.OffsetX
		if p.opts.Layout == NHWC {
			v.nhwc(dst[3*row:3*(row+g.Width)], h0, h1, &p.srcLUT, pl)
			continue
		}
		span := func(c int) []float32 { return dst[c*plane+row : c*plane+row+g.Width] }
		v.nchw(span(pl[0]), span(pl[1]), span(pl[2]), h0, h1, &p.srcLUT)
	}
}

// vert is the vertical pass of one destination row: weights doubled, so
// that adding D and dividing by 2D rounds half up.
type vert struct{ w0, w1, den, magic uint64 }

// nchw blends rows h0 and h1 into the R, G and B planes of one tensor row.
// The lane shifts are constants and the weights locals, which keeps the
// loop in registers.
func (v *vert) nchw(dR, dG, dB []float32, h0, h1 []uint64, lut *[3][256]float32) {
	w0, w1, den, magic := v.w0, v.w1, v.den, v.magic
	h0, h1 = h0[:len(dR)], h1[:len(dR)]
	dG, dB = dG[:len(dR)], dB[:len(dR)]
	for x := range dR {
		a, b := h0[x], h1[x]
		r, _ := bits.Mul64((a&laneMask)*w0+(b&laneMask)*w1+den, magic)
		g, _ := bits.Mul64((a>>lane&laneMask)*w0+(b>>lane&laneMask)*w1+den, magic)
		bl, _ := bits.Mul64((a>>(2*lane))*w0+(b>>(2*lane))*w1+den, magic)
		dR[x] = lut[0][uint8(r)]
		dG[x] = lut[1][uint8(g)]
		dB[x] = lut[2][uint8(bl)]
	}
}

// nhwc is nchw for interleaved pixels; pl[s] is the tensor channel of
// source channel s.
func (v *vert) nhwc(dst []float32, h0, h1 []uint64, lut *[3][256]float32, pl [3]int) {
	for x := range len(dst) / 3 {
		a, b := h0[x], h1[x]
		o := dst[3*x : 3*x+3 : 3*x+3]
		for c := range 3 {
			sh := uint(c * lane)
			q, _ := bits.Mul64((a>>sh&laneMask)*v.w0+(b>>sh&laneMask)*v.w1+v.den, v.magic)
			o[pl[c]] = lut[c][uint8(q)]
		}
	}
}

// fillPad writes the padding value around the resized image.
func (p *Preprocessor) fillPad(dst []float32, g Geometry) {
	if g.Width == p.opts.Width && g.Height == p.opts.Height {
		return
	}
	W, H := p.opts.Width, p.opts.Height
	for c := range 3 {
		v := p.lut[c][p.opts.PadValue]
		for y := range H {
			if y >= g.OffsetY && y < g.OffsetY+g.Height {
				p.fillSpan(dst, c, y*W, g.OffsetX, v)
				p.fillSpan(dst, c, y*W+g.OffsetX+g.Width, W-g.OffsetX-g.Width, v)
				continue
			}
			p.fillSpan(dst, c, y*W, W, v)
		}
	}
}

// fillSpan sets n pixels of channel c from pixel index i on.
func (p *Preprocessor) fillSpan(dst []float32, c, i, n int, v float32) {
	if p.opts.Layout == NHWC {
		for k := range n {
			dst[3*(i+k)+c] = v
		}
		return
	}
	i += c * p.opts.Width * p.opts.Height
	fill32(dst[i:i+n], v)
}

// fill32 sets every value of span to v, doubling a filled prefix with copy
// (memmove) rather than storing one value at a time.
func fill32(span []float32, v float32) {
	if len(span) == 0 {
		return
	}
	span[0] = v
	for k := 1; k < len(span); k *= 2 {
		copy(span[k:], span[:k])
	}
}
