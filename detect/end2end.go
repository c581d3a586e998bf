package detect

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// end2endDecoder decodes an NMS-free or NMS-inside export: one output
// [B, N, 6] with rows [x1, y1, x2, y2, score, class], boxes in model-input
// pixels, N any number of rows (YOLOv10, YOLO26 and Ultralytics end2end
// exports give 300; graphs with NMS inside often pad with zero-score rows).
// The rows are final: the pipeline runs no NMS on them, only the score
// threshold and the detection limits.
type end2endDecoder struct{ base }

// end2endRow is the number of values of one end2end row.
const end2endRow = 6

func (*end2endDecoder) nmsFree() {}

func (d *end2endDecoder) Check(outputs []TensorInfo) error { return end2endCheck(&d.base, outputs) }

func end2endCheck[T shaped](b *base, outs []T) error {
	t, err := single(b.kind, outs)
	if err != nil {
		return err
	}
	name, s := (*t).info()
	if len(s) != 3 || !batchOK(s[0]) || !(s[1] < 0 || s[1] >= 1) || !dimOK(s[2], end2endRow) {
		return &ShapeError{Decoder: b.kind, Tensor: name, Got: s, Want: "[1,N,6] with rows x1,y1,x2,y2,score,class in input pixels"}
	}
	return nil
}

func (d *end2endDecoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	if err := end2endCheck(&d.base, outputs); err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	t := &outputs[0]
	rows := t.Shape[1] // a run's outputs have concrete shapes
	if rows < 0 {
		return dst, &ShapeError{Decoder: d.kind, Tensor: t.Name, Got: t.Shape, Want: "a concrete row count"}
	}
	if rows > int64(len(t.Data)/end2endRow) { // checked before rows×6, which may overflow
		return dst, shortData(d.kind, t, item, int(min(rows, math.MaxInt/end2endRow))*end2endRow)
	}
	n := int(rows)
	data := itemData(t, item, n*end2endRow)
	if data == nil {
		return dst, shortData(d.kind, t, item, n*end2endRow)
	}
	for i := range n {
		r := data[i*end2endRow : (i+1)*end2endRow]
		if !(r[4] >= d.thr) {
			continue
		}
		c := float64(r[5])
		if !(c >= 0 && c < float64(d.nc)) || c != math.Trunc(c) {
			return dst, &ShapeError{Decoder: d.kind, Tensor: t.Name, Got: t.Shape, Want: fmt.Sprintf(
				"class ids 0..%d (row %d has class %v: the labels or num_classes do not match the model)", d.nc-1, i, r[5])}
		}
		dst = d.emit(dst, int(c), r[4], float64(r[0]), float64(r[1]), float64(r[2]), float64(r[3]), &g)
	}
	return dst, nil
}

// Fit is what one decoder kind makes of a model's outputs: Err is nil when
// they fit, else the [*ShapeError] saying what the decoder expects.
type Fit struct {
	Decoder string
	Err     error
}

// Fits checks outputs against every decoder kind of [Decoders] with the
// input size, classes and thresholds of cfg; cfg.Strides apply to cfg's own
// decoder, the others use their default strides. nc is the number of
// classes when cfg.NumClasses is 0.
func Fits(cfg Config, nc int, outputs []TensorInfo) []Fit {
	var fits []Fit
	for _, kind := range Decoders() {
		c := cfg
		c.Decoder = kind
		if kind != cfg.Decoder {
			c.Strides = nil
		}
		c.NumClasses = cmpOr(c.NumClasses, nc)
		d, err := NewDecoder(c, nil)
		if err == nil {
			err = d.Check(outputs)
		}
		fits = append(fits, Fit{Decoder: kind, Err: err})
	}
	return fits
}

// fitsHint says which other decoders the outputs fit, or, when none does,
// what each expects, for a [ShapeError]'s Hint.
func fitsHint(cfg Config, nc int, outputs []TensorInfo) string {
	fits := Fits(cfg, nc, outputs)
	var ok, wants []string
	for _, f := range fits {
		var se *ShapeError
		switch {
		case f.Err == nil:
			ok = append(ok, f.Decoder)
		case errors.As(f.Err, &se):
			wants = append(wants, fmt.Sprintf("%s wants %s", f.Decoder, se.Want))
		}
	}
	if len(ok) > 0 {
		return fmt.Sprintf("the outputs fit decoder %s", strings.Join(quoteAll(ok), " or "))
	}
	return "no decoder fits the outputs: " + strings.Join(wants, "; ")
}

func quoteAll(s []string) []string {
	q := make([]string, len(s))
	for i, v := range s {
		q[i] = strconv.Quote(v)
	}
	return q
}
