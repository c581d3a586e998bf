package onnximport

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"github.com/modelreg/modelreg/internal/onnxgraph"
)

// DeploymentType is the deployment type of the entries Import writes: the
// ONNX Runtime detector of package detect/ortdetect.
const DeploymentType = "onnxruntime/detector"

// LabelsFile is the name of the labels file Import writes into the entry.
const LabelsFile = "labels.txt"

// Config is the deployment config Import writes: the model file and the
// detector's [detect.Config], as detect/ortdetect reads it.
type Config struct {
	Model string `json:"model"`
	detect.Config
}

// Guess is a configuration value the file does not state.
type Guess struct {
	Field  string // JSON path in the config, e.g. "decoder" or "input.channel_order"
	Value  string
	Reason string
}

// Plan is what [Inspect] inferred.
type Plan struct {
	// Config is the inferred deployment config; Config.Labels is set when
	// Labels is not empty.
	Config Config
	// Labels are the class names (from Options.Labels or the metadata),
	// nil when neither gives them.
	Labels []string
	// LabelsSource says where the names come from: "metadata", a file
	// path, or "" when there are none.
	LabelsSource string
	// Family is the exporter family the pre-processing follows:
	// "ultralytics", "yolox", "picodet", or "" when unknown.
	Family string
	// Guesses are the values the file does not state, in config order.
	Guesses []Guess
	// Graph is what the file says about itself.
	Graph *onnxgraph.Model
}

// Inspect infers the deployment config of the ONNX detector model (the
// file's bytes) as the package documentation describes. opts may be nil;
// Options.Labels is read when set. Errors are an [*Error] (wrapping
// [ErrUndecided] or [ErrUnsupported]), an error wrapping
// onnxgraph.ErrNotONNX, or a labels file's read error; all but the last
// wrap [registry.ErrPermanent].
func Inspect(model []byte, opts *Options) (*Plan, error) {
	if opts == nil {
		opts = &Options{}
	}
	g, err := onnxgraph.Read(model)
	if err != nil {
		return nil, permanent("onnximport: %w", err)
	}
	p := &Plan{Graph: g}
	if err := p.labels(opts); err != nil {
		return nil, err
	}
	if err := p.input(opts); err != nil {
		return nil, err
	}
	if err := p.decoder(opts); err != nil {
		return nil, err
	}
	p.preprocessing()
	return p, p.check(opts)
}

func (p *Plan) guess(field, value, format string, args ...any) {
	p.Guesses = append(p.Guesses, Guess{Field: field, Value: value, Reason: fmt.Sprintf(format, args...)})
}

// ultralytics reports whether the metadata is Ultralytics' or YOLOv5's.
func (p *Plan) ultralytics() bool {
	m := p.Graph.Metadata
	return m["names"] != "" && (m["stride"] != "" || m["imgsz"] != "")
}

func (p *Plan) labels(opts *Options) error {
	if opts.Labels != "" {
		names, err := detect.LoadLabels(osDir(filepath.Dir(opts.Labels)), filepath.Base(opts.Labels))
		if err != nil {
			return fmt.Errorf("onnximport: --labels (Options.Labels): %w", err)
		}
		p.Labels, p.LabelsSource = cleanLabels(names), opts.Labels
		return nil
	}
	s, ok := p.Graph.Metadata["names"]
	if !ok {
		return nil
	}
	names, err := parseNames(s)
	if err != nil {
		return undecided("class names", "--labels FILE (Options.Labels)", "metadata_props names: %v", err)
	}
	if len(names) > 0 {
		p.Labels, p.LabelsSource = cleanLabels(names), "metadata"
	}
	return nil
}

