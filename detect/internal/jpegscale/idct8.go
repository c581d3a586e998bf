package jpegscale

// lowLast is the largest zig-zag index whose coefficients all lie in the
// top-left 4×4 corner of a block (positions 0 to 9).
const lowLast = 9

// idct8 writes the 8×8 pixels of a full-scale block. A block with only a
// DC coefficient is a flat fill; columns and rows whose AC terms are all
// zero skip the multiplications.
func idct8(blk *[64]int32, last int, dst []byte, off, stride int) {
	if last == 0 {
		fill8(dst, off, stride, dcPixel(blk[0]))
		blk[0] = 0
		return
	}
	if idct8Vec(blk, dst, off, stride) {
		return
	}
	if last <= lowLast {
		idct8Low(blk, dst, off, stride)
		return
	}
	var ws [64]int32
	for c := range 8 {
		idct8Column(blk, &ws, c)
	}
	*blk = [64]int32{}
	for r := range 8 {
		w := (*[8]int32)(ws[8*r : 8*r+8])
		o := off + r*stride
		idct8Row(w, (*[8]byte)(dst[o:o+8]))
	}
}

// idct8Column transforms column c of blk into ws, keeping colBits extra
// fraction bits.
func idct8Column(blk *[64]int32, ws *[64]int32, c int) {
	c &= 7
	x1, x2, x3, x4 := int(blk[8+c]), int(blk[16+c]), int(blk[24+c]), int(blk[32+c])
	x5, x6, x7 := int(blk[40+c]), int(blk[48+c]), int(blk[56+c])
	if x1|x2|x3|x4|x5|x6|x7 == 0 {
		v := blk[c] << colBits
		ws[c], ws[8+c], ws[16+c], ws[24+c] = v, v, v, v
		ws[32+c], ws[40+c], ws[48+c], ws[56+c] = v, v, v, v
		return
	}
	y0, y1, y2, y3, y4, y5, y6, y7 := idct8x1(int(blk[c]), x1, x2, x3, x4, x5, x6, x7)
	ws[c] = int32((y0 + colRound) >> colShift)
	ws[8+c] = int32((y1 + colRound) >> colShift)
	ws[16+c] = int32((y2 + colRound) >> colShift)
	ws[24+c] = int32((y3 + colRound) >> colShift)
	ws[32+c] = int32((y4 + colRound) >> colShift)
	ws[40+c] = int32((y5 + colRound) >> colShift)
	ws[48+c] = int32((y6 + colRound) >> colShift)
	ws[56+c] = int32((y7 + colRound) >> colShift)
}

// idct8Row transforms one row of ws into pixels, removing the extra
// fraction bits, the 1/8 and the level shift.
func idct8Row(w *[8]int32, p *[8]byte) {
	x0 := int(w[0]) + rowBias>>constBits
	if w[1]|w[2]|w[3]|w[4]|w[5]|w[6]|w[7] == 0 {
		v := clamp(x0 >> (rowShift - constBits))
		*p = [8]byte{v, v, v, v, v, v, v, v}
		return
	}
	y0, y1, y2, y3, y4, y5, y6, y7 := idct8x1(x0, int(w[1]), int(w[2]), int(w[3]),
		int(w[4]), int(w[5]), int(w[6]), int(w[7]))
	p[0], p[1] = clamp(y0>>rowShift), clamp(y1>>rowShift)
	p[2], p[3] = clamp(y2>>rowShift), clamp(y3>>rowShift)
	p[4], p[5] = clamp(y4>>rowShift), clamp(y5>>rowShift)
	p[6], p[7] = clamp(y6>>rowShift), clamp(y7>>rowShift)
}

// idct8x1 is the 8-point 1-D IDCT, scaled by 2^constBits: an even half
// from x0, x2, x4, x6 (itself a 4-point IDCT) and an odd half from x1, x3,
// x5, x7, combined by a final butterfly.
func idct8x1(x0, x1, x2, x3, x4, x5, x6, x7 int) (y0, y1, y2, y3, y4, y5, y6, y7 int) {
	a0, a1 := (x0+x4)<<constBits, (x0-x4)<<constBits
	b0, b1 := x2*k2+x6*k6, x2*k6-x6*k2
	e0, e1, e2, e3 := a0+b0, a1+b1, a1-b1, a0-b0
	o0 := x1*k1 + x3*k3 + x5*k5 + x7*k7
	o1 := x1*k3 - x3*k7 - x5*k1 - x7*k5
	o2 := x1*k5 - x3*k1 + x5*k7 + x7*k3
	o3 := x1*k7 - x3*k5 + x5*k3 - x7*k1
	return e0 + o0, e1 + o1, e2 + o2, e3 + o3, e3 - o3, e2 - o2, e1 - o1, e0 - o0
}
