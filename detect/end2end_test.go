package detect

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestEnd2EndDecode(t *testing.T) {
	cfg := yoloConfig("end2end")
	cfg.Input.Placement, cfg.Input.Rounding = "center", "nearest"
	rows := func(r ...[6]float32) Tensor {
		out := zeros("output0", 1, 300, 6)
		for i, v := range r {
			copy(out.Data[i*6:], v[:])
		}
		return out
	}
	// 1280×720 at r = 0.5 is 640×360, 140 rows of padding above.
	a := [6]float32{100, 240, 300, 440, 0.9, 16}
	b := [6]float32{102, 242, 302, 442, 0.8, 16} // IoU with a ≈ 0.96: NMS would drop it
	low := [6]float32{0, 140, 10, 150, 0.2, 0}
	tests := []struct {
		name  string
		max   int
		out   Tensor
		wants []want
	}{
		{"no suppression", 0, rows(b, low, a), []want{{"dog", 0.9, Box{200, 200, 600, 600}}, {"dog", 0.8, Box{204, 204, 604, 604}}}},
		{"max detections", 1, rows(b, a), []want{{"dog", 0.9, Box{200, 200, 600, 600}}}},
		{"clipped", 0, rows([6]float32{-50, 100, 700, 520, 0.5, 0}), []want{{"person", 0.5, Box{0, 0, 1280, 720}}}},
		{"padding rows only", 0, rows(), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg
			c.MaxDetections = tt.max
			p := newPipeline(t, c)
			if err := p.Check([]TensorInfo{{"images", []int64{1, 3, 640, 640}}}, []TensorInfo{tt.out.Info()}); err != nil {
				t.Fatal(err)
			}
			got, err := p.Postprocess([]Tensor{tt.out}, p.Geometry(1280, 720))
			if err != nil {
				t.Fatal(err)
			}
			checkDetections(t, got, tt.wants)
		})
	}
}

func TestEnd2EndErrors(t *testing.T) {
	p := newPipeline(t, yoloConfig("end2end"))
	g := p.Geometry(640, 640)
	tests := []struct {
		name string
		out  Tensor
		msg  string
	}{
		{"class out of range", Tensor{"o", []int64{1, 1, 6}, []float32{0, 0, 5, 5, 0.9, 80}}, "class ids 0..79 (row 0 has class 80"},
		{"fractional class", Tensor{"o", []int64{1, 1, 6}, []float32{0, 0, 5, 5, 0.9, 2.5}}, "row 0 has class 2.5"},
		{"NaN class", Tensor{"o", []int64{1, 2, 6}, []float32{0, 0, 5, 5, 0.1, 0, 0, 0, 5, 5, 0.9, float32(math.NaN())}}, "row 1 has class NaN"},
		{"seven columns", zeros("o", 1, 300, 7), "want [1,N,6] with rows x1,y1,x2,y2,score,class in input pixels"},
		{"short data", Tensor{"o", []int64{1, 2, 6}, make([]float32, 6)}, "batch item 0 of 12 values"},
	}
	for _, tt := range tests {
		_, err := p.Postprocess([]Tensor{tt.out}, g)
		if !errors.Is(err, ErrShape) || !strings.Contains(err.Error(), tt.msg) {
			t.Errorf("%s: err = %v; want ErrShape with %q", tt.name, err, tt.msg)
		}
	}
}

func TestCheckHint(t *testing.T) {
	yolox := readConfig(t, "yolox_nano.json")
	in := []TensorInfo{{"images", []int64{1, 3, 416, 416}}}
	tests := []struct {
		name string
		cfg  Config
		out  []int64
		hint string
	}{
		{"yolov8 layout", yolox, []int64{1, 84, 3549}, `the outputs fit decoder "yolov8"`},
		{"end2end layout", yolox, []int64{1, 300, 6}, `the outputs fit decoder "end2end"`},
		{"yolox layout", yoloConfig("yolov8"), []int64{1, 8400, 85}, `the outputs fit decoder "yolox"`},
		{"nothing fits", yolox, []int64{1, 3549, 7}, `no decoder fits the outputs: `},
	}
	for _, tt := range tests {
		in := in
		if tt.cfg.Input.Width == 640 {
			in = []TensorInfo{{"images", []int64{1, 3, 640, 640}}}
		}
		err := newPipeline(t, tt.cfg).Check(in, []TensorInfo{{"output", tt.out}})
		var se *ShapeError
		if !errors.As(err, &se) || !strings.HasPrefix(se.Hint, tt.hint) || !strings.Contains(err.Error(), tt.hint) {
			t.Errorf("%s: err = %v; want the hint %q", tt.name, err, tt.hint)
		}
	}
	err := newPipeline(t, yolox).Check(in, []TensorInfo{{"output", []int64{1, 3549, 7}}})
	if want := "end2end wants [1,N,6] with rows x1,y1,x2,y2,score,class in input pixels; "; !strings.Contains(err.Error(), want) {
		t.Errorf("%v: does not say %q", err, want)
	}
	for _, kind := range Decoders() {
		if !strings.Contains(err.Error(), kind+" wants ") {
			t.Errorf("%v: does not say what %s wants", err, kind)
		}
	}
}