func (p *Plan) input(opts *Options) error {
	ins := p.Graph.Inputs
	if len(ins) != 1 {
		return unsupported("input", "the model has %d inputs; a detector takes one image tensor", len(ins))
	}
	in := ins[0]
	if in.ElemType != 0 && in.ElemType != onnxgraph.Float {
		return unsupported("input", "input %q has element type %d; detectors here feed float32 (1)", in.Name, in.ElemType)
	}
	s := in.Shape
	o := &p.Config.Input
	var h, w int64
	switch {
	case len(s) != 4:
		return unsupported("input", "input %q has shape %s; want [N,3,H,W] or [N,H,W,3]", in.Name, detect.FormatShape(s))
	case s[1] == 3:
		o.Layout, h, w = preprocess.NCHW, s[2], s[3]
	case s[3] == 3:
		o.Layout, h, w = preprocess.NHWC, s[1], s[2]
	case s[1] < 0:
		o.Layout, h, w = preprocess.NCHW, s[2], s[3]
		p.guess("input.layout", "nchw", "input %q has a dynamic channel dimension", in.Name)
	default:
		return unsupported("input", "input %q has shape %s: no dimension of 3 colour channels", in.Name, detect.FormatShape(s))
	}
	switch {
	case h > 0 && w > 0:
		o.Width, o.Height = int(w), int(h)
		if opts.Width > 0 && (opts.Width != o.Width || opts.Height != o.Height) {
			return unsupported("input size", "input %q is fixed at %dx%d, not %dx%d", in.Name, w, h, opts.Width, opts.Height)
		}
	case opts.Width > 0:
		o.Width, o.Height = opts.Width, opts.Height
	case p.Graph.Metadata["imgsz"] != "":
		iw, ih, err := parseSize(p.Graph.Metadata["imgsz"])
		if err != nil {
			return undecided("input size", "--input-size WxH (Options.Width, Height)", "input %q has shape %s and metadata imgsz: %v", in.Name, detect.FormatShape(s), err)
		}
		o.Width, o.Height = iw, ih
	default:
		return undecided("input size", "--input-size WxH (Options.Width, Height)", "input %q has the dynamic shape %s and the metadata has no imgsz", in.Name, detect.FormatShape(s))
	}
	if o.Width > preprocess.MaxInputSide || o.Height > preprocess.MaxInputSide {
		return unsupported("input size", "%dx%d is larger than %d", o.Width, o.Height, preprocess.MaxInputSide)
	}
	return nil
}

// strides returns the feature strides: up to the metadata's stride (32
// for P5 models, 64 for P6), else the default.
func (p *Plan) strides() []int {
	if s, err := strconv.Atoi(p.Graph.Metadata["stride"]); err == nil && s == 64 {
		return []int{8, 16, 32, 64}
	}
	return nil
}

func (p *Plan) decoder(opts *Options) error {
	c := &p.Config
	c.Strides = p.strides()
	nc := len(p.Labels)
	outs := tensorInfos(p.Graph.Outputs)
	if opts.Decoder != "" {
		if !slices.Contains(detect.Decoders(), opts.Decoder) {
			return &Error{Field: "decoder", Reason: fmt.Sprintf("%q is not a decoder; give --decoder (Options.Decoder) one of %s",
				opts.Decoder, strings.Join(detect.Decoders(), ", ")), Err: ErrUnsupported}
		}
		c.Decoder = opts.Decoder
		return p.classes(nc, outs)
	}
	kind, anchors, why := p.inferDecoder(nc)
	if kind == "" && nc > 0 {
		if k, _, _ := p.inferDecoder(0); k != "" {
			return undecided("number of classes", "--labels FILE (Options.Labels) with one name per class", "%d class names from %s, but the outputs %s fit decoder %s with another number of classes",
				nc, p.LabelsSource, outputShapes(outs), k)
		}
	}
	if kind == "" {
		fits := detect.Fits(detect.Config{Input: c.Input, Decoder: "yolox", NumClasses: max(nc, 1)}, 0, outs)
		var wants []string
		for _, f := range fits {
			var se *detect.ShapeError
			if errors.As(f.Err, &se) {
				wants = append(wants, fmt.Sprintf("%s wants %s", f.Decoder, se.Want))
			}
		}
		return undecided("decoder", "--decoder NAME (Options.Decoder; one of "+strings.Join(detect.Decoders(), ", ")+")",
			"outputs %s fit no decoder (%s)", outputShapes(outs), strings.Join(wants, "; "))
	}
	c.Decoder, c.Anchors = kind, anchors
	if why != "" {
		p.guess("decoder", kind, "%s", why)
	}
	return p.classes(nc, outs)
}

