package detect

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestAtLeast compares atLeast, with and without the vector scan, with a
// plain loop on vectors of every length up to 200 holding values below,
// at and above the threshold, negative values and NaNs.
func TestAtLeast(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	special := []float32{0.3, float32(math.NaN()), -1, float32(math.Inf(1)), float32(math.Inf(-1)), 0.29999998, 0.30000001}
	naive := func(v []float32, thr float32) int {
		for i, x := range v {
			if x >= thr {
				return i
			}
		}
		return -1
	}
	defer func(old bool) { hasAVX2 = old }(hasAVX2)
	for n := range 200 {
		for trial := range 20 {
			v := make([]float32, n)
			for i := range v {
				v[i] = rng.Float32() * 0.2
			}
			if n > 0 && trial > 0 {
				for range 1 + trial%3 {
					v[rng.IntN(n)] = special[rng.IntN(len(special))]
				}
			}
			want := naive(v, 0.3)
			for _, vec := range []bool{false, true} {
				hasAVX2 = vec && cpuHasAVX2()
				if got := atLeast(v, 0.3); got != want {
					t.Fatalf("n=%d vec=%v: atLeast = %d; want %d (%v)", n, vec, got, want, v)
				}
			}
		}
	}
}

// TestExpNonPos compares expNonPos with math.Exp over [−750, 0] and at
// the edges.
func TestExpNonPos(t *testing.T) {
	worst := 0.0
	for i := 0; i <= 750_000; i++ {
		x := -float64(i) / 1000
		got, want := expNonPos(x), math.Exp(x)
		if want == 0 || x < -708 {
			if got != 0 && x < -708 {
				t.Fatalf("expNonPos(%g) = %g; want 0", x, got)
			}
			continue
		}
		worst = max(worst, math.Abs(got-want)/want)
	}
	if worst > 1e-11 {
		t.Errorf("largest relative error %g; want ≤ 1e-11", worst)
	}
	for _, tt := range []struct{ x, want float64 }{{0, 1}, {math.Inf(-1), 0}, {1, math.E}, {-1e-300, 1}} {
		if got := expNonPos(tt.x); got != tt.want {
			t.Errorf("expNonPos(%g) = %g; want %g", tt.x, got, tt.want)
		}
	}
	if got := expNonPos(math.NaN()); !math.IsNaN(got) {
		t.Errorf("expNonPos(NaN) = %g; want NaN", got)
	}
}
