package detect

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// detrConfig is a 100×100 stretched input, so that an image of 200×100
// maps x·2, y·1.
func detrConfig(act string, topK int, extras ...ExtraInput) Config {
	return Config{Input: preprocess.Options{Width: 100, Height: 100, Resize: preprocess.Stretch},
		Decoder: "detr", ScoreActivation: act, TopK: topK, ExtraInputs: extras}
}

func logit(p float64) float32 { return float32(math.Log(p / (1 - p))) }

func sigmoid(x float32) float32 { return float32(1 / (1 + math.Exp(-float64(x)))) }

// detrRaw returns boxes and logits tensors of q queries and cols columns,
// logits all lo.
func detrRaw(q, cols int, lo float32) (boxes, logits Tensor) {
	boxes, logits = zeros("pred_boxes", 1, int64(q), 4), zeros("pred_logits", 1, int64(q), int64(cols))
	for i := range logits.Data {
		logits.Data[i] = lo
	}
	return boxes, logits
}

func TestDETRSigmoid(t *testing.T) {
	boxes, logits := detrRaw(4, 80, -9)
	copy(boxes.Data[0:], []float32{0.5, 0.5, 0.2, 0.4})    // input (40,30)-(60,70)
	copy(boxes.Data[4:], []float32{0.25, 0.5, 0.5, 1})     // input (0,0)-(50,100)
	copy(boxes.Data[8:], []float32{0.5, 0.5, 0.2, 0.4})    // the same box as query 0
	copy(boxes.Data[12:], []float32{0.9, 0.9, 0.2, 0.2})   // below the threshold
	logits.Data[0*80+16] = 2                               // dog 0.881
	logits.Data[1*80+0], logits.Data[1*80+2] = 0.2, 1      // person 0.550 and car 0.731 on one query
	logits.Data[2*80+15] = logit(0.6)                      // cat on the dog's box: no NMS
	logits.Data[3*80+5] = logit(0.29)                      // bus below 0.3
	dog, left := Box{80, 30, 120, 70}, Box{0, 0, 100, 100} // image pixels
	tests := []struct {
		name  string
		topK  int
		wants []want
	}{
		{"all", 0, []want{{"dog", sigmoid(2), dog}, {"car", sigmoid(1), left}, {"cat", 0.6, dog}, {"person", sigmoid(0.2), left}}},
		{"top_k 2", 2, []want{{"dog", sigmoid(2), dog}, {"car", sigmoid(1), left}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPipeline(t, detrConfig("", tt.topK))
			if err := p.Check([]TensorInfo{{"images", []int64{1, 3, 100, 100}}}, infos([]Tensor{logits, boxes})); err != nil {
				t.Fatal(err)
			}
			got, err := p.Postprocess([]Tensor{logits, boxes}, p.Geometry(200, 100))
			if err != nil {
				t.Fatal(err)
			}
			checkDetections(t, got, tt.wants)
		})
	}
}

func TestDETRSoftmax(t *testing.T) {
	boxes, logits := detrRaw(3, 81, 0)
	copy(boxes.Data[0:], []float32{0.5, 0.5, 0.2, 0.4})
	copy(boxes.Data[4:], []float32{0.25, 0.5, 0.5, 1})
	// Query 0: dog logit 6, no-object 1, 79 others 0: 403.4 / (403.4 + 2.718 + 79).
	logits.Data[16] = 6
	logits.Data[80] = 1
	// Query 1: no-object wins; its best real class (car) scores low.
	logits.Data[81+2], logits.Data[81+80] = 3, 9
	// Query 2: every logit equal: 1/81 each.
	e6, e1 := math.Exp(6), math.E
	p := newPipeline(t, detrConfig(Softmax, 0))
	got, err := p.Postprocess([]Tensor{boxes, logits}, p.Geometry(200, 100))
	if err != nil {
		t.Fatal(err)
	}
	checkDetections(t, got, []want{{"dog", float32(e6 / (e6 + e1 + 79)), Box{80, 30, 120, 70}}})
	// 80 columns are not 80 classes plus no-object.
	_, short := detrRaw(3, 80, 0)
	err = p.Decoder().Check(infos([]Tensor{boxes, short}))
	var se *ShapeError
	if !errors.As(err, &se) || se.Tensor != "pred_logits" || !strings.Contains(se.Want, "no-object") {
		t.Errorf("Check(80 columns) = %v; want a ShapeError on pred_logits saying softmax needs no-object", err)
	}
}

