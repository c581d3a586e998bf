package detect

import (
	"errors"
	"math"
	"os"
	"strings"
	"testing"
)

func cocoLabels(t testing.TB) []string {
	t.Helper()
	labels, err := LoadLabels(os.DirFS("testdata"), "coco80_labels.txt")
	if err != nil {
		t.Fatal(err)
	}
	return labels
}

func newPipeline(t testing.TB, cfg Config) *Pipeline {
	t.Helper()
	p, err := NewPipeline(cfg, cocoLabels(t))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func zeros(name string, shape ...int64) Tensor {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return Tensor{Name: name, Shape: shape, Data: make([]float32, n)}
}

// want is an expected detection: label, confidence and pixel box.
type want struct {
	label string
	conf  float32
	box   Box
}

func checkDetections(t *testing.T, got []Detection, wants []want) {
	t.Helper()
	if len(got) != len(wants) {
		t.Fatalf("got %d detections %+v; want %d", len(got), got, len(wants))
	}
	for i, w := range wants {
		g := got[i]
		if g.Label != w.label || math.Abs(float64(g.Confidence-w.conf)) > 1e-5 || !near(g.Box, w.box, 0.01) {
			t.Errorf("detection %d = %s %.4f %+v; want %s %.4f %+v", i, g.Label, g.Confidence, g.Box, w.label, w.conf, w.box)
		}
	}
}

func near(a, b Box, tol float64) bool {
	return math.Abs(float64(a.X1-b.X1)) <= tol && math.Abs(float64(a.Y1-b.Y1)) <= tol &&
		math.Abs(float64(a.X2-b.X2)) <= tol && math.Abs(float64(a.Y2-b.Y2)) <= tol
}

// putYOLOX encodes a box given in model-input pixels at a grid cell of
// stride s: row index, then [tx, ty, tw, th, obj, p...].
func putYOLOX(out []float32, row, gw, s int, b Box, obj float32, class int, p float32) {
	cx, cy := float64(b.X1+b.X2)/2/float64(s), float64(b.Y1+b.Y2)/2/float64(s)
	gx, gy := math.Floor(cx), math.Floor(cy)
	i := row + int(gy)*gw + int(gx)
	r := out[i*85 : (i+1)*85]
	r[0], r[1] = float32(cx-gx), float32(cy-gy)
	r[2], r[3] = float32(math.Log(float64(b.Width())/float64(s))), float32(math.Log(float64(b.Height())/float64(s)))
	r[4], r[5+class] = obj, p
}

func TestYOLOXDecode(t *testing.T) {
	p := newPipeline(t, readConfig(t, "yolox_nano.json"))
	g := p.Geometry(768, 576) // r = 416/768
	r := float32(416.0 / 768)
	out := zeros("output", 1, 3549, 85)
	dog := Box{100, 150, 300, 500}
	scaled := func(b Box) Box { return Box{b.X1 * r, b.Y1 * r, b.X2 * r, b.Y2 * r} }
	putYOLOX(out.Data, 52*52, 26, 16, scaled(dog), 0.9, 16, 0.95)
	// The same object as "cat" at a lower score, at stride 8: suppressed by
	// class-agnostic NMS.
	putYOLOX(out.Data, 0, 52, 8, scaled(Box{102, 150, 300, 498}), 0.8, 15, 0.9)
	// A car at stride 32 partly outside the image: clipped.
	putYOLOX(out.Data, 52*52+26*26, 13, 32, Box{300, 200, 430, 300}, 0.85, 2, 0.9)
	// Below the threshold (0.5 × 0.5 = 0.25).
	putYOLOX(out.Data, 0, 52, 8, Box{10, 10, 50, 50}, 0.5, 0, 0.5)
	got, err := p.Postprocess([]Tensor{out}, g)
	if err != nil {
		t.Fatal(err)
	}
	checkDetections(t, got, []want{
		{"dog", 0.9 * 0.95, dog},
		{"car", 0.85 * 0.9, Box{300 / r, 200 / r, 768, 300 / r}},
	})
	if got[1].Rel.X2 != 1 || got[1].Class != 2 {
		t.Errorf("car = %+v; want class 2, Rel.X2 1", got[1])
	}
}

// putDist encodes distance d (in bins) as an even mix of bins floor(d) and
// floor(d)+1.
func putDist(reg []float32, d float64) {
	for j := range reg {
		reg[j] = -40
	}
	j := int(d)
	f := d - float64(j)
	reg[j] = float32(math.Log(1 - f))
	if f > 0 {
		reg[j+1] = float32(math.Log(f))
	}
}

func TestPicoDetDecode(t *testing.T) {
	p := newPipeline(t, readConfig(t, "picodet_s_320_coco.json"))
	g := p.Geometry(640, 480) // x·2, y·1.5
	var outs []Tensor
	for k, n := range []int64{1600, 400, 100, 25} {
		outs = append(outs, zeros("scores"+string(rune('0'+k)), 1, n, 80))
	}
	for k, n := range []int64{1600, 400, 100, 25} {
		outs = append(outs, zeros("boxes"+string(rune('0'+k)), 1, n, 32))
	}
	// Stride 32 (10×10 grid), cell (2, 4): centre (80, 144) in input pixels;
	// box (32, 64)-(160, 256): distances 48, 80, 80, 112 = 1.5, 2.5, 2.5, 3.5 bins.
	i := 4*10 + 2
	scores, boxes := outs[2].Data[i*80:(i+1)*80], outs[6].Data[i*32:(i+1)*32]
	scores[17], scores[18], scores[0] = 0.6, 0.85, 0.1
	for k, d := range []float64{1.5, 2.5, 2.5, 3.5} {
		putDist(boxes[k*8:(k+1)*8], d)
	}
	// Shuffle the outputs: levels are found by shape, not by position.
	outs[0], outs[3], outs[5], outs[6] = outs[3], outs[0], outs[6], outs[5]
	if err := p.Check([]TensorInfo{{"image", []int64{1, 3, 320, 320}}}, infos(outs)); err != nil {
		t.Fatal(err)
	}
	got, err := p.Postprocess(outs, g)
	if err != nil {
		t.Fatal(err)
	}
	box := Box{64, 96, 320, 384}
	checkDetections(t, got, []want{{"sheep", 0.85, box}, {"horse", 0.6, box}})
}

func infos(ts []Tensor) []TensorInfo {
	var out []TensorInfo
	for _, t := range ts {
		out = append(out, t.Info())
	}
	return out
}

func yoloConfig(decoder string) Config {
	c, err := ParseConfig([]byte(`{"input": {"width": 640, "height": 640, "pad_value": 114}, "decoder": "` + decoder + `"}`))
	if err != nil {
		panic(err)
	}
	return c
}

func TestYOLOv8Decode(t *testing.T) {
	p := newPipeline(t, yoloConfig("yolov8"))
	g := p.Geometry(1280, 720) // r = 0.5
	out := zeros("output0", 1, 84, 8400)
	const n, i = 8400, 1234
	d := out.Data
	d[i], d[n+i], d[2*n+i], d[3*n+i] = 150, 200, 200, 200
	d[(4+3)*n+i], d[(4+5)*n+i] = 0.7, 0.4
	d[(4+1)*n+99] = 0.2 // below the threshold
	got, err := p.Postprocess([]Tensor{out}, g)
	if err != nil {
		t.Fatal(err)
	}
	checkDetections(t, got, []want{{"motorcycle", 0.7, Box{100, 200, 500, 600}}})
}

func TestYOLOv5Decode(t *testing.T) {
	p := newPipeline(t, yoloConfig("yolov5"))
	g := p.Geometry(1280, 720)
	out := zeros("output0", 1, 25200, 85)
	r := out.Data[777*85 : 778*85]
	r[0], r[1], r[2], r[3], r[4], r[5+7] = 150, 200, 200, 200, 0.9, 0.8
	got, err := p.Postprocess([]Tensor{out}, g)
	if err != nil {
		t.Fatal(err)
	}
	checkDetections(t, got, []want{{"truck", 0.72, Box{100, 200, 500, 600}}})
}

func TestDecodeBatchItem(t *testing.T) {
	p := newPipeline(t, yoloConfig("yolov5"))
	out := zeros("output0", 2, 25200, 85)
	r := out.Data[(25200+5)*85:]
	r[0], r[1], r[2], r[3], r[4], r[5] = 20, 20, 10, 10, 1, 1
	g := p.Geometry(640, 640)
	for item, n := range []int{0, 1} {
		got, err := p.AppendDetections(nil, []Tensor{out}, item, g)
		if err != nil || len(got) != n {
			t.Errorf("item %d: %d detections, %v; want %d", item, len(got), err, n)
		}
	}
	if _, err := p.AppendDetections(nil, []Tensor{out}, 2, g); !errors.Is(err, ErrShape) {
		t.Errorf("item 2 of 2: err = %v; want ErrShape", err)
	}
}

func TestCheckErrors(t *testing.T) {
	yolox := readConfig(t, "yolox_nano.json")
	pico := readConfig(t, "picodet_s_320_coco.json")
	in416 := []TensorInfo{{"images", []int64{1, 3, 416, 416}}}
	in320 := []TensorInfo{{"image", []int64{1, 3, 320, 320}}}
	picoOuts := func(drop int) []TensorInfo {
		var o []TensorInfo
		for k, n := range []int64{1600, 400, 100, 25, 1600, 400, 100, 25} {
			last := int64(80)
			if k >= 4 {
				last = 32
			}
			if k != drop {
				o = append(o, TensorInfo{"t" + string(rune('0'+k)), []int64{1, n, last}})
			}
		}
		return o
	}
	tests := []struct {
		name    string
		cfg     Config
		in, out []TensorInfo
		msg     string
	}{
		{"yolox ok", yolox, in416, []TensorInfo{{"output", []int64{1, 3549, 85}}}, ""},
		{"yolox dynamic batch", yolox, []TensorInfo{{"images", []int64{-1, 3, 416, 416}}}, []TensorInfo{{"output", []int64{-1, 3549, 85}}}, ""},
		{"yolox classes", yolox, in416, []TensorInfo{{"output", []int64{1, 3549, 80}}},
			`detect: yolox decoder: output "output" has shape [1,3549,80], want [1,N,85] with N = 3549 for input 416x416 and strides [8 16 32]`},
		{"yolox two outputs", yolox, in416, []TensorInfo{{"a", []int64{1}}, {"b", []int64{1}}},
			`detect: yolox decoder: the model has 2 outputs, want 1`},
		{"input size", yolox, in320, []TensorInfo{{"output", []int64{1, 3549, 85}}},
			`detect: model input: input "image" has shape [1,3,320,320], want [1,3,416,416] (nchw, input 416x416)`},
		{"picodet ok", pico, in320, picoOuts(-1), ""},
		{"picodet missing level", pico, in320, picoOuts(7),
			`detect: picodet decoder: the model has 4 score and 3 box outputs, want 4 of each for strides [8 16 32 64]`},
		{"picodet wrong input", pico, in320, append(picoOuts(-1)[1:], TensorInfo{"x", []int64{1, 2500, 80}}),
			`detect: picodet decoder: output "x" has shape [1,2500,80], want [1,1600,80] for level 0 (stride 8) at input 320x320`},
		{"picodet stray", pico, in320, append(picoOuts(-1), TensorInfo{"x", []int64{1, 25, 4}}),
			`detect: picodet decoder: output "x" has shape [1,25,4], want [1,N,80] (scores) or [1,N,32] (boxes, 8 bins)`},
		{"yolov8 N", yoloConfig("yolov8"), []TensorInfo{{"images", []int64{1, 3, 640, 640}}}, []TensorInfo{{"output0", []int64{1, 84, 8000}}},
			`detect: yolov8 decoder: output "output0" has shape [1,84,8000], want [1,84,N] with N = 8400 for input 640x640 and strides [8 16 32]`},
		{"yolov5 transposed", yoloConfig("yolov5"), []TensorInfo{{"images", []int64{1, 3, 640, 640}}}, []TensorInfo{{"output0", []int64{1, 85, 25200}}},
			`detect: yolov5 decoder: output "output0" has shape [1,85,25200], want [1,N,85] with N = 25200 for input 640x640, strides [8 16 32] and 3 anchors`},
	}
	for _, tt := range tests {
		err := newPipeline(t, tt.cfg).Check(tt.in, tt.out)
		switch {
		case tt.msg == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.msg != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.msg) || !errors.Is(err, ErrShape)):
			t.Errorf("%s:\ngot  %v\nwant %s", tt.name, err, tt.msg)
		}
	}
}