// inferDecoder picks the decoder from the output shapes and the metadata;
// why is "" when the choice is certain, else the reason for the guess.
func (p *Plan) inferDecoder(nc int) (kind string, anchors int, why string) {
	outs := p.Graph.Outputs
	e2e := strings.EqualFold(p.Graph.Metadata["end2end"], "true")
	if len(outs) > 1 {
		cfg := detect.Config{Input: p.Config.Input, Decoder: "picodet", Strides: p.Config.Strides}
		for _, f := range detect.Fits(cfg, max(nc, picodetClasses(outs)), tensorInfos(outs)) {
			if f.Decoder == "picodet" && f.Err == nil {
				return "picodet", 0, "per-level score and box outputs, as PaddleDetection's PicoDet exports"
			}
		}
		return "", 0, ""
	}
	if len(outs) != 1 || len(outs[0].Shape) != 3 {
		return "", 0, ""
	}
	a, b := outs[0].Shape[1], outs[0].Shape[2]
	cells := int64(p.cells())
	known := func(d, want int64) bool { return d < 0 || d == want }
	classes := func(d, extra int64) bool { // d = extra + C, C > 0 and, when names are known, C = len(names)
		return d > extra && (nc == 0 || d == extra+int64(nc))
	}
	switch {
	case e2e && b == 6:
		return "end2end", 0, ""
	case classes(a, 4) && known(b, cells):
		return "yolov8", 0, ""
	case classes(b, 5) && a > 0 && a%cells == 0 && a/cells > 1:
		return "yolov5", int(a / cells), ""
	case classes(b, 5) && known(a, cells):
		if p.ultralytics() {
			return "yolov5", 1, "[1,N,5+C] with one row per grid cell and Ultralytics metadata: boxes decoded in the graph (" +
				"a raw YOLOX head has the same shape: give --decoder yolox)"
		}
		return "yolox", 0, "[1,N,5+C] with one row per grid cell and no exporter metadata: YOLOX's raw head (" +
			"if the graph decodes the boxes, give --decoder yolov5)"
	case b == 6:
		return "end2end", 0, "[1,N,6]: rows x1,y1,x2,y2,score,class (an NMS-free or NMS-inside export)"
	}
	return "", 0, ""
}

// picodetClasses is the class count of PicoDet score outputs: the last
// dimension that most outputs share.
func picodetClasses(outs []onnxgraph.Value) int {
	n := map[int64]int{}
	for _, o := range outs {
		if len(o.Shape) == 3 {
			n[o.Shape[2]]++
		}
	}
	best, bn := int64(0), 0
	for d, k := range n {
		if k > bn || (k == bn && d > best) {
			best, bn = d, k
		}
	}
	return int(best)
}

// cells is the number of grid cells of the input over the strides.
func (p *Plan) cells() int {
	s := p.Config.Strides
	if len(s) == 0 {
		s = []int{8, 16, 32}
	}
	n := 0
	for _, v := range s {
		n += (p.Config.Input.Width / v) * (p.Config.Input.Height / v)
	}
	return max(n, 1)
}

