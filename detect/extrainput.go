package detect

import (
	"fmt"
	"slices"
	"strings"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// ExtraInput is a model input besides the image: a pair of numbers per
// image, shape [B,2], that the runtime fills from the image's [Geometry].
// PaddleDetection's exports take {"name": "im_shape", "value": "input_hw"}
// and {"name": "scale_factor", "value": "scale_yx"}; RT-DETR's with its
// post-processor {"name": "orig_target_sizes", "value": "orig_wh",
// "dtype": "int64"}.
type ExtraInput struct {
	// Name is the model input's name. Required.
	Name string `json:"name"`
	// Value is what the pair holds, one of [ExtraValues]: "input_hw" or
	// "input_wh" (the model input's size, the config's input.height and
	// input.width), "orig_hw" or "orig_wh" (the original image's size),
	// "scale_yx" or "scale_xy" (model-input pixels per image pixel, as
	// [Geometry.ScaleY] and [Geometry.ScaleX]). Required.
	Value string `json:"value"`
	// DType is the tensor's element type: "float32" (default) or "int64"
	// (sizes are whole numbers; a scale is rounded).
	DType string `json:"dtype,omitempty"`
}

// Element types of an [ExtraInput].
const (
	Float32 = "float32"
	Int64   = "int64"
)

// Score activations of the detr decoder ([Config.ScoreActivation]).
const (
	Sigmoid = "sigmoid"
	Softmax = "softmax"
)

// maxExtraInputs bounds [Config.ExtraInputs].
const maxExtraInputs = 8

// extraValues maps each extra-input value to the pair it holds, from the
// model input's size and the image's geometry.
var extraValues = map[string]func(w, h int, g *Geometry) [2]float64{
	"input_hw": func(w, h int, _ *Geometry) [2]float64 { return [2]float64{float64(h), float64(w)} },
	"input_wh": func(w, h int, _ *Geometry) [2]float64 { return [2]float64{float64(w), float64(h)} },
	"orig_hw":  func(_, _ int, g *Geometry) [2]float64 { return [2]float64{float64(g.SrcHeight), float64(g.SrcWidth)} },
	"orig_wh":  func(_, _ int, g *Geometry) [2]float64 { return [2]float64{float64(g.SrcWidth), float64(g.SrcHeight)} },
	"scale_yx": func(_, _ int, g *Geometry) [2]float64 { return [2]float64{g.ScaleY, g.ScaleX} },
	"scale_xy": func(_, _ int, g *Geometry) [2]float64 { return [2]float64{g.ScaleX, g.ScaleY} },
}

// ExtraValues returns the values an [ExtraInput] may hold, sorted.
func ExtraValues() []string {
	v := make([]string, 0, len(extraValues))
	for k := range extraValues {
		v = append(v, k)
	}
	slices.Sort(v)
	return v
}

// ExtraInputs returns the configured extra inputs, in configuration order.
func (p *Pipeline) ExtraInputs() []ExtraInput { return slices.Clone(p.cfg.ExtraInputs) }

// ExtraValue returns the pair the k-th extra input holds for an image
// placed as g. It does not allocate.
func (p *Pipeline) ExtraValue(k int, g Geometry) [2]float64 {
	return extraValues[p.cfg.ExtraInputs[k].Value](p.cfg.Input.Width, p.cfg.Input.Height, &g)
}

// inOriginalPixels reports whether the extra inputs tell a model that
// decodes its own boxes to return them in original-image pixels: it is fed
// the original size or the scale.
func inOriginalPixels(extras []ExtraInput) bool {
	for _, e := range extras {
		if strings.HasPrefix(e.Value, "orig_") || strings.HasPrefix(e.Value, "scale_") {
			return true
		}
	}
	return false
}

func validateExtraInputs(c Config) error {
	if len(c.ExtraInputs) > maxExtraInputs {
		return &ConfigError{Field: "extra_inputs", Reason: fmt.Sprintf("%d inputs; at most %d", len(c.ExtraInputs), maxExtraInputs)}
	}
	for i, e := range c.ExtraInputs {
		field := fmt.Sprintf("extra_inputs[%d]", i)
		switch {
		case e.Name == "":
			return &ConfigError{Field: field + ".name", Reason: "missing"}
		case slices.ContainsFunc(c.ExtraInputs[:i], func(o ExtraInput) bool { return o.Name == e.Name }):
			return &ConfigError{Field: field + ".name", Reason: fmt.Sprintf("%q is listed twice", e.Name)}
		case extraValues[e.Value] == nil:
			return &ConfigError{Field: field + ".value", Reason: fmt.Sprintf("%q is not one of %v", e.Value, ExtraValues())}
		case e.DType != "" && e.DType != Float32 && e.DType != Int64:
			return &ConfigError{Field: field + ".dtype", Reason: fmt.Sprintf("%q is not %q or %q", e.DType, Float32, Int64)}
		}
		// A model that scales its normalised boxes by the original size
		// is right only when the image filled the input (stretch); one
		// that divides by the scale, only without a centring offset.
		in := c.Input
		stretch := in.Resize == preprocess.Stretch
		switch {
		case c.Decoder != "detr":
		case strings.HasPrefix(e.Value, "orig_") && !stretch:
			return &ConfigError{Field: field + ".value", Reason: fmt.Sprintf(
				"%q: boxes scaled by the original size are right only with input.resize %q (or feed \"input_wh\")", e.Value, preprocess.Stretch)}
		case strings.HasPrefix(e.Value, "scale_") && !stretch && in.Placement == preprocess.Center:
			return &ConfigError{Field: field + ".value", Reason: fmt.Sprintf(
				"%q: boxes divided by the scale are right only without a centring offset (input.placement %q)", e.Value, preprocess.TopLeft)}
		}
	}
	return nil
}

// outputRoles are the roles [Config.Outputs] may name, per decoder.
var outputRoles = map[string][]string{
	"detr": {"boxes", "labels", "logits", "scores"},
	"ssd":  {"boxes", "classes", "num_detections", "scores"},
}

func validateOutputs(c Config) error {
	if len(c.Outputs) == 0 {
		return nil
	}
	roles, ok := outputRoles[c.Decoder]
	if !ok {
		return &ConfigError{Field: "outputs", Reason: fmt.Sprintf("the %s decoder finds its outputs by shape, not by name", c.Decoder)}
	}
	for role, name := range c.Outputs {
		switch {
		case !slices.Contains(roles, role):
			return &ConfigError{Field: "outputs." + role, Reason: fmt.Sprintf("not a role of the %s decoder; want one of %v", c.Decoder, roles)}
		case name == "":
			return &ConfigError{Field: "outputs." + role, Reason: "empty output name"}
		}
	}
	return nil
}

// outputName returns the configured name of role, or def.
func (b *base) outputName(role, def string) string {
	if n, ok := b.outputs[role]; ok {
		return n
	}
	return def
}

// findOutput returns the index of the output named name, or -1.
func findOutput[T shaped](outs []T, name string) int {
	for i, t := range outs {
		if n, _ := t.info(); n == name {
			return i
		}
	}
	return -1
}

// ImageInput returns the index of the image among the model's inputs: the
// one input that [Config.ExtraInputs] does not name, or -1.
func (p *Pipeline) ImageInput(inputs []TensorInfo) int {
	img := -1
	for i, in := range inputs {
		if !slices.ContainsFunc(p.cfg.ExtraInputs, func(e ExtraInput) bool { return e.Name == in.Name }) {
			if img >= 0 {
				return -1
			}
			img = i
		}
	}
	return img
}

// checkInputs checks that the model has the image input and each extra
// input, shaped [B,2], and nothing else; it returns the image's index.
func (p *Pipeline) checkInputs(inputs []TensorInfo) (int, error) {
	extras := p.cfg.ExtraInputs
	if want := 1 + len(extras); len(inputs) != want {
		names := make([]string, len(inputs))
		for i, in := range inputs {
			names[i] = in.Name
		}
		return -1, &ShapeError{Decoder: "input", Tensor: fmt.Sprintf("the model has %d inputs %q", len(inputs), names),
			Want: fmt.Sprintf("%d: the image and the %d of the config's extra_inputs", want, len(extras))}
	}
	for _, e := range extras {
		k := slices.IndexFunc(inputs, func(in TensorInfo) bool { return in.Name == e.Name })
		if k < 0 {
			return -1, &ShapeError{Decoder: "input", Tensor: fmt.Sprintf("extra input %q is not an input of the model", e.Name),
				Want: "an input of that name"}
		}
		if s := inputs[k].Shape; len(s) != 2 || !batchOK(s[0]) || !dimOK(s[1], 2) {
			return -1, &ShapeError{Decoder: "input", Tensor: e.Name, Got: s, Want: "[1,2] (" + e.Value + ")"}
		}
	}
	img := p.ImageInput(inputs)
	if img < 0 {
		return -1, &ShapeError{Decoder: "input", Tensor: "no image input", Want: "one input not named in extra_inputs"}
	}
	return img, nil
}
