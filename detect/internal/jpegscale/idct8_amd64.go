package jpegscale

import "golang.org/x/sys/cpu"

// useAVX2 selects idct8AVX2 for full 8×8 blocks; tests turn it off to
// compare with the scalar code.
var useAVX2 = cpu.X86.HasAVX2

// idct8AVX2 is idct8's transform of the coefficients in blk (natural
// order) into 8×8 pixels at dst, rows stride apart, in idct8_amd64.s. It
// returns false, having written nothing, when a value is too large for its
// 32-bit lanes; the scalar code must then run. It does not clear blk.
//
//go:noescape
func idct8AVX2(blk *[64]int32, dst *byte, stride int) bool

// idct8Vec runs idct8AVX2 when the CPU has AVX2, after checking that the
// block's 8 rows lie inside dst, and clears blk when it did the work.
func idct8Vec(blk *[64]int32, dst []byte, off, stride int) bool {
	if !useAVX2 || stride < 8 {
		return false
	}
	_ = dst[off+7*stride+7] // the last byte written: panics rather than write past dst
	_ = dst[off]
	if !idct8AVX2(blk, &dst[off], stride) {
		return false
	}
	*blk = [64]int32{}
	return true
}
