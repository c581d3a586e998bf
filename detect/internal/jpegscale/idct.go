package jpegscale

import "encoding/binary"

// The inverse DCTs below compute, for an N-point output (N = 8/scale) from
// the N×N lowest-frequency coefficients X of an 8×8 block,
//
//	p(x, y) = 128 + 1/8 · Σu Σv c(u) c(v) X(v, u) cos((2x+1)uπ/2N) cos((2y+1)vπ/2N)
//
// with c(0) = 1 and c(k) = √2 otherwise. For N = 8 this is the JPEG IDCT;
// for smaller N it is the N-point IDCT of the coefficients rescaled by
// √(N/8) per dimension, which approximates the mean of each scale×scale
// pixel square. Each is separable: a 1-D pass over the columns keeps
// colBits extra fraction bits, one over the rows removes them.

// Fixed-point constants, scaled by 2^constBits: kN = √2·cos(Nπ/16).
const (
	constBits = 13
	colBits   = 3
	k1        = 11363 // √2·cos(π/16)
	k2        = 10703 // √2·cos(2π/16)
	k3        = 9633  // √2·cos(3π/16)
	k5        = 6436  // √2·cos(5π/16)
	k6        = 4433  // √2·cos(6π/16)
	k7        = 2260  // √2·cos(7π/16)

	colShift = constBits - colBits
	colRound = 1 << (colShift - 1)
	rowShift = constBits + colBits + 3 // and the 1/8
	rowBias  = 128<<rowShift + 1<<(rowShift-1)
)

// idctFunc turns the dequantised coefficients in blk into size×size pixels
// at dst[off:], rows stride apart, and clears the coefficients it read.
// last is the zig-zag index of the last coefficient decoded.
type idctFunc func(blk *[64]int32, last int, dst []byte, off, stride int)

// idcts is indexed by the output block size.
var idcts = [9]idctFunc{1: idct1, 2: idct2, 4: idct4, 8: idct8}

// remaps maps, for each output block size N, a zig-zag index to its
// natural position in an 8×8 block when it lies in the top-left N×N
// corner, and to 63 (never read when N < 8) otherwise.
var remaps = func() (r [9][64]uint8) {
	zz := zigzag()
	for _, n := range []int{1, 2, 4, 8} {
		for k, nat := range zz {
			r[n][k] = 63
			if int(nat)/8 < n && int(nat)%8 < n {
				r[n][k] = nat
			}
		}
	}
	return r
}()

// zigzag returns the natural index of each zig-zag position (T.81 figure
// A.6): the anti-diagonals of the block, walked in alternating directions.
func zigzag() (zz [64]uint8) {
	k := 0
	for s := 0; s < 15; s++ {
		for i := 0; i <= s; i++ {
			r := i // odd diagonals run down-left
			if s%2 == 0 {
				r = s - i // even ones run up-right
			}
			c := s - r
			if r < 8 && c < 8 {
				zz[k] = uint8(r*8 + c)
				k++
			}
		}
	}
	return zz
}

// clamp converts v to a sample, saturating at 0 and 255.
func clamp(v int) byte {
	if uint(v) <= 255 {
		return byte(v)
	}
	if v < 0 {
		return 0
	}
	return 255
}

// dcPixel is the pixel value of a block with only a DC coefficient.
func dcPixel(dc int32) byte { return clamp((int(dc) + 1024 + 4) >> 3) }

// idct1 writes the single pixel of a 1/8-scale block: its DC.
func idct1(blk *[64]int32, _ int, dst []byte, off, _ int) {
	dst[off] = dcPixel(blk[0])
	blk[0] = 0
}

// idct2 writes the 2×2 pixels of a 1/4-scale block.
func idct2(blk *[64]int32, _ int, dst []byte, off, stride int) {
	a, b, c, d := int(blk[0])+1024+4, int(blk[1]), int(blk[8]), int(blk[9])
	blk[0], blk[1], blk[8], blk[9] = 0, 0, 0, 0
	r0 := dst[off : off+2 : off+2]
	r0[0], r0[1] = clamp((a+b+c+d)>>3), clamp((a-b+c-d)>>3)
	r1 := dst[off+stride : off+stride+2 : off+stride+2]
	r1[0], r1[1] = clamp((a+b-c-d)>>3), clamp((a-b-c+d)>>3)
}

// idct4 writes the 4×4 pixels of a 1/2-scale block.
func idct4(blk *[64]int32, _ int, dst []byte, off, stride int) {
	var ws [16]int
	for c := range 4 {
		y0, y1, y2, y3 := idct4x1(int(blk[c]), int(blk[8+c]), int(blk[16+c]), int(blk[24+c]))
		blk[c], blk[8+c], blk[16+c], blk[24+c] = 0, 0, 0, 0
		ws[c] = (y0 + colRound) >> colShift
		ws[4+c] = (y1 + colRound) >> colShift
		ws[8+c] = (y2 + colRound) >> colShift
		ws[12+c] = (y3 + colRound) >> colShift
	}
	for r := range 4 {
		w := ws[4*r : 4*r+4 : 4*r+4]
		y0, y1, y2, y3 := idct4x1(w[0]+rowBias>>constBits, w[1], w[2], w[3])
		o := off + r*stride
		p := dst[o : o+4 : o+4]
		p[0], p[1], p[2], p[3] = clamp(y0>>rowShift), clamp(y1>>rowShift), clamp(y2>>rowShift), clamp(y3>>rowShift)
	}
}

// idct4x1 is the 4-point 1-D IDCT, scaled by 2^constBits.
func idct4x1(x0, x1, x2, x3 int) (y0, y1, y2, y3 int) {
	e0, e1 := (x0+x2)<<constBits, (x0-x2)<<constBits
	o0, o1 := x1*k2+x3*k6, x1*k6-x3*k2
	return e0 + o0, e1 + o1, e1 - o1, e0 - o0
}

// fill8 sets an 8×8 block of pixels to v.
func fill8(dst []byte, off, stride int, v byte) {
	row := uint64(v) * 0x0101010101010101
	for r := range 8 {
		o := off + r*stride
		binary.LittleEndian.PutUint64(dst[o:o+8], row)
	}
}
