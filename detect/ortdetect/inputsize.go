package ortdetect

import (
	"fmt"
	"slices"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of the ONNX messages that describe an input's shape.
const (
	valueInfoType   protowire.Number = 2 // ValueInfoProto.type
	typeTensor      protowire.Number = 1 // TypeProto.tensor_type
	tensorTypeShape protowire.Number = 2 // TypeProto.Tensor.shape
	shapeDim        protowire.Number = 1 // TensorShapeProto.dim
	dimValue        protowire.Number = 1 // Dimension.dim_value
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
	var graph []byte
	err := eachField(model, func(num protowire.Number, typ protowire.Type, _, _ int, val []byte) {
		if num == modelGraph && typ == protowire.BytesType && graph == nil {
			graph = val
		}
	})
	if err != nil || graph == nil {
		return "", nil, fmt.Errorf("%w: the model is not an ONNX model with a graph", detect.ErrInvalidConfig)
	}
	inits := map[string]bool{}
	var inputs [][]byte
	eachField(graph, func(num protowire.Number, typ protowire.Type, _, _ int, val []byte) {
		switch {
		case typ != protowire.BytesType:
		case num == graphInitializer:
			if name, ok := stringField(val, tensorName); ok {
				inits[name] = true
			}
		case num == graphInput:
			inputs = append(inputs, val)
		}
	})
	var names []string
	var shape []int64
	for _, in := range inputs {
		name, _ := stringField(in, valueInfoName)
		if inits[name] || slices.ContainsFunc(extras, func(e detect.ExtraInput) bool { return e.Name == name }) {
			continue
		}
		names = append(names, name)
		shape = inputDims(in)
	}
	if len(names) != 1 {
		return "", nil, &detect.ShapeError{Decoder: "input", Tensor: fmt.Sprintf("the model has image inputs %q", names),
			Want: "one input besides the config's extra_inputs"}
	}
	return names[0], shape, nil
}

// inputDims returns the dimensions of a ValueInfoProto of a tensor, -1 for
// a symbolic or unknown one.
func inputDims(info []byte) []int64 {
	var dims []int64
	field := func(b []byte, want protowire.Number, fn func(val []byte)) {
		eachField(b, func(num protowire.Number, typ protowire.Type, _, _ int, val []byte) {
			if num == want && typ == protowire.BytesType {
				fn(val)
			}
		})
	}
	field(info, valueInfoType, func(t []byte) {
		field(t, typeTensor, func(tt []byte) {
			field(tt, tensorTypeShape, func(shape []byte) {
				field(shape, shapeDim, func(dim []byte) {
					d := int64(-1)
					eachField(dim, func(num protowire.Number, typ protowire.Type, start, end int, _ []byte) {
						if num == dimValue && typ == protowire.VarintType {
							if v, n := protowire.ConsumeVarint(dim[start+1 : end]); n > 0 && int64(v) > 0 {
								d = int64(v)
							}
						}
					})
					dims = append(dims, d)
				})
			})
		})
	})
	return dims
}
