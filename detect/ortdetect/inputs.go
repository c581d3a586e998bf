package ortdetect

import (
	"fmt"
	"math"
	"slices"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/loader/ort"
)

// extraInput is the buffer of one of the config's extra inputs: a [1,2]
// tensor over f32 or i64, written before each run.
type extraInput struct {
	f32 []float32
	i64 []int64
}

// newInputs makes the input tensors in the model's order: the image over
// s.in and each extra input over its own two values.
func (s *slot) newInputs(pipe *detect.Pipeline) error {
	ins := s.sess.Inputs()
	img := pipe.ImageInput(tensorInfos(ins)) // Pipeline.Check found it
	extras := pipe.ExtraInputs()
	s.inputs = make([]*ort.Value, len(ins))
	s.extras = make([]extraInput, len(extras))
	for i, io := range ins {
		if i == img {
			v, err := s.imageInput(pipe, io)
			if err != nil {
				return err
			}
			s.inputs[i] = v
			continue
		}
		k := slices.IndexFunc(extras, func(e detect.ExtraInput) bool { return e.Name == io.Name })
		if k < 0 {
			return fmt.Errorf("ortdetect: input %q is not in the config's extra_inputs: %w", io.Name, detect.ErrShape)
		}
		e, x := extras[k], &s.extras[k]
		want := ort.Float
		if e.DType == detect.Int64 {
			want = ort.Int64
		}
		if io.ElementType != want {
			return fmt.Errorf("ortdetect: extra input %q is %v in the model; the config says %q: %w",
				io.Name, io.ElementType, cmpOr(e.DType, detect.Float32), detect.ErrShape)
		}
		var v *ort.Value
		var err error
		if want == ort.Int64 {
			x.i64 = make([]int64, 2)
			v, err = ort.NewTensor([]int64{1, 2}, x.i64)
		} else {
			x.f32 = make([]float32, 2)
			v, err = ort.NewTensor([]int64{1, 2}, x.f32)
		}
		if err != nil {
			return fmt.Errorf("ortdetect: input %q: %w", io.Name, err)
		}
		s.inputs[i] = v
	}
	return nil
}

// imageInput makes the image's input tensor: over s.in for a float32
// input, or over s.in8 for a uint8 one (TF Object Detection API graphs
// take raw pixels), which each run fills from s.in.
func (s *slot) imageInput(pipe *detect.Pipeline, io ort.IOInfo) (*ort.Value, error) {
	var v *ort.Value
	var err error
	switch io.ElementType {
	case ort.Float:
		v, err = ort.NewTensor(pipe.InputShape(1), s.in)
	case ort.Uint8:
		if in := pipe.Config().Input; !rawPixels(in.Scale, in.Mean, in.Std) {
			return nil, &detect.ConfigError{Field: "input", Reason: fmt.Sprintf(
				"the model's image input %q is uint8, which takes raw 0–255 pixels: scale 1, mean 0 and std 1 (got scale %v, mean %v, std %v)",
				io.Name, in.Scale, in.Mean, in.Std)}
		}
		s.in8 = make([]uint8, len(s.in))
		v, err = ort.NewTensor(pipe.InputShape(1), s.in8)
	default:
		return nil, fmt.Errorf("ortdetect: image input %q is %v; want float32 or uint8: %w", io.Name, io.ElementType, detect.ErrShape)
	}
	if err != nil {
		return nil, fmt.Errorf("ortdetect: input tensor: %w", err)
	}
	return v, nil
}

// rawPixels reports whether the pre-processing leaves pixel values as they
// are (defaults included).
func rawPixels(scale float64, mean, std []float64) bool {
	if scale != 0 && scale != 1 {
		return false
	}
	for _, m := range mean {
		if m != 0 {
			return false
		}
	}
	for _, d := range std {
		if d != 1 {
			return false
		}
	}
	return true
}

// toUint8 copies the pre-processed image into the uint8 input, rounded
// and clamped (the values are whole pixel values already).
func (s *slot) toUint8() {
	for i, v := range s.in {
		s.in8[i] = uint8(min(max(v+0.5, 0), 255))
	}
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// fillExtras writes each extra input's values for an image placed as g.
func (s *slot) fillExtras(pipe *detect.Pipeline, g detect.Geometry) {
	for k := range s.extras {
		v, x := pipe.ExtraValue(k, g), &s.extras[k]
		if x.i64 != nil {
			x.i64[0], x.i64[1] = int64(math.Round(v[0])), int64(math.Round(v[1]))
		} else {
			x.f32[0], x.f32[1] = float32(v[0]), float32(v[1])
		}
	}
}

// convertible reports whether an output of type t can be decoded: float32,
// or integers (class labels), which are converted to float32.
func convertible(t ort.ElementType) bool {
	return t == ort.Float || t == ort.Int64 || t == ort.Int32
}

// toFloat32 converts an integer output into buf, grown when needed, and
// returns buf holding exactly its values.
func toFloat32(v *ort.Value, buf []float32) []float32 {
	n := v.Len()
	if cap(buf) < n {
		buf = make([]float32, n)
	}
	buf = buf[:n]
	switch v.ElementType() {
	case ort.Int64:
		for i, x := range v.Int64s() {
			buf[i] = float32(x)
		}
	case ort.Int32:
		d, _ := ort.Data[int32](v)
		for i, x := range d {
			buf[i] = float32(x)
		}
	}
	return buf
}
