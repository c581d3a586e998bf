package detect

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// detrDecoder decodes the set predictions of the DETR family, which need no
// NMS. It takes either of two output forms:
//
//   - raw: boxes [B,Q,4] as (cx, cy, w, h) normalised to [0,1] by the model
//     input's size, and class logits [B,Q,C]. With the sigmoid activation
//     (RT-DETR, D-FINE) C is the number of classes and every query × class
//     score is a candidate, as in RT-DETR's RTDETRPostProcessor; with
//     softmax (DETR) C has a trailing no-object class and each query
//     scores its best real class, as in DETR's PostProcess.
//   - post-processed (RT-DETR exported with its post-processor): labels
//     [B,K], boxes [B,K,4] as (x1, y1, x2, y2) pixels and scores [B,K]. The
//     pixels are the original image's when an extra input feeds the model
//     the original size or the scale (orig_target_sizes), else the model
//     input's.
//
// Outputs are found by name (Config.Outputs, default pred_boxes or boxes,
// pred_logits or logits; labels, scores and boxes), or for the raw form
// with two outputs by their last dimension. The TopK best candidates are
// kept.
type detrDecoder struct{ base }

// nmsFree marks the decoders whose candidates are final: the pipeline
// skips NMS for them (it still sorts and applies the limits).
type nmsFree interface{ nmsFree() }

func (*detrDecoder) nmsFree() {}

// detrOuts locates the outputs of one of the forms.
type detrOuts struct {
	post                          bool // post-processed form
	boxes, logits, scores, labels int  // output indices; -1 when not in the form
	rows, cols                    int  // queries (or K) and logit columns
}

func (d *detrDecoder) Check(outputs []TensorInfo) error {
	_, err := detrFind(&d.base, outputs)
	return err
}

// detrFind finds the outputs and checks their shapes; it does not
// allocate unless it fails.
func detrFind[T shaped](b *base, outs []T) (detrOuts, error) {
	o := detrOuts{boxes: -1, logits: -1, scores: -1, labels: -1}
	o.labels = findOutput(outs, b.outputName("labels", "labels"))
	o.scores = findOutput(outs, b.outputName("scores", "scores"))
	if o.labels >= 0 && o.scores >= 0 {
		return detrPost(b, outs, o)
	}
	o.labels, o.scores = -1, -1
	o.boxes = firstOutput(outs, b.outputName("boxes", "pred_boxes"), "boxes")
	o.logits = firstOutput(outs, b.outputName("logits", "pred_logits"), "logits")
	if (o.boxes < 0 || o.logits < 0) && len(outs) == 2 {
		o.boxes, o.logits = byLastDim(outs, o.boxes, o.logits)
	}
	if o.boxes < 0 || o.logits < 0 {
		return o, &ShapeError{Decoder: b.kind, Tensor: fmt.Sprintf("the model has %d outputs %s", len(outs), outputNames(outs)),
			Want: "boxes [1,Q,4] and logits [1,Q,C] (name them in the config's \"outputs\"), or labels, boxes and scores"}
	}
	cols := b.nc
	if b.softmax {
		cols = b.nc + 1
	}
	bn, bs := outs[o.boxes].info()
	ln, ls := outs[o.logits].info()
	if len(bs) != 3 || !batchOK(bs[0]) || !dimOK(bs[2], 4) || bs[1] == 0 {
		return o, &ShapeError{Decoder: b.kind, Tensor: bn, Got: bs, Want: "[1,Q,4] (cx, cy, w, h normalised)"}
	}
	act := "sigmoid: one per class"
	if b.softmax {
		act = "softmax: the classes and no-object"
	}
	if len(ls) != 3 || !batchOK(ls[0]) || !sameDim(ls[1], bs[1]) || !dimOK(ls[2], int64(cols)) {
		return o, &ShapeError{Decoder: b.kind, Tensor: ln, Got: ls, Want: fmt.Sprintf("[1,%s,%d] (%s)", dimText(bs[1]), cols, act)}
	}
	o.rows, o.cols = int(max(bs[1], ls[1])), cols
	return o, nil
}

