//go:build !amd64

package jpegscale

// useAVX2 is false where there is no AVX2 kernel.
var useAVX2 = false

// idct8Vec reports that there is no vector transform on this platform.
func idct8Vec(blk *[64]int32, dst []byte, off, stride int) bool { return false }
