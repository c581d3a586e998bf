package detect

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// Decoder turns a model's raw outputs into candidate detections.
// Implementations are safe for concurrent use and do not allocate beyond
// growing dst.
type Decoder interface {
	// Check compares the model's outputs with what the decoder expects and
	// returns a [*ShapeError] saying precisely what does not match.
	Check(outputs []TensorInfo) error
	// Decode appends the candidates of batch item item scoring at least the
	// score threshold, boxes mapped to the original image with geom and
	// clipped to it, in output order (not sorted, before NMS).
	Decode(outputs []Tensor, item int, geom Geometry, dst []Detection) ([]Detection, error)
}

// decoders is the table of decoder kinds. Each constructor receives a
// validated configuration with defaults applied and the class names.
var decoders = map[string]func(b base) Decoder{
	"yolox":   func(b base) Decoder { return &yoloxDecoder{b} },
	"picodet": func(b base) Decoder { return &picodetDecoder{b} },
	"yolov8":  func(b base) Decoder { return &yolov8Decoder{b} },
	"yolov5":  func(b base) Decoder { return &yolov5Decoder{b} },
	"detr":    func(b base) Decoder { return &detrDecoder{b} },
	"ssd":     func(b base) Decoder { return &ssdDecoder{b} },
	"end2end": func(b base) Decoder { return &end2endDecoder{b} },
}

// Decoders returns the known decoder kinds, sorted.
func Decoders() []string { return slices.Sorted(maps.Keys(decoders)) }

// NewDecoder returns the decoder c.Decoder names, for the classes labels
// names (see [Config.NumClasses]).
func NewDecoder(c Config, labels []string) (Decoder, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.WithDefaults()
	n := c.NumClasses
	if n == 0 {
		n = len(labels)
	}
	switch {
	case n == 0:
		return nil, &ConfigError{Field: "num_classes", Reason: "unknown: give a labels file or num_classes"}
	case len(labels) > n:
		return nil, &ConfigError{Field: "labels", Reason: fmt.Sprintf("%d labels for num_classes %d", len(labels), n)}
	case n > MaxClasses:
		return nil, &ConfigError{Field: "labels", Reason: fmt.Sprintf("%d labels, more than %d (MaxClasses)", n, MaxClasses)}
	}
	b := base{kind: c.Decoder, w: c.Input.Width, h: c.Input.Height, strides: c.Strides,
		bins: c.Bins, anchors: c.Anchors, thr: c.ScoreThreshold, nc: n, names: classNames(labels, n),
		topK: c.TopK, softmax: c.ScoreActivation == Softmax, outputs: c.Outputs, origPixels: inOriginalPixels(c.ExtraInputs)}
	return decoders[c.Decoder](b), nil
}

// base holds what every decoder needs.
type base struct {
	kind          string
	w, h          int // model input size
	strides       []int
	bins, anchors int
	thr           float32
	nc            int
	names         []string
	topK          int               // detr
	softmax       bool              // detr
	outputs       map[string]string // output names by role (detr, ssd)
	origPixels    bool              // detr: a model with its post-processor returns original-image pixels
}

// shaped is a Tensor or a TensorInfo.
type shaped interface {
	info() (string, []int64)
}

func (t Tensor) info() (string, []int64)     { return t.Name, t.Shape }
func (t TensorInfo) info() (string, []int64) { return t.Name, t.Shape }

// cells returns the number of grid cells over all strides, with each grid
// side rounded down (floor) or up.
func (b *base) cells(ceil bool) int {
	n := 0
	for _, s := range b.strides {
		n += gridSide(b.w, s, ceil) * gridSide(b.h, s, ceil)
	}
	return n
}

func gridSide(n, s int, ceil bool) int {
	if ceil {
		return (n + s - 1) / s
	}
	return n / s
}

// checkRank3 checks that a shape is [B, d1, d2] for a valid batch B.
func checkRank3(s []int64, d1, d2 int) bool {
	return len(s) == 3 && batchOK(s[0]) && dimOK(s[1], int64(d1)) && dimOK(s[2], int64(d2))
}

// single returns the only output, or a ShapeError.
func single[T shaped](kind string, outs []T) (*T, error) {
	if len(outs) != 1 {
		return nil, &ShapeError{Decoder: kind, Tensor: fmt.Sprintf("the model has %d outputs", len(outs)), Want: "1"}
	}
	return &outs[0], nil
}

func (b *base) geometryOK(g *Geometry) error {
	if g.SrcWidth <= 0 || g.SrcHeight <= 0 || !(g.ScaleX > 0) || !(g.ScaleY > 0) {
		return fmt.Errorf("detect: %s decoder: invalid geometry %+v", b.kind, *g)
	}
	return nil
}

func shortData(kind string, t *Tensor, item, n int) error {
	return &ShapeError{Decoder: kind, Tensor: t.Name, Got: t.Shape,
		Want: fmt.Sprintf("batch item %d of %d values (got %d values in all)", item, n, len(t.Data))}
}

// emit maps a box from model-input pixels to the image, clips it and
// appends the detection.
func (b *base) emit(dst []Detection, cls int, score float32, x1, y1, x2, y2 float64, g *Geometry) []Detection {
	W, H := float64(g.SrcWidth), float64(g.SrcHeight)
	x1, y1 = g.ToImage(x1, y1)
	x2, y2 = g.ToImage(x2, y2)
	x1, x2 = clip(x1, W), clip(x2, W)
	y1, y2 = clip(y1, H), clip(y2, H)
	return append(dst, Detection{
		Label: b.names[cls], Class: cls, Confidence: score,
		Box: Box{float32(x1), float32(y1), float32(x2), float32(y2)},
		Rel: Box{float32(x1 / W), float32(y1 / H), float32(x2 / W), float32(y2 / H)},
	})
}

// clip clamps v to [0, hi]; NaN becomes 0.
func clip(v, hi float64) float64 {
	if !(v > 0) {
		return 0
	}
	return math.Min(v, hi)
}

// argmax returns the index and value of the largest element of p.
func argmax(p []float32) (int, float32) {
	best, bv := 0, p[0]
	for i, v := range p[1:] {
		if v > bv {
			best, bv = i+1, v
		}
	}
	return best, bv
}