func TestDETRPostProcessed(t *testing.T) {
	labels, scores, boxes := zeros("labels", 1, 3), zeros("scores", 1, 3), zeros("boxes", 1, 3, 4)
	copy(labels.Data, []float32{16, 2, 90})
	copy(scores.Data, []float32{0.9, 0.2, 0.95}) // car below the threshold, class 90 unknown
	copy(boxes.Data, []float32{80, 30, 120, 70, 0, 0, 10, 10, 0, 0, 10, 10})
	outs := []Tensor{labels, boxes, scores}
	tests := []struct {
		name   string
		extras []ExtraInput
		want   Box
	}{
		// Fed the original size, the model returns image pixels.
		{"orig_wh", []ExtraInput{{Name: "orig_target_sizes", Value: "orig_wh", DType: Int64}}, Box{80, 30, 120, 70}},
		// Fed the input size, it returns input pixels: x·2 to the image.
		{"input_wh", []ExtraInput{{Name: "orig_target_sizes", Value: "input_wh", DType: Int64}}, Box{160, 30, 200, 70}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := newPipeline(t, detrConfig("", 0, tt.extras...))
			ins := []TensorInfo{{"images", []int64{1, 3, 100, 100}}, {"orig_target_sizes", []int64{1, 2}}}
			if err := p.Check(ins, infos(outs)); err != nil {
				t.Fatal(err)
			}
			got, err := p.Postprocess(outs, p.Geometry(200, 100))
			if err != nil {
				t.Fatal(err)
			}
			checkDetections(t, got, []want{{"dog", 0.9, tt.want}})
		})
	}
}

func TestDETRCheckErrors(t *testing.T) {
	p := newPipeline(t, detrConfig("", 0))
	tests := []struct {
		name   string
		outs   []TensorInfo
		tensor string // in the error
	}{
		{"one output", []TensorInfo{{"pred_boxes", []int64{1, 300, 4}}}, "1 outputs"},
		{"boxes not 4", []TensorInfo{{"pred_boxes", []int64{1, 300, 5}}, {"pred_logits", []int64{1, 300, 80}}}, "pred_boxes"},
		{"queries differ", []TensorInfo{{"pred_boxes", []int64{1, 300, 4}}, {"pred_logits", []int64{1, 100, 80}}}, "pred_logits"},
		{"classes differ", []TensorInfo{{"a", []int64{1, 300, 4}}, {"b", []int64{1, 300, 91}}}, "b"},
		{"no boxes beside labels", []TensorInfo{{"labels", []int64{1, 300}}, {"scores", []int64{1, 300}}}, "outputs"},
		{"scores per box", []TensorInfo{{"labels", []int64{1, 300}}, {"scores", []int64{1, 100}}, {"boxes", []int64{1, 300, 4}}}, "scores"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := p.Decoder().Check(tt.outs)
			var se *ShapeError
			if !errors.As(err, &se) || !errors.Is(err, ErrShape) || !strings.Contains(se.Tensor, tt.tensor) {
				t.Errorf("Check = %v; want a ShapeError naming %q", err, tt.tensor)
			}
		})
	}
	// Shapes alone tell boxes from logits, and dynamic dimensions match.
	if err := p.Decoder().Check([]TensorInfo{{"x", []int64{-1, -1, 80}}, {"y", []int64{-1, 300, 4}}}); err != nil {
		t.Errorf("Check(unnamed, dynamic) = %v", err)
	}
}

func TestDETRShortData(t *testing.T) {
	boxes, logits := detrRaw(3, 80, 0)
	p := newPipeline(t, detrConfig("", 0))
	_, err := p.AppendDetections(nil, []Tensor{boxes, logits}, 1, p.Geometry(100, 100)) // no batch item 1
	if !errors.Is(err, ErrShape) {
		t.Errorf("item 1 of 1 = %v; want ErrShape", err)
	}
}

// TestNMSFreeAllocations checks that the detr and ssd decoders, like the
// others, decode without allocating once the pipeline's buffers are warm.
func TestNMSFreeAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	boxes, logits := detrRaw(300, 80, -9)
	for q := range 300 {
		copy(boxes.Data[q*4:], []float32{0.5, 0.5, 0.2, 0.4})
		logits.Data[q*80+q%80] = float32(q%7) - 2
	}
	soft, softLogits := detrRaw(100, 81, 0)
	softLogits.Data[16] = 9
	cases := []struct {
		name string
		p    *Pipeline
		outs []Tensor
	}{
		{"detr sigmoid", newPipeline(t, detrConfig("", 100)), []Tensor{boxes, logits}},
		{"detr softmax", newPipeline(t, detrConfig(Softmax, 0)), []Tensor{soft, softLogits}},
		{"ssd", ssdPipeline(t, nil), ssdOutputs()},
	}
	for _, c := range cases {
		g := c.p.Geometry(640, 480)
		var dst []Detection
		allocs := testing.AllocsPerRun(20, func() {
			var err error
			if dst, err = c.p.AppendDetections(dst[:0], c.outs, 0, g); err != nil || len(dst) == 0 {
				t.Fatalf("%s: %d detections, %v", c.name, len(dst), err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per image; want 0", c.name, allocs)
		}
	}
}