// classes sets NumClasses from the output shape when no names give it.
func (p *Plan) classes(nc int, outs []detect.TensorInfo) error {
	if nc > 0 {
		return nil
	}
	c := &p.Config
	var n int64
	if len(outs) == 1 && len(outs[0].Shape) == 3 {
		s := outs[0].Shape
		switch c.Decoder {
		case "yolov8":
			n = s[1] - 4
		case "yolov5", "yolox":
			n = s[2] - 5
		}
	}
	if c.Decoder == "picodet" {
		n = int64(picodetClasses(p.Graph.Outputs))
	}
	if n <= 0 {
		return undecided("number of classes", "--labels FILE (Options.Labels)", "the metadata has no class names and the %s outputs %s do not say", c.Decoder, outputShapes(outs))
	}
	c.NumClasses = int(n)
	p.guess("num_classes", strconv.FormatInt(n, 10), "from the output shape; the metadata has no class names (give --labels FILE to name them)")
	return nil
}

// preprocessing sets each family's reference pre-processing.
func (p *Plan) preprocessing() {
	c := &p.Config
	o := &c.Input
	ultra := p.ultralytics()
	switch {
	case c.Decoder == "yolox" && !ultra:
		p.Family = "yolox"
		o.Resize, o.Placement, o.Rounding, o.PadValue, o.ChannelOrder, o.Scale = preprocess.Letterbox, preprocess.TopLeft, preprocess.Floor, 114, preprocess.BGR, 1
		c.ClassAgnostic = true
		p.guess("input", "letterbox top-left, pad 114, BGR, 0–255", "YOLOX's reference pre-processing (demo/ONNXRuntime)")
	case c.Decoder == "picodet" && !ultra:
		p.Family = "picodet"
		o.Resize, o.ChannelOrder, o.Scale = preprocess.Stretch, preprocess.RGB, 1.0/255
		o.Mean, o.Std = []float64{0.485, 0.456, 0.406}, []float64{0.229, 0.224, 0.225}
		p.guess("input", "stretch, RGB, /255, ImageNet mean and std", "PaddleDetection's PicoDet pre-processing")
	default:
		p.Family = "ultralytics"
		o.Resize, o.Placement, o.Rounding, o.PadValue, o.ChannelOrder, o.Scale = preprocess.Letterbox, preprocess.Center, preprocess.Nearest, 114, preprocess.RGB, 1.0/255
		c.ScoreThreshold, c.NMSIoU, c.MaxDetections = 0.25, 0.7, 300
		switch {
		case !ultra && slices.Contains([]string{"yolov8", "yolov5", "end2end"}, c.Decoder):
			p.guess("input", "centred letterbox (rounded), pad 114, RGB, /255", "Ultralytics' LetterBox; the file has no Ultralytics metadata")
		case !ultra:
			p.Family = ""
			p.guess("input", "centred letterbox (rounded), pad 114, RGB, /255",
				"no known recipe for decoder %q: check the exporter's pre-processing and edit the config", c.Decoder)
		}
	}
}

// check validates the config and checks it against the graph.
func (p *Plan) check(opts *Options) error {
	if p.Labels != nil {
		p.Config.Labels = LabelsFile
	}
	pipe, err := detect.NewPipeline(p.Config.Config, p.Labels)
	if err == nil {
		err = pipe.Check(tensorInfos(p.Graph.Inputs), tensorInfos(p.Graph.Outputs))
	}
	if err != nil {
		if opts.Decoder != "" {
			return permanent("onnximport: --decoder (Options.Decoder) %s does not fit the model: %w", opts.Decoder, err)
		}
		return permanent("onnximport: the inferred config does not fit the model: %w", err)
	}
	return nil
}

func tensorInfos(vs []onnxgraph.Value) []detect.TensorInfo {
	out := make([]detect.TensorInfo, len(vs))
	for i, v := range vs {
		out[i] = detect.TensorInfo{Name: v.Name, Shape: v.Shape}
	}
	return out
}

func outputShapes(outs []detect.TensorInfo) string {
	s := make([]string, len(outs))
	for i, o := range outs {
		s[i] = fmt.Sprintf("%s %s", o.Name, detect.FormatShape(o.Shape))
	}
	return strings.Join(s, ", ")
}
