package ortdetect_test

import (
	"context"
	"fmt"
	"image"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader/ort"
)

// The detr and ssd decoders on real network outputs: the bundled
// YOLOX-Nano rewritten into each layout (graphedit_test.go) runs over the
// eight photos, once through the detector and once raw, and the raw
// outputs go through a reference written from the exporter's own
// post-processing (DETR's PostProcess, RT-DETR's RTDETRPostProcessor, the
// TF Object Detection API's output contract as ETA's TFModelsDetector
// reads it). The detector must find every reference detection scoring at
// least setThr + 0.03 (same class, |Δscore| ≤ 0.03, IoU ≥ 0.9) and nothing
// else scoring 0.35 or more.

const (
	setThr     = 0.3
	setScore   = 0.03
	setIoU     = 0.9
	setExtra   = 0.35
	setMaxDets = 300
)

var photos = []string{"astronaut.png", "camera.png", "chelsea.png", "coffee.png", "dog.jpg", "person.jpg",
	"african_elephants.jpg", "vehicle.jpg"}

// refDet is a reference detection, box (x1, y1, x2, y2) in image pixels.
type refDet struct {
	class int
	score float64
	box   [4]float64
}

// rawOut is an output of a raw run, as float64.
type rawOut struct {
	shape []int64
	data  []float64
}

// feed is what a raw run takes besides the image: the extra inputs'
// values for an image of w×h.
type feed func(w, h int) map[string]*ort.Value

// layout is one rewrite of YOLOX-Nano with the config that serves it and
// its reference post-processing.
type layout struct {
	name   string
	edit   func() *graphEdit
	config string // the deployment config, without the input's size
	input  string // the config's input object
	labels string // the labels file, written beside the model
	feed   feed
	ref    func(outs map[string]rawOut, w, h int) []refDet
}

const (
	stretchInput = `{"width": 416, "height": 416, "resize": "stretch", "channel_order": "bgr"}`
	yoloxInput   = `{"width": 416, "height": 416, "pad_value": 114, "channel_order": "bgr"}`
)

func layouts() []layout {
	return []layout{
		{name: "rt-detr", edit: func() *graphEdit { return rtdetrRaw(false) }, input: stretchInput,
			config: `"decoder": "detr", "labels": "coco80_labels.txt"`, ref: refRTDETR},
		{name: "rt-detr dynamic size", edit: func() *graphEdit { return rtdetrRaw(true) }, input: stretchInput,
			config: `"decoder": "detr", "score_activation": "sigmoid", "top_k": 300, "labels": "coco80_labels.txt"`, ref: refRTDETR},
		{name: "detr softmax", edit: detrSoftmax, input: stretchInput,
			config: `"decoder": "detr", "score_activation": "softmax", "num_classes": 80`, ref: refDETR},
		{name: "tf-od ssd", edit: tfodSSD, input: stretchInput, labels: "mscoco_label_map.pbtxt",
			config: `"decoder": "ssd", "labels": "mscoco_label_map.pbtxt"`, ref: refTFOD},
		{name: "tf-od ssd uint8 nhwc", edit: func() *graphEdit { e := tfodSSD(); e.rawNHWC = true; return e },
			input:  `{"width": 416, "height": 416, "resize": "stretch", "channel_order": "bgr", "layout": "nhwc"}`,
			labels: "mscoco_label_map.pbtxt", config: `"decoder": "ssd", "labels": "mscoco_label_map.pbtxt"`, ref: refTFOD},
		{name: "rt-detr orig_target_sizes", edit: func() *graphEdit { return rtdetrPost("orig_target_sizes") }, input: stretchInput,
			config: `"decoder": "detr", "labels": "coco80_labels.txt",
				"extra_inputs": [{"name": "orig_target_sizes", "value": "orig_wh", "dtype": "int64"}]`,
			feed: func(w, h int) map[string]*ort.Value {
				v, _ := ort.NewTensor([]int64{1, 2}, []int64{int64(w), int64(h)})
				return map[string]*ort.Value{"orig_target_sizes": v}
			}, ref: refPost},
		{name: "letterbox scale_factor", edit: func() *graphEdit { return rtdetrPost("scale_factor") }, input: yoloxInput,
			config: `"decoder": "detr", "labels": "coco80_labels.txt",
				"extra_inputs": [{"name": "scale_factor", "value": "scale_yx"}]`,
			feed: func(w, h int) map[string]*ort.Value {
				r := float32(min(416/float64(w), 416/float64(h))) // PaddleDetection's im_scale
				v, _ := ort.NewTensor([]int64{1, 2}, []float32{r, r})
				return map[string]*ort.Value{"scale_factor": v}
			}, ref: refPost},
	}
}

