package detect

import (
	"errors"
	"fmt"
	"image"
	"io/fs"
	"math"
	"slices"
	"sync"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// Pipeline is everything of a detector but running the model: it writes
// images into input tensors and turns output tensors into detections, as
// its [Config] says. It is safe for concurrent use; steady-state calls of
// Preprocess and AppendDetections do not allocate.
type Pipeline struct {
	cfg   Config
	pre   *preprocess.Preprocessor
	dec   Decoder
	nc    int // number of classes
	nms   NMSOptions
	cands sync.Pool // *[]Detection
}

// NewPipeline validates cfg and builds a pipeline for the classes labels
// names (nil when cfg.NumClasses is set and the classes have no names).
func NewPipeline(cfg Config, labels []string) (*Pipeline, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	pre, err := preprocess.New(cfg.Input)
	if err != nil {
		return nil, err
	}
	dec, err := NewDecoder(cfg, labels)
	if err != nil {
		return nil, err
	}
	c := cfg.WithDefaults()
	p := &Pipeline{cfg: c, pre: pre, dec: dec, nc: cmpOr(c.NumClasses, len(labels)), nms: NMSOptions{
		IoU: c.NMSIoU, ClassAgnostic: c.ClassAgnostic, ScoreThreshold: c.ScoreThreshold,
		MaxPerClass: c.MaxPerClass, MaxDetections: c.MaxDetections,
	}}
	if _, ok := dec.(nmsFree); ok {
		p.nms.IoU = float32(math.Inf(1)) // the model or the decoder's top-k already chose
	}
	p.cands.New = func() any { return new([]Detection) }
	return p, nil
}

// LoadPipeline builds a pipeline with the labels file cfg.Labels read from
// fsys (the model's files); without one, cfg.NumClasses must be set.
func LoadPipeline(cfg Config, fsys fs.FS) (*Pipeline, error) {
	var labels []string
	if cfg.Labels != "" {
		if err := checkLabelsPath(fsys, cfg.Labels); err != nil {
			return nil, err
		}
		var err error
		if labels, err = LoadLabels(fsys, cfg.Labels); err != nil {
			return nil, err
		}
	}
	return NewPipeline(cfg, labels)
}

// checkLabelsPath refuses a "labels" that is not a file among the model's
// files: a path that leaves fsys (absolute, with ".."), a missing file, a
// directory.
func checkLabelsPath(fsys fs.FS, name string) error {
	if !fs.ValidPath(name) || name == "." {
		return &ConfigError{Field: "labels", Reason: fmt.Sprintf("%q is not a path among the model's files (relative to the model's directory, slash-separated, without \"..\")", name)}
	}
	st, err := fs.Stat(fsys, name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &ConfigError{Field: "labels", Reason: fmt.Sprintf("the model has no file %q", name)}
	case err != nil:
		return fmt.Errorf("detect: labels: %w", err)
	case st.IsDir():
		return &ConfigError{Field: "labels", Reason: fmt.Sprintf("%q is a directory, not a labels file", name)}
	}
	return nil
}

// Config returns the configuration with defaults applied.
func (p *Pipeline) Config() Config { return p.cfg }

// Decoder returns the output decoder.
func (p *Pipeline) Decoder() Decoder { return p.dec }

// Geometry returns where a w×h image lands in the input tensor.
func (p *Pipeline) Geometry(w, h int) Geometry { return p.pre.Geometry(w, h) }

// MinImageSize returns the size that a w×h image is resampled to (the
// letterboxed or stretched size, at most w×h): decoding it any smaller
// would lose pixels the model sees. It makes a Pipeline a [Fitter].
func (p *Pipeline) MinImageSize(w, h int) image.Point {
	g := p.Geometry(w, h)
	return image.Pt(min(g.Width, w), min(g.Height, h))
}

// InputShape returns the input tensor shape for a batch of n images.
func (p *Pipeline) InputShape(n int) []int64 { return p.pre.Shape(n) }

// InputLen returns the number of float32 values one image takes in the
// input tensor.
func (p *Pipeline) InputLen() int { return p.pre.Len() }

// Check compares the model's inputs and outputs with the configuration. It
// returns a [*ShapeError] that says what does not match; when the outputs
// do not fit the configured decoder, its Hint names the decoders they fit,
// or what each decoder expects.
func (p *Pipeline) Check(inputs, outputs []TensorInfo) error {
	img, err := p.checkInputs(inputs)
	if err != nil {
		return err
	}
	want := p.pre.Shape(1)
	s := inputs[img].Shape
	ok := len(s) == 4 && batchOK(s[0])
	for i := 1; ok && i < 4; i++ {
		ok = dimOK(s[i], want[i])
	}
	if !ok {
		return &ShapeError{Decoder: "input", Tensor: inputs[img].Name, Got: s, Want: fmt.Sprintf(
			"%s (%s, input %dx%d)", FormatShape(want), p.pre.Options().Layout, want[3], want[2])}
	}
	err = p.dec.Check(outputs)
	var se *ShapeError
	if errors.As(err, &se) && se.Hint == "" {
		se.Hint = fitsHint(p.cfg, p.nc, outputs)
	}
	return err
}

// Preprocess writes img into dst[:InputLen()] (one batch item) and returns
// its geometry. Errors wrap [ErrEmptyImage] (nil or 0×0 image),
// [ErrImageTooLarge] or preprocess.ErrShortBuffer.
func (p *Pipeline) Preprocess(img image.Image, dst []float32) (Geometry, error) {
	return p.pre.Run(img, dst)
}

// Postprocess decodes batch item 0 of outputs, runs NMS and returns the
// detections, highest confidence first, in a new slice.
func (p *Pipeline) Postprocess(outputs []Tensor, geom Geometry) ([]Detection, error) {
	return p.postprocess(nil, outputs, 0, geom, true)
}

// AppendDetections decodes batch item item of outputs, runs NMS and
// appends the detections to dst, highest confidence first.
func (p *Pipeline) AppendDetections(dst []Detection, outputs []Tensor, item int, geom Geometry) ([]Detection, error) {
	return p.postprocess(dst, outputs, item, geom, false)
}

func (p *Pipeline) postprocess(dst []Detection, outputs []Tensor, item int, geom Geometry, clone bool) ([]Detection, error) {
	buf := p.cands.Get().(*[]Detection)
	defer p.cands.Put(buf)
	cands, err := p.dec.Decode(outputs, item, geom, (*buf)[:0])
	*buf = cands[:0]
	if err != nil {
		return dst, err
	}
	kept := NMS(cands, p.nms)
	if clone {
		return slices.Clone(kept), nil
	}
	return append(dst, kept...), nil
}
