package jpegscale

// idct8Low is idct8 for a block whose nonzero coefficients all lie in the
// top-left 4×4 corner: only four columns are transformed, and both passes
// drop the terms of x4 to x7.
func idct8Low(blk *[64]int32, dst []byte, off, stride int) {
	var ws [64]int32
	for c := range 4 {
		x0, x1, x2, x3 := int(blk[c]), int(blk[8+c]), int(blk[16+c]), int(blk[24+c])
		blk[c], blk[8+c], blk[16+c], blk[24+c] = 0, 0, 0, 0
		if x1|x2|x3 == 0 {
			v := int32(x0 << colBits)
			ws[c], ws[8+c], ws[16+c], ws[24+c] = v, v, v, v
			ws[32+c], ws[40+c], ws[48+c], ws[56+c] = v, v, v, v
			continue
		}
		y0, y1, y2, y3, y4, y5, y6, y7 := idct8x1Low(x0, x1, x2, x3)
		ws[c] = int32((y0 + colRound) >> colShift)
		ws[8+c] = int32((y1 + colRound) >> colShift)
		ws[16+c] = int32((y2 + colRound) >> colShift)
		ws[24+c] = int32((y3 + colRound) >> colShift)
		ws[32+c] = int32((y4 + colRound) >> colShift)
		ws[40+c] = int32((y5 + colRound) >> colShift)
		ws[48+c] = int32((y6 + colRound) >> colShift)
		ws[56+c] = int32((y7 + colRound) >> colShift)
	}
	for r := range 8 {
		w := (*[4]int32)(ws[8*r : 8*r+4])
		o := off + r*stride
		idct8RowLow(w, (*[8]byte)(dst[o:o+8]))
	}
}

// idct8RowLow is idct8Row for a row whose last four terms are zero.
func idct8RowLow(w *[4]int32, p *[8]byte) {
	x0 := int(w[0]) + rowBias>>constBits
	if w[1]|w[2]|w[3] == 0 {
		v := clamp(x0 >> (rowShift - constBits))
		*p = [8]byte{v, v, v, v, v, v, v, v}
		return
	}
	y0, y1, y2, y3, y4, y5, y6, y7 := idct8x1Low(x0, int(w[1]), int(w[2]), int(w[3]))
	p[0], p[1] = clamp(y0>>rowShift), clamp(y1>>rowShift)
	p[2], p[3] = clamp(y2>>rowShift), clamp(y3>>rowShift)
	p[4], p[5] = clamp(y4>>rowShift), clamp(y5>>rowShift)
	p[6], p[7] = clamp(y6>>rowShift), clamp(y7>>rowShift)
}

// idct8x1Low is idct8x1 with x4 = x5 = x6 = x7 = 0.
func idct8x1Low(x0, x1, x2, x3 int) (y0, y1, y2, y3, y4, y5, y6, y7 int) {
	a := x0 << constBits
	b0, b1 := x2*k2, x2*k6
	e0, e1, e2, e3 := a+b0, a+b1, a-b1, a-b0
	o0 := x1*k1 + x3*k3
	o1 := x1*k3 - x3*k7
	o2 := x1*k5 - x3*k1
	o3 := x1*k7 - x3*k5
	return e0 + o0, e1 + o1, e2 + o2, e3 + o3, e3 - o3, e2 - o2, e1 - o1, e0 - o0
}