func TestSetPredictionDecoders(t *testing.T) {
	requireORT(t)
	imgs := map[string]image.Image{}
	for _, name := range photos {
		imgs[name] = readImage(t, name)
	}
	for _, l := range layouts() {
		t.Run(l.name, func(t *testing.T) {
			model := rewriteYOLOX(t, l.edit())
			d := newSetDetector(t, model, l)
			raw := newRawModel(t, model)
			matched := 0
			for _, name := range photos {
				img := imgs[name]
				got, err := d.Detect(context.Background(), img)
				if err != nil {
					t.Fatalf("%s: %v", name, err)
				}
				w, h := img.Bounds().Dx(), img.Bounds().Dy()
				ref := l.ref(raw.run(t, d.Pipeline(), img, l.feed), w, h)
				n, err := matchReference(got, ref)
				if err != nil {
					t.Errorf("%s: %v\n got %s\n ref %s", name, err, describe(got), describeRef(ref))
				}
				matched += n
				if l.labels != "" && len(got) > 0 && got[0].Label == fmt.Sprintf("class %d", got[0].Class) {
					t.Errorf("%s: %q has no name from %s", name, got[0].Label, l.labels)
				}
			}
			t.Logf("%d detections matched the reference over %d photos", matched, len(photos))
			if matched < len(photos) {
				t.Errorf("%d detections matched over %d photos; the rewrite finds nothing", matched, len(photos))
			}
		})
	}
}