// detrPost checks the post-processed form: labels [B,K], scores [B,K],
// boxes [B,K,4].
func detrPost[T shaped](b *base, outs []T, o detrOuts) (detrOuts, error) {
	o.boxes = findOutput(outs, b.outputName("boxes", "boxes"))
	if o.boxes < 0 {
		return o, &ShapeError{Decoder: b.kind, Tensor: fmt.Sprintf("the model has outputs %s", outputNames(outs)),
			Want: fmt.Sprintf("an output %q [1,K,4] beside labels and scores", b.outputName("boxes", "boxes"))}
	}
	bn, bs := outs[o.boxes].info()
	if len(bs) != 3 || !batchOK(bs[0]) || !dimOK(bs[2], 4) {
		return o, &ShapeError{Decoder: b.kind, Tensor: bn, Got: bs, Want: "[1,K,4] (x1, y1, x2, y2 pixels)"}
	}
	for _, k := range []int{o.labels, o.scores} {
		n, s := outs[k].info()
		if len(s) != 2 || !batchOK(s[0]) || !sameDim(s[1], bs[1]) {
			return o, &ShapeError{Decoder: b.kind, Tensor: n, Got: s, Want: fmt.Sprintf("[1,%s], one per box", dimText(bs[1]))}
		}
	}
	o.post, o.rows = true, int(bs[1])
	return o, nil
}

// firstOutput returns the index of the output named a, else b, or -1.
func firstOutput[T shaped](outs []T, a, b string) int {
	if i := findOutput(outs, a); i >= 0 {
		return i
	}
	return findOutput(outs, b)
}

// byLastDim tells boxes from logits among two outputs by their last
// dimension (4 for boxes) where the names did not.
func byLastDim[T shaped](outs []T, boxes, logits int) (int, int) {
	last := func(i int) int64 { _, s := outs[i].info(); return s[len(s)-1] }
	for _, t := range outs {
		if _, s := t.info(); len(s) == 0 {
			return -1, -1
		}
	}
	switch {
	case boxes < 0 && logits >= 0:
		return 1 - logits, logits
	case logits < 0 && boxes >= 0:
		return boxes, 1 - boxes
	case last(0) == 4 && last(1) != 4:
		return 0, 1
	case last(1) == 4 && last(0) != 4:
		return 1, 0
	}
	return -1, -1
}

// sameDim reports whether two dimensions can be equal: either is dynamic
// or they are.
func sameDim(a, b int64) bool { return a < 0 || b < 0 || a == b }

func outputNames[T shaped](outs []T) string {
	names := make([]string, len(outs))
	for i, t := range outs {
		names[i], _ = t.info()
	}
	return fmt.Sprintf("%q", names)
}

func dimText(d int64) string {
	if d < 0 {
		return "Q"
	}
	return fmt.Sprint(d)
}

func (d *detrDecoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	if err := dataOK(d.kind, outputs); err != nil {
		return dst, err
	}
	o, err := detrFind(&d.base, outputs)
	if err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	start := len(dst)
	if o.post {
		dst, err = d.decodePost(outputs, o, item, g, dst)
	} else {
		dst, err = d.decodeRaw(outputs, o, item, g, dst)
	}
	if err != nil {
		return dst, err
	}
	return topK(dst, start, d.topK), nil
}

// topK keeps the k best-scoring of dst[start:], highest first.
func topK(dst []Detection, start, k int) []Detection {
	if len(dst)-start <= k {
		return dst
	}
	slices.SortStableFunc(dst[start:], func(a, b Detection) int { return cmp.Compare(b.Confidence, a.Confidence) })
	return dst[:start+k]
}

