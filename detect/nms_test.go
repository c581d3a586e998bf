package detect

import (
	"math"
	"slices"
	"testing"
)

// det builds a detection for tests; id is carried in Label to follow it.
func det(id string, class int, conf float32, x1, y1, x2, y2 float32) Detection {
	return Detection{Label: id, Class: class, Confidence: conf, Box: Box{x1, y1, x2, y2}}
}

func ids(dets []Detection) []string {
	out := []string{}
	for _, d := range dets {
		out = append(out, d.Label)
	}
	return out
}

func TestIoU(t *testing.T) {
	tests := []struct {
		a, b Box
		want float32
	}{
		{Box{0, 0, 10, 10}, Box{0, 0, 10, 10}, 1},
		{Box{0, 0, 10, 10}, Box{5, 0, 15, 10}, 50.0 / 150},
		{Box{0, 0, 10, 10}, Box{10, 0, 20, 10}, 0}, // touching: no "+1"
		{Box{0, 0, 10, 10}, Box{2, 2, 4, 4}, 4.0 / 100},
		{Box{0, 0, 0, 0}, Box{0, 0, 0, 0}, 0},
		{Box{5, 5, 1, 1}, Box{0, 0, 10, 10}, 0}, // inverted
	}
	for _, tt := range tests {
		if got := tt.a.IoU(tt.b); math.Abs(float64(got-tt.want)) > 1e-6 {
			t.Errorf("%v.IoU(%v) = %v; want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestNMS(t *testing.T) {
	tests := []struct {
		name string
		in   []Detection
		opts NMSOptions
		want []string
	}{
		{
			// The ordering trap: the input is not sorted; a naive pass in
			// input order would keep "low" and drop "high".
			name: "unsorted input",
			in:   []Detection{det("low", 0, 0.5, 0, 0, 10, 10), det("high", 0, 0.9, 1, 1, 11, 11)},
			opts: NMSOptions{IoU: 0.45},
			want: []string{"high"},
		},
		{
			name: "per class keeps overlapping boxes of different classes",
			in:   []Detection{det("dog", 16, 0.8, 0, 0, 10, 10), det("cat", 15, 0.7, 0, 0, 10, 10)},
			opts: NMSOptions{IoU: 0.5},
			want: []string{"dog", "cat"},
		},
		{
			name: "class agnostic",
			in:   []Detection{det("cat", 15, 0.7, 0, 0, 10, 10), det("dog", 16, 0.8, 0, 0, 10, 10)},
			opts: NMSOptions{IoU: 0.5, ClassAgnostic: true},
			want: []string{"dog"},
		},
		{
			name: "IoU must exceed the threshold",
			in:   []Detection{det("a", 0, 0.9, 0, 0, 10, 10), det("b", 0, 0.8, 5, 0, 15, 10)}, // IoU 1/3
			opts: NMSOptions{IoU: float32(50.0 / 150)},
			want: []string{"a", "b"},
		},
		{
			name: "only kept boxes suppress",
			// b is suppressed by a; c overlaps b but not a, so it stays.
			in:   []Detection{det("c", 0, 0.7, 16, 0, 26, 10), det("a", 0, 0.9, 0, 0, 10, 10), det("b", 0, 0.8, 8, 0, 18, 10)},
			opts: NMSOptions{IoU: 0.1},
			want: []string{"a", "c"},
		},
		{
			name: "equal scores keep input order",
			in:   []Detection{det("x", 0, 0.5, 0, 0, 1, 1), det("y", 1, 0.5, 0, 0, 1, 1), det("z", 2, 0.5, 0, 0, 1, 1)},
			opts: NMSOptions{IoU: 0.5},
			want: []string{"x", "y", "z"},
		},
		{
			name: "score threshold and NaN",
			in:   []Detection{det("a", 0, 0.29, 0, 0, 1, 1), det("b", 0, 0.3, 5, 5, 6, 6), det("n", 0, float32(math.NaN()), 9, 9, 10, 10)},
			opts: NMSOptions{IoU: 0.5, ScoreThreshold: 0.3},
			want: []string{"b"},
		},
		{
			name: "max per class",
			in: []Detection{det("a1", 0, 0.9, 0, 0, 1, 1), det("a2", 0, 0.8, 5, 5, 6, 6), det("a3", 0, 0.7, 9, 9, 10, 10),
				det("b1", 1, 0.6, 0, 0, 1, 1)},
			opts: NMSOptions{IoU: 0.5, MaxPerClass: 2},
			want: []string{"a1", "a2", "b1"},
		},
		{
			name: "max detections keeps the best",
			in:   []Detection{det("c", 0, 0.1, 20, 20, 21, 21), det("a", 0, 0.9, 0, 0, 1, 1), det("b", 1, 0.5, 5, 5, 6, 6)},
			opts: NMSOptions{IoU: 0.5, MaxDetections: 2},
			want: []string{"a", "b"},
		},
		{name: "empty", in: nil, opts: NMSOptions{IoU: 0.5}, want: []string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ids(NMS(slices.Clone(tt.in), tt.opts))
			if !slices.Equal(got, tt.want) {
				t.Errorf("NMS = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestNMSDoesNotAllocate(t *testing.T) {
	in := make([]Detection, 200)
	for i := range in {
		f := float32(i % 20 * 7)
		in[i] = det("x", i%3, float32(i%17)/17, f, f, f+10, f+10)
	}
	buf := make([]Detection, len(in))
	allocs := testing.AllocsPerRun(100, func() {
		copy(buf, in)
		NMS(buf, NMSOptions{IoU: 0.5, MaxPerClass: 5})
	})
	if allocs != 0 {
		t.Errorf("NMS allocates %v times per call; want 0", allocs)
	}
}