// newSetDetector writes the model, its labels and its config as a user
// would and loads them.
func newSetDetector(t *testing.T, model []byte, l layout) *ortdetect.Detector {
	t.Helper()
	dir := t.TempDir()
	labels, err := os.ReadFile(filepath.Join("../../catalog/models/yolox-nano-coco", "coco80_labels.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "coco80_labels.txt"), labels, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mscoco_label_map.pbtxt"), cocoLabelMap(t, labels), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := detect.ParseConfig([]byte(fmt.Sprintf(`{"input": %s, %s, "score_threshold": %v, "max_detections": %d}`,
		l.input, l.config, setThr, setMaxDets)))
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := detect.LoadPipeline(cfg, os.DirFS(dir))
	if err != nil {
		t.Fatal(err)
	}
	d, err := ortdetect.New(context.Background(), orttest.Library(t), model, pipe, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// cocoLabelMap writes TF-OD's mscoco_label_map.pbtxt for the 80 classes.
func cocoLabelMap(t *testing.T, labels []byte) []byte {
	names := strings.Split(strings.TrimSpace(string(labels)), "\n")
	if len(names) != len(coco91) {
		t.Fatalf("%d labels; want %d", len(names), len(coco91))
	}
	var b strings.Builder
	for i, n := range names {
		fmt.Fprintf(&b, "item {\n  name: \"/m/%d\"\n  id: %d\n  display_name: %q\n}\n", i, coco91[i], n)
	}
	return []byte(b.String())
}

// rawModel runs a model with ONNX Runtime directly.
type rawModel struct{ sess *ort.Session }

func newRawModel(t *testing.T, model []byte) *rawModel {
	env, err := ort.NewEnv(orttest.Library(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { env.Close() })
	sess, err := env.NewSession(model, &ort.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sess.Close() })
	return &rawModel{sess}
}

// run feeds img, placed by pipe's pre-processing, and the values of feed.
func (m *rawModel) run(t *testing.T, pipe *detect.Pipeline, img image.Image, feed feed) map[string]rawOut {
	t.Helper()
	buf := make([]float32, pipe.InputLen())
	if _, err := pipe.Preprocess(img, buf); err != nil {
		t.Fatal(err)
	}
	imgVal, err := ort.NewTensor(pipe.InputShape(1), buf)
	if m.sess.Inputs()[0].ElementType == ort.Uint8 { // TF-OD's image_tensor
		pixels := make([]uint8, len(buf))
		for i, v := range buf {
			pixels[i] = uint8(math.Round(float64(v)))
		}
		imgVal, err = ort.NewTensor(pipe.InputShape(1), pixels)
	}
	if err != nil {
		t.Fatal(err)
	}
	extras := map[string]*ort.Value{}
	if feed != nil {
		extras = feed(img.Bounds().Dx(), img.Bounds().Dy())
	}
	var ins []*ort.Value
	for _, in := range m.sess.Inputs() {
		v := extras[in.Name]
		if v == nil {
			v = imgVal
		}
		ins = append(ins, v)
	}
	outs, err := m.sess.Run(context.Background(), ins, nil)
	if err != nil {
		t.Fatal(err)
	}
	res := map[string]rawOut{}
	for i, o := range outs {
		var data []float64
		for _, v := range o.Float32s() {
			data = append(data, float64(v))
		}
		for _, v := range o.Int64s() {
			data = append(data, float64(v))
		}
		res[m.sess.Outputs()[i].Name] = rawOut{shape: slices.Clone(o.Shape()), data: data}
		o.Close()
	}
	for _, v := range append(ins, imgVal) {
		v.Close()
	}
	return res
}

// refDETR is DETR's PostProcess (models/detr.py): prob = softmax(logits);
// scores, labels = prob[..., :-1].max(-1); boxes = cxcywh → xyxy, times
// [w, h, w, h].
func refDETR(outs map[string]rawOut, w, h int) []refDet {
	logits, boxes := outs["logits"], outs["pred_boxes"]
	cols := int(logits.shape[2])
	var dets []refDet
	for q := range int(logits.shape[1]) {
		row := logits.data[q*cols : (q+1)*cols]
		m := slices.Max(row)
		var sum float64
		for _, v := range row {
			sum += math.Exp(v - m)
		}
		best, label := -1.0, 0
		for c, v := range row[:cols-1] {
			if p := math.Exp(v-m) / sum; p > best {
				best, label = p, c
			}
		}
		if best >= setThr {
			dets = append(dets, refDet{label, best, cxcywhToImage(boxes.data[q*4:q*4+4], w, h)})
		}
	}
	return dets
}

// refRTDETR is RT-DETR's RTDETRPostProcessor with use_focal_loss: scores
// = sigmoid(logits), top num_top_queries (300) of the flattened
// query × class scores, label = index % num_classes, query = index //
// num_classes, boxes cxcywh → xyxy times orig_target_sizes [w, h, w, h].
func refRTDETR(outs map[string]rawOut, w, h int) []refDet {
	logits, boxes := outs["pred_logits"], outs["pred_boxes"]
	nc := int(logits.shape[2])
	idx := make([]int, len(logits.data))
	scores := make([]float64, len(logits.data))
	for i, v := range logits.data {
		idx[i], scores[i] = i, 1/(1+math.Exp(-v))
	}
	slices.SortStableFunc(idx, func(a, b int) int { return cmpDesc(scores[a], scores[b]) })
	var dets []refDet
	for _, i := range idx[:300] {
		if scores[i] >= setThr {
			q := i / nc
			dets = append(dets, refDet{i % nc, scores[i], cxcywhToImage(boxes.data[q*4:q*4+4], w, h)})
		}
	}
	return dets
}

// refTFOD reads the TF Object Detection API's outputs as ETA's
// TFModelsDetector does: the first num_detections rows, a detection when
// its score is strictly above the threshold, box [ymin, xmin, ymax, xmax]
// relative to the image, class the label-map id.
func refTFOD(outs map[string]rawOut, w, h int) []refDet {
	n := int(outs["num_detections"].data[0])
	boxes, scores, classes := outs["detection_boxes"].data, outs["detection_scores"].data, outs["detection_classes"].data
	var dets []refDet
	for i := range n {
		if scores[i] > setThr {
			b := boxes[i*4 : i*4+4]
			dets = append(dets, refDet{int(classes[i]), scores[i], clipBox([4]float64{b[1] * float64(w), b[0] * float64(h), b[3] * float64(w), b[2] * float64(h)}, w, h)})
		}
	}
	return dets
}

// refPost reads a model that ran its own post-processor: labels, boxes in
// image pixels, scores.
func refPost(outs map[string]rawOut, w, h int) []refDet {
	labels, boxes, scores := outs["labels"].data, outs["boxes"].data, outs["scores"].data
	var dets []refDet
	for i, s := range scores {
		if s >= setThr {
			dets = append(dets, refDet{int(labels[i]), s, clipBox([4]float64(boxes[i*4:i*4+4]), w, h)})
		}
	}
	return dets
}

func cxcywhToImage(b []float64, w, h int) [4]float64 {
	W, H := float64(w), float64(h)
	return clipBox([4]float64{(b[0] - b[2]/2) * W, (b[1] - b[3]/2) * H, (b[0] + b[2]/2) * W, (b[1] + b[3]/2) * H}, w, h)
}

func clipBox(b [4]float64, w, h int) [4]float64 {
	lim := [4]float64{float64(w), float64(h), float64(w), float64(h)}
	for i := range b {
		b[i] = math.Max(0, math.Min(b[i], lim[i]))
	}
	return b
}

func cmpDesc(a, b float64) int {
	switch {
	case a > b:
		return -1
	case a < b:
		return 1
	}
	return 0
}

// matchReference pairs detections with reference detections, best IoU
// first among those of the same class within the score tolerance, and
// returns how many it paired.
func matchReference(got []detect.Detection, ref []refDet) (int, error) {
	slices.SortStableFunc(ref, func(a, b refDet) int { return cmpDesc(a.score, b.score) })
	used := make([]bool, len(got))
	matched := make([]bool, len(ref))
	var errs []string
	n := 0
	for i, r := range ref {
		rb := detect.Box{X1: float32(r.box[0]), Y1: float32(r.box[1]), X2: float32(r.box[2]), Y2: float32(r.box[3])}
		best, bestIoU := -1, float32(setIoU)
		for j, g := range got {
			if used[j] || g.Class != r.class || math.Abs(float64(g.Confidence)-r.score) > setScore {
				continue
			}
			if iou := g.Box.IoU(rb); iou >= bestIoU {
				best, bestIoU = j, iou
			}
		}
		if best >= 0 {
			used[best], matched[i] = true, true
			n++
		} else if r.score >= setThr+setScore {
			errs = append(errs, fmt.Sprintf("reference class %d %.3f %v not found", r.class, r.score, r.box))
		}
	}
	for j, g := range got {
		if !used[j] && g.Confidence >= setExtra {
			errs = append(errs, fmt.Sprintf("extra detection %s (%d) %.3f %+v", g.Label, g.Class, g.Confidence, g.Box))
		}
	}
	if len(errs) > 0 {
		return n, fmt.Errorf("%s", strings.Join(errs, "; "))
	}
	return n, nil
}

func describeRef(ref []refDet) string {
	var parts []string
	for _, r := range ref[:min(len(ref), 12)] {
		parts = append(parts, fmt.Sprintf("%d %.3f", r.class, r.score))
	}
	return fmt.Sprintf("%d: %s", len(ref), strings.Join(parts, ", "))
}
