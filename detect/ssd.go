package detect

import "fmt"

// ssdDecoder decodes the outputs of a TensorFlow Object Detection API
// model (SSD, Faster R-CNN, …; ETA's TFModelsDetector family), whose graph
// already ran NMS. Outputs are matched by name (Config.Outputs, default
// TF-OD's): detection_boxes [B,N,4] as (ymin, xmin, ymax, xmax) normalised
// to [0,1] by the model input's size, detection_scores [B,N],
// detection_classes [B,N] (label-map ids, 1-based with gaps: the labels
// file's line or the label map's id names them) and, optionally,
// num_detections [B] or [B,1], the number of valid rows. As in ETA's
// TFModelsDetector, a detection is kept when its score is strictly above
// the threshold (and at most 1); a class id beyond the labels is dropped,
// and the model's order (by score) is kept.
type ssdDecoder struct{ base }

func (*ssdDecoder) nmsFree() {}

// ssdOuts locates the outputs.
type ssdOuts struct {
	boxes, scores, classes, num int // num is -1 when the model has none
	rows                        int
}

func (d *ssdDecoder) Check(outputs []TensorInfo) error {
	_, err := ssdFind(&d.base, outputs)
	return err
}

// ssdFind finds the outputs by name and checks their shapes; it does not
// allocate unless it fails.
func ssdFind[T shaped](b *base, outs []T) (ssdOuts, error) {
	o := ssdOuts{}
	find := func(role, def string) (int, error) {
		name := b.outputName(role, def)
		i := findOutput(outs, name)
		if i < 0 {
			return -1, &ShapeError{Decoder: b.kind, Tensor: fmt.Sprintf("no output %q (%s) among %s", name, role, outputNames(outs)),
				Want: fmt.Sprintf("TF Object Detection API outputs; name them in the config's \"outputs\": {%q: …}", role)}
		}
		return i, nil
	}
	var err error
	if o.boxes, err = find("boxes", "detection_boxes"); err != nil {
		return o, err
	}
	if o.scores, err = find("scores", "detection_scores"); err != nil {
		return o, err
	}
	if o.classes, err = find("classes", "detection_classes"); err != nil {
		return o, err
	}
	o.num = -1
	if _, named := b.outputs["num_detections"]; named || findOutput(outs, "num_detections") >= 0 {
		if o.num, err = find("num_detections", "num_detections"); err != nil {
			return o, err
		}
	}
	bn, bs := outs[o.boxes].info()
	if len(bs) != 3 || !batchOK(bs[0]) || !dimOK(bs[2], 4) {
		return o, &ShapeError{Decoder: b.kind, Tensor: bn, Got: bs, Want: "[1,N,4] (ymin, xmin, ymax, xmax normalised)"}
	}
	for _, k := range [2]int{o.scores, o.classes} {
		n, s := outs[k].info()
		if len(s) != 2 || !batchOK(s[0]) || !sameDim(s[1], bs[1]) {
			return o, &ShapeError{Decoder: b.kind, Tensor: n, Got: s, Want: fmt.Sprintf("[1,%s], one per box", dimText(bs[1]))}
		}
	}
	if o.num >= 0 {
		n, s := outs[o.num].info()
		if !(len(s) == 1 && batchOK(s[0])) && !(len(s) == 2 && batchOK(s[0]) && dimOK(s[1], 1)) {
			return o, &ShapeError{Decoder: b.kind, Tensor: n, Got: s, Want: "[1] or [1,1], the number of detections"}
		}
	}
	o.rows = int(bs[1])
	return o, nil
}

func (d *ssdDecoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	if err := dataOK(d.kind, outputs); err != nil {
		return dst, err
	}
	o, err := ssdFind(&d.base, outputs)
	if err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	boxes := itemData(&outputs[o.boxes], item, o.rows*4)
	scores := itemData(&outputs[o.scores], item, o.rows)
	classes := itemData(&outputs[o.classes], item, o.rows)
	switch {
	case boxes == nil:
		return dst, shortData(d.kind, &outputs[o.boxes], item, o.rows*4)
	case scores == nil:
		return dst, shortData(d.kind, &outputs[o.scores], item, o.rows)
	case classes == nil:
		return dst, shortData(d.kind, &outputs[o.classes], item, o.rows)
	}
	n := o.rows
	if o.num >= 0 {
		num := itemData(&outputs[o.num], item, 1)
		if num == nil {
			return dst, shortData(d.kind, &outputs[o.num], item, 1)
		}
		if v := num[0]; v >= 0 && v < float32(n) { // NaN or more than the rows: all rows
			n = int(v)
		}
	}
	W, H := float64(d.w), float64(d.h)
	for k, score := range scores[:n] {
		c := classes[k]
		if !(score > d.thr && score <= 1) || !(c >= 0 && c < float32(d.nc)) {
			continue
		}
		b := boxes[k*4 : k*4+4]
		dst = d.emit(dst, int(c), score, float64(b[1])*W, float64(b[0])*H, float64(b[3])*W, float64(b[2])*H, &g)
	}
	return dst, nil
}
