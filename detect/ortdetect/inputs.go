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
			if io.ElementType != ort.Float {
				return fmt.Errorf("ortdetect: image input %q is %v; only float32 image inputs are supported: %w", io.Name, io.ElementType, detect.ErrShape)
			}
			v, err := ort.NewTensor(pipe.InputShape(1), s.in)
			if err != nil {
				return fmt.Errorf("ortdetect: input tensor: %w", err)
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
