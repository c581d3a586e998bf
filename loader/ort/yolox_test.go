package ort_test

import (
	"context"
	"math"
	"slices"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"
)

// Reference statistics of YOLOX-Nano's output for an input of constant 114
// (ONNX Runtime 1.30, CPU).
var yoloxRef = struct {
	sum, min, max float64
	first         []float64
}{16949.78, -2.245387, 4.097738, []float64{1.252762, 1.356098, 0.957846, 0.82903, 0, 0.038846, 0.000072, 0.027957}}

// near reports whether got is within a relative tolerance of want, with an
// absolute tolerance for values near zero.
func near(got, want, rel float64) bool {
	return math.Abs(got-want) <= rel*math.Abs(want)+1e-5
}

// checkYOLOX compares a YOLOX output with yoloxRef.
func checkYOLOX(t *testing.T, out *ort.Value) {
	t.Helper()
	if got := out.Shape(); !slices.Equal(got, []int64{1, 3549, 85}) {
		t.Fatalf("shape %v; want [1 3549 85]", got)
	}
	data := out.Float32s()
	var sum float64
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, v := range data {
		sum += float64(v)
		lo, hi = min(lo, float64(v)), max(hi, float64(v))
	}
	stats := []struct {
		name      string
		got, want float64
	}{{"sum", sum, yoloxRef.sum}, {"min", lo, yoloxRef.min}, {"max", hi, yoloxRef.max}}
	for i, w := range yoloxRef.first {
		stats = append(stats, struct {
			name      string
			got, want float64
		}{"first[" + string(rune('0'+i)) + "]", float64(data[i]), w})
	}
	for _, s := range stats {
		if !near(s.got, s.want, 1e-5) {
			t.Errorf("%s = %.6f; want %.6f", s.name, s.got, s.want)
		}
	}
}

func TestYOLOXConstantInput(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1})
	in := constantInput(t)
	outs, err := s.Run(context.Background(), []*ort.Value{in}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer outs[0].Close()
	checkYOLOX(t, outs[0])
}

func TestYOLOXPreallocatedOutput(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1, GraphOptimization: ort.OptAll})
	in := constantInput(t)
	out, err := ort.NewEmptyTensor[float32]([]int64{1, 3549, 85})
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	for range 2 { // the second run reuses both OrtValues
		outs, err := s.Run(context.Background(), []*ort.Value{in}, []*ort.Value{out})
		if err != nil {
			t.Fatal(err)
		}
		if outs[0] != out {
			t.Fatal("Run did not return the pre-allocated output")
		}
		checkYOLOX(t, out)
	}
}
