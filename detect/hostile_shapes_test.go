package detect

import (
	"errors"
	"fmt"
	"testing"
)

// TestHostileOutputShapes: output tensors whose shape lies (a negative or
// huge dimension, more rows than data, a batch item past the data) make
// the detr, ssd and end2end decoders return a *ShapeError, never panic.
func TestHostileOutputShapes(t *testing.T) {
	const huge = int64(1) << 62
	ssd := func(rows int64, data int) []Tensor {
		return []Tensor{
			{Name: "detection_boxes", Shape: []int64{1, rows, 4}, Data: make([]float32, data*4)},
			{Name: "detection_scores", Shape: []int64{1, rows}, Data: make([]float32, data)},
			{Name: "detection_classes", Shape: []int64{1, rows}, Data: make([]float32, data)},
			{Name: "num_detections", Shape: []int64{1}, Data: []float32{float32(data)}},
		}
	}
	detr := func(rows, cols int64, data int) []Tensor {
		return []Tensor{
			{Name: "pred_boxes", Shape: []int64{1, rows, 4}, Data: make([]float32, data*4)},
			{Name: "pred_logits", Shape: []int64{1, rows, cols}, Data: make([]float32, data*80)},
		}
	}
	detrPost := func(rows int64, data int) []Tensor {
		return []Tensor{
			{Name: "labels", Shape: []int64{1, rows}, Data: make([]float32, data)},
			{Name: "boxes", Shape: []int64{1, rows, 4}, Data: make([]float32, data*4)},
			{Name: "scores", Shape: []int64{1, rows}, Data: make([]float32, data)},
		}
	}
	end2end := func(rows int64, data int) []Tensor {
		return []Tensor{{Name: "output0", Shape: []int64{1, rows, 6}, Data: make([]float32, data*6)}}
	}
	// wrap is a row count whose rows×6 values overflow int64 into 2.
	const wrap = int64(3074457345618258603)
	orig := ExtraInput{Name: "orig_target_sizes", Value: "orig_wh", DType: Int64}
	cases := []struct {
		name string
		p    *Pipeline
		outs []Tensor
		item int
	}{
		{"ssd negative rows", ssdPipeline(t, nil), ssd(-1, 5), 0},
		{"ssd huge rows", ssdPipeline(t, nil), ssd(huge, 5), 0},
		{"ssd huge rows, item 3", ssdPipeline(t, nil), ssd(huge, 5), 3},
		{"ssd rows past the data", ssdPipeline(t, nil), ssd(6, 5), 0},
		{"ssd item past the data", ssdPipeline(t, nil), ssd(5, 5), 1},
		{"detr negative rows", newPipeline(t, detrConfig("", 0)), detr(-1, 80, 5), 0},
		{"detr negative classes", newPipeline(t, detrConfig("", 0)), detr(5, -1, 5), 0},
		{"detr huge rows", newPipeline(t, detrConfig("", 0)), detr(huge, 80, 5), 0},
		{"detr huge rows, item 3", newPipeline(t, detrConfig("", 0)), detr(huge, 80, 5), 3},
		{"detr post negative rows", newPipeline(t, detrConfig("", 0, orig)), detrPost(-1, 5), 0},
		{"detr post huge rows", newPipeline(t, detrConfig("", 0, orig)), detrPost(huge, 5), 0},
		{"end2end negative rows", newPipeline(t, yoloConfig("end2end")), end2end(-1, 5), 0},
		{"end2end huge rows", newPipeline(t, yoloConfig("end2end")), end2end(huge, 5), 0},
		{"end2end rows overflowing into 2 values", newPipeline(t, yoloConfig("end2end")), end2end(wrap, 5), 0},
		{"end2end rows past the data", newPipeline(t, yoloConfig("end2end")), end2end(6, 5), 0},
		{"end2end item past the data", newPipeline(t, yoloConfig("end2end")), end2end(5, 5), 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var err error
			func() {
				defer func() {
					if r := recover(); r != nil {
						err = fmt.Errorf("panic: %v", r)
					}
				}()
				_, err = c.p.AppendDetections(nil, c.outs, c.item, c.p.Geometry(200, 100))
			}()
			if se := (*ShapeError)(nil); !errors.As(err, &se) {
				t.Errorf("AppendDetections: %v; want a *ShapeError", err)
			}
		})
	}
}
