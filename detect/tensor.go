package detect

import (
	"fmt"
	"math"
)

// TensorInfo describes a model input or output as the runtime reports it.
// A negative dimension is dynamic.
type TensorInfo struct {
	Name  string
	Shape []int64
}

// Tensor is a float32 output tensor of a run; Data is row-major.
type Tensor struct {
	Name  string
	Shape []int64
	Data  []float32
}

// Info returns the tensor's name and shape.
func (t Tensor) Info() TensorInfo { return TensorInfo{Name: t.Name, Shape: t.Shape} }

// dimOK reports whether a model dimension matches want; a dynamic (negative)
// dimension matches anything.
func dimOK(got, want int64) bool { return got < 0 || got == want }

// batchOK reports whether the batch dimension is dynamic or at least 1.
func batchOK(d int64) bool { return d < 0 || d >= 1 }

// itemData returns the part of t.Data that belongs to batch item i, which
// must hold n values, or nil when t is too short.
func itemData(t *Tensor, i, n int) []float32 {
	if i < 0 || n < 0 || n > 0 && len(t.Data)/n < i+1 { // (i+1)*n > len, without overflow
		return nil
	}
	return t.Data[i*n : (i+1)*n]
}

// dataOK checks that each output's shape is concrete (no negative
// dimension) and holds no more values than its data, so that a decoder
// may index the data by the shape: a caller's tensor whose shape lies is
// a [*ShapeError], not a panic.
func dataOK(kind string, outs []Tensor) error {
	for i := range outs {
		t := &outs[i]
		n, ok := int64(1), true
		for _, d := range t.Shape {
			if d < 0 || d > 0 && n > math.MaxInt64/d {
				ok = false
				break
			}
			n *= d
		}
		if !ok || n > int64(len(t.Data)) {
			return &ShapeError{Decoder: kind, Tensor: t.Name, Got: t.Shape,
				Want: fmt.Sprintf("non-negative dimensions describing its %d values", len(t.Data))}
		}
	}
	return nil
}
