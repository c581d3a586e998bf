package detect

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// cocoLabelMap is the head of TF-OD's mscoco_label_map.pbtxt, with its
// gaps (no id 0, 12 missing).
const cocoLabelMap = `# comment
item {
  name: "/m/01g317"
  id: 1
  display_name: "person"
}
item { name: "/m/0199g" id: 2 display_name: "bicycle" }
item { name: "/m/0k4j" id: 3 display_name: "car" }
item {
  name: "/m/01pns0"
  id: 11
  display_name: "fire hydrant"
}
item { name: "/m/02pv19" id: 13 display_name: 'stop sign' }
`

func ssdPipeline(t *testing.T, outputs map[string]string) *Pipeline {
	t.Helper()
	labels, err := ReadLabelMap(strings.NewReader(cocoLabelMap))
	if err != nil {
		t.Fatal(err)
	}
	p, err := NewPipeline(Config{Input: preprocess.Options{Width: 100, Height: 100, Resize: preprocess.Stretch},
		Decoder: "ssd", Outputs: outputs}, labels)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// ssdOutputs returns TF-OD outputs of 5 rows, 4 of them valid.
func ssdOutputs() []Tensor {
	boxes, scores := zeros("detection_boxes", 1, 5, 4), zeros("detection_scores", 1, 5)
	classes, num := zeros("detection_classes", 1, 5), zeros("num_detections", 1)
	copy(boxes.Data, []float32{
		0.3, 0.4, 0.7, 0.6, // ymin, xmin, ymax, xmax
		0, 0, 0.5, 0.5,
		0.1, 0.1, 0.2, 0.2,
		0.5, 0.5, 1.2, 1, // past the edge: clipped
		0, 0, 1, 1, // beyond num_detections
	})
	copy(scores.Data, []float32{0.9, 0.8, 0.3, 0.6, 0.99})
	copy(classes.Data, []float32{13, 12, 3, 99, 1}) // 12 is a gap; 99 is beyond the labels
	num.Data[0] = 4
	return []Tensor{classes, num, scores, boxes}
}

func TestSSDDecode(t *testing.T) {
	p := ssdPipeline(t, nil)
	outs := ssdOutputs()
	if err := p.Check([]TensorInfo{{"image_tensor", []int64{1, 3, 100, 100}}}, infos(outs)); err != nil {
		t.Fatal(err)
	}
	got, err := p.Postprocess(outs, p.Geometry(200, 100))
	if err != nil {
		t.Fatal(err)
	}
	// The score 0.3 equal to the threshold is dropped (strictly above, as
	// ETA's TFModelsDetector); the gap id 12 is named "class 12".
	checkDetections(t, got, []want{
		{"stop sign", 0.9, Box{80, 30, 120, 70}},
		{"class 12", 0.8, Box{0, 0, 100, 50}},
	})
	if got[0].Class != 13 {
		t.Errorf("class = %d; want the label map id 13", got[0].Class)
	}

	// Without num_detections every row counts; the fifth is class 1.
	got, err = p.Postprocess([]Tensor{outs[0], outs[2], outs[3]}, p.Geometry(200, 100))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].Label != "person" || got[0].Box != (Box{0, 0, 200, 100}) {
		t.Errorf("without num_detections: %+v; want person first and 3 in all", got)
	}
}

func TestSSDOutputNames(t *testing.T) {
	outs := ssdOutputs()
	for i, n := range []string{"classes:0", "num:0", "scores:0", "boxes:0"} {
		outs[i].Name = n
	}
	p := ssdPipeline(t, map[string]string{"boxes": "boxes:0", "scores": "scores:0", "classes": "classes:0", "num_detections": "num:0"})
	got, err := p.Postprocess(outs, p.Geometry(100, 100))
	if err != nil || len(got) != 2 {
		t.Fatalf("renamed outputs: %v, %+v", err, got)
	}
	// The default names are not there.
	err = ssdPipeline(t, nil).Decoder().Check(infos(outs))
	var se *ShapeError
	if !errors.As(err, &se) || !strings.Contains(se.Tensor, "detection_boxes") {
		t.Errorf("Check = %v; want a ShapeError naming detection_boxes", err)
	}
}

func TestSSDCheckErrors(t *testing.T) {
	p := ssdPipeline(t, nil)
	base := infos(ssdOutputs())
	tests := []struct {
		name   string
		i      int
		shape  []int64
		tensor string
	}{
		{"boxes not 4", 3, []int64{1, 5, 5}, "detection_boxes"},
		{"scores per box", 2, []int64{1, 6}, "detection_scores"},
		{"classes rank", 0, []int64{1, 5, 1}, "detection_classes"},
		{"num", 1, []int64{1, 2}, "num_detections"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			outs := append([]TensorInfo(nil), base...)
			outs[tt.i].Shape = tt.shape
			err := p.Decoder().Check(outs)
			var se *ShapeError
			if !errors.As(err, &se) || se.Tensor != tt.tensor {
				t.Errorf("Check = %v; want a ShapeError on %s", err, tt.tensor)
			}
		})
	}
}

// TestNMSFreeHostileOutputs feeds the detr and ssd decoders NaN, infinite
// and out-of-range values: no panic, and every box within the image.
func TestNMSFreeHostileOutputs(t *testing.T) {
	nan, inf := float32(math.NaN()), float32(math.Inf(1))
	bad := []float32{nan, inf, -inf, 1e30, -1e30, -1, 0.5, 1e9}
	fill := func(ts ...Tensor) {
		for k, tt := range ts {
			for i := range tt.Data {
				tt.Data[i] = bad[(i*7+k*3)%len(bad)]
			}
		}
	}
	boxes, logits := detrRaw(8, 80, 0)
	_, softLogits := detrRaw(8, 81, 0)
	labels, scores, pboxes := zeros("labels", 1, 8), zeros("scores", 1, 8), zeros("boxes", 1, 8, 4)
	ssd := ssdOutputs()
	fill(boxes, logits, softLogits, labels, scores, pboxes, ssd[0], ssd[1], ssd[2], ssd[3])
	orig := ExtraInput{Name: "orig_target_sizes", Value: "orig_wh", DType: Int64}
	cases := []struct {
		name string
		p    *Pipeline
		outs []Tensor
	}{
		{"detr sigmoid", newPipeline(t, detrConfig("", 0)), []Tensor{boxes, logits}},
		{"detr softmax", newPipeline(t, detrConfig(Softmax, 0)), []Tensor{boxes, softLogits}},
		{"detr post", newPipeline(t, detrConfig("", 0, orig)), []Tensor{labels, pboxes, scores}},
		{"ssd", ssdPipeline(t, nil), ssd},
	}
	for _, c := range cases {
		got, err := c.p.Postprocess(c.outs, c.p.Geometry(200, 100))
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
		}
		for _, d := range got {
			b := d.Box
			if !(b.X1 >= 0 && b.X2 <= 200 && b.Y1 >= 0 && b.Y2 <= 100 && d.Confidence >= 0.3 && d.Confidence <= 1) || d.Class < 0 || d.Class >= 80 {
				t.Errorf("%s: %+v", c.name, d)
			}
		}
	}
}