func (d *detrDecoder) decodeRaw(outputs []Tensor, o detrOuts, item int, g Geometry, dst []Detection) ([]Detection, error) {
	boxes := itemData(&outputs[o.boxes], item, o.rows*4)
	if boxes == nil {
		return dst, shortData(d.kind, &outputs[o.boxes], item, o.rows*4)
	}
	logits := itemData(&outputs[o.logits], item, o.rows*o.cols)
	if logits == nil {
		return dst, shortData(d.kind, &outputs[o.logits], item, o.rows*o.cols)
	}
	if d.softmax {
		return d.softmaxRows(dst, boxes, logits, o.cols, &g), nil
	}
	// sigmoid(x) ≥ thr ⇔ x ≥ logit(thr): most logits are skipped without
	// an exp; the margin absorbs rounding, the score is checked after.
	lthr := float32(math.Log(float64(d.thr)/(1-float64(d.thr))) - 1e-4)
	for q := range o.rows {
		row := logits[q*o.cols : (q+1)*o.cols]
		for c := atLeast(row, lthr); c >= 0; c = next(row, c, lthr) {
			score := float32(1 / (1 + math.Exp(-float64(row[c]))))
			if score >= d.thr {
				dst = d.emitNormalised(dst, c, score, boxes[q*4:q*4+4], &g)
			}
		}
	}
	return dst, nil
}

// softmaxRows scores each query by its best real class under a softmax
// over the classes and the trailing no-object class.
func (d *detrDecoder) softmaxRows(dst []Detection, boxes, logits []float32, cols int, g *Geometry) []Detection {
	for q := range len(logits) / cols {
		row := logits[q*cols : (q+1)*cols]
		_, m := argmax(row)
		c, best := argmax(row[:cols-1])
		if !(float64(best-m) >= -88) { // e^(best−m) underflows float32: score 0 (or NaN)
			continue
		}
		var sum float64
		for _, v := range row {
			sum += math.Exp(float64(v - m))
		}
		if score := float32(math.Exp(float64(best-m)) / sum); score >= d.thr {
			dst = d.emitNormalised(dst, c, score, boxes[q*4:q*4+4], g)
		}
	}
	return dst
}

// emitNormalised emits a (cx, cy, w, h) box normalised by the input size.
func (d *detrDecoder) emitNormalised(dst []Detection, c int, score float32, b []float32, g *Geometry) []Detection {
	W, H := float64(d.w), float64(d.h)
	cx, cy, w, h := float64(b[0])*W, float64(b[1])*H, float64(b[2])*W, float64(b[3])*H
	return d.emit(dst, c, score, cx-w/2, cy-h/2, cx+w/2, cy+h/2, g)
}

func (d *detrDecoder) decodePost(outputs []Tensor, o detrOuts, item int, g Geometry, dst []Detection) ([]Detection, error) {
	labels := itemData(&outputs[o.labels], item, o.rows)
	scores := itemData(&outputs[o.scores], item, o.rows)
	boxes := itemData(&outputs[o.boxes], item, o.rows*4)
	switch {
	case labels == nil:
		return dst, shortData(d.kind, &outputs[o.labels], item, o.rows)
	case scores == nil:
		return dst, shortData(d.kind, &outputs[o.scores], item, o.rows)
	case boxes == nil:
		return dst, shortData(d.kind, &outputs[o.boxes], item, o.rows*4)
	}
	if d.origPixels { // boxes in image pixels: place them with an identity geometry
		g = Geometry{SrcWidth: g.SrcWidth, SrcHeight: g.SrcHeight, Width: g.SrcWidth, Height: g.SrcHeight, ScaleX: 1, ScaleY: 1}
	}
	for k, score := range scores {
		c := labels[k]
		if !(score >= d.thr && score <= 1) || !(c >= 0 && c < float32(d.nc)) {
			continue
		}
		b := boxes[k*4 : k*4+4]
		dst = d.emit(dst, int(c), score, float64(b[0]), float64(b[1]), float64(b[2]), float64(b[3]), &g)
	}
	return dst, nil
}
