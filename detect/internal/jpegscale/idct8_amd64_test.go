package jpegscale

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"golang.org/x/sys/cpu"
)

// TestIDCT8AVX2 compares the AVX2 transform with the scalar one on random
// blocks of every sparsity and magnitude: the pixels are the same, the
// coefficients are cleared, nothing outside the block is written, and
// blocks too large for 32-bit lanes fall back to the scalar code.
func TestIDCT8AVX2(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	defer func(v bool) { useAVX2 = v }(useAVX2)
	zz := zigzag()
	rng := rand.New(rand.NewPCG(1, 2))
	const stride, off = 13, 2*13 + 3
	vectorised := map[int32]int{}
	for trial := range 20000 {
		limit := []int32{4, 64, 1024, 8192, 1 << 14, 1 << 15, 1 << 20}[trial%7]
		last := 1 + rng.IntN(63)
		var blk [64]int32
		for k := 0; k <= last; k++ {
			if rng.IntN(3) > 0 || k == last {
				blk[zz[k]] = rng.Int32N(2*limit) - limit
			}
		}
		if trial%5 == 0 {
			blk[0] = rng.Int32N(2*1024) - 1024 // a typical DC
		}
		want := make([]byte, 12*stride)
		got := make([]byte, 12*stride)
		for i := range want {
			want[i], got[i] = byte(i), byte(i)
		}
		a, b := blk, blk
		useAVX2 = false
		idct8(&a, last, want, off, stride)
		useAVX2 = true
		c := blk
		if idct8AVX2(&c, &got[off], stride) {
			vectorised[limit]++
			for i := range got {
				got[i] = byte(i)
			}
		}
		idct8(&b, last, got, off, stride)
		if !bytes.Equal(got, want) {
			t.Fatalf("trial %d (limit %d, last %d): AVX2 pixels differ\ngot  %v\nwant %v\nblk %v", trial, limit, last, got, want, blk)
		}
		if a != ([64]int32{}) || b != ([64]int32{}) {
			t.Fatalf("trial %d: coefficients not cleared", trial)
		}
	}
	for _, limit := range []int32{4, 64} { // small coefficients always fit the lanes
		if n := vectorised[limit]; n < 20000/7 {
			t.Errorf("coefficients below %d: %d of %d blocks took the AVX2 path; want all", limit, n, 20000/7)
		}
	}
	t.Logf("blocks that took the AVX2 path, by coefficient limit: %v", vectorised)
}

// TestIDCT8AVX2Bounds refuses, without writing, an input beyond 2^14.
func TestIDCT8AVX2Bounds(t *testing.T) {
	if !cpu.X86.HasAVX2 {
		t.Skip("no AVX2")
	}
	for _, v := range []int32{1 << 14, -(1 << 14), 1 << 30, -1 << 31} {
		var blk [64]int32
		blk[9] = v
		dst := make([]byte, 64)
		if idct8AVX2(&blk, &dst[0], 8) || !bytes.Equal(dst, make([]byte, 64)) {
			t.Errorf("coefficient %d: the AVX2 transform ran or wrote", v)
		}
	}
}
