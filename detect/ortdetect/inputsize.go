package ortdetect

import (
	"fmt"
	"slices"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"github.com/modelreg/modelreg/internal/onnxgraph"
)

// Validate validates the config as [detect.Config.Validate] does, except
// that an input size of 0×0 (width and height both left out) is allowed:
// the size is then the model's, read from its graph when it is loaded.
func (c Config) Validate() error {
	d := c.Config
	if d.Input.Width == 0 && d.Input.Height == 0 {
		d.Input.Width, d.Input.Height = 1, 1 // a stand-in: the model's size is checked at load
	}
	return d.Validate()
}

// withModelSize returns cfg with the input size of model's image input
// when cfg leaves it out. A model whose image input has a dynamic height
// or width (such as [1,3,?,?]) cannot say its size: the error, a
// [*detect.ConfigError], asks for it in the config.
func withModelSize(cfg detect.Config, model []byte) (detect.Config, error) {
	if cfg.Input.Width != 0 || cfg.Input.Height != 0 {
		return cfg, nil
	}
	name, dims, err := imageInputShape(model, cfg.ExtraInputs)
	if err != nil {
		return cfg, err
	}
	h, w := 2, 3
	if cfg.Input.Layout == preprocess.NHWC {
		h, w = 1, 2
	}
	if len(dims) != 4 || dims[h] <= 0 || dims[w] <= 0 {
		return cfg, &detect.ConfigError{Field: "input", Reason: fmt.Sprintf(
			"the model's image input %q has shape %s, whose size is not fixed: set input.width and input.height",
			name, detect.FormatShape(dims))}
	}
	if dims[h] > preprocess.MaxInputSide || dims[w] > preprocess.MaxInputSide {
		return cfg, &detect.ConfigError{Field: "input", Reason: fmt.Sprintf(
			"the model's image input %q has shape %s, larger than %d", name, detect.FormatShape(dims), preprocess.MaxInputSide)}
	}
	cfg.Input.Width, cfg.Input.Height = int(dims[w]), int(dims[h])
	return cfg, nil
}

// imageInputShape returns the name and shape (-1 for a dynamic dimension)
// of the model's only graph input that is neither a weight nor one of the
// extra inputs.
func imageInputShape(model []byte, extras []detect.ExtraInput) (string, []int64, error) {
	m, err := onnxgraph.Read(model)
	if err != nil {
		return "", nil, fmt.Errorf("%w: the model is not an ONNX model with a graph: %w", detect.ErrInvalidConfig, err)
	}
	var names []string
	var shape []int64
	for _, in := range m.Inputs {
		if slices.ContainsFunc(extras, func(e detect.ExtraInput) bool { return e.Name == in.Name }) {
			continue
		}
		names = append(names, in.Name)
		shape = in.Shape
	}
	if len(names) != 1 {
		return "", nil, &detect.ShapeError{Decoder: "input", Tensor: fmt.Sprintf("the model has image inputs %q", names),
			Want: "one input besides the config's extra_inputs"}
	}
	return names[0], shape, nil
}
