package ortdetect

import (
	"context"
	"errors"
	"fmt"
	"image"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/loader/ort"
)

// slot is one session with the buffers of one run: the input tensor over a
// Go slice the pre-processor writes into, and pre-allocated outputs where
// their shapes are fixed. A slot serves one Detect call at a time.
type slot struct {
	sess    *ort.Session
	in      []float32
	in8     []uint8         // the image input when the model takes uint8; nil otherwise
	inputs  []*ort.Value    // the image and the extra inputs, in the model's order
	extras  []extraInput    // the extra inputs' buffers, in the config's order
	outputs []*ort.Value    // nil entries: dynamic shape, allocated by ONNX Runtime
	tensors []detect.Tensor // views of outputs for the decoder
	conv    [][]float32     // per output: float32 copy of an integer output, nil for float outputs

	// Batched runs (DetectAll on a model with a dynamic batch dimension),
	// made on first use.
	batchIn   []float32         // input of up to len(batchVals)-1 images
	batchVals []*ort.Value      // batchVals[n]: tensor of n images over batchIn, or nil
	batchArgs [1]*ort.Value     // the inputs of Run
	geoms     []detect.Geometry // one per image of the batch
	btensors  []detect.Tensor   // views of the batch outputs for the decoder
	bconv     [][]float32       // float32 copies of the batch's integer outputs
}

func newSlot(sess *ort.Session, pipe *detect.Pipeline) (_ *slot, err error) {
	s := &slot{sess: sess, in: make([]float32, pipe.InputLen())}
	defer func() {
		if err != nil {
			s.close()
		}
	}()
	if err := s.newInputs(pipe); err != nil {
		return nil, err
	}
	for _, o := range sess.Outputs() {
		if !convertible(o.ElementType) {
			return nil, fmt.Errorf("ortdetect: output %q is %v, want float32, int64 or int32: %w", o.Name, o.ElementType, detect.ErrShape)
		}
		v, t, err := preallocate(o)
		if err != nil {
			return nil, err
		}
		s.outputs = append(s.outputs, v)
		s.tensors = append(s.tensors, t)
		var conv []float32
		if o.ElementType != ort.Float {
			conv = []float32{} // non-nil: grown by the first run
		}
		s.conv = append(s.conv, conv)
	}
	return s, nil
}

// preallocate returns a pre-allocated output for a fixed shape, or nil
// for a dynamic one; t.Data has its length.
func preallocate(o ort.IOInfo) (v *ort.Value, t detect.Tensor, err error) {
	t = detect.Tensor{Name: o.Name, Shape: o.Shape}
	for _, d := range o.Shape {
		if d < 0 {
			return nil, t, nil
		}
	}
	switch o.ElementType {
	case ort.Int64:
		v, err = ort.NewEmptyTensor[int64](o.Shape)
	case ort.Int32:
		v, err = ort.NewEmptyTensor[int32](o.Shape)
	default:
		v, err = ort.NewEmptyTensor[float32](o.Shape)
	}
	if err != nil {
		return nil, t, fmt.Errorf("ortdetect: output %q: %w", o.Name, err)
	}
	t.Data = v.Float32s() // nil for an integer output, converted after each run
	return v, t, nil
}

// detect runs the whole pipeline on img.
func (s *slot) detect(ctx context.Context, pipe *detect.Pipeline, img image.Image) ([]detect.Detection, error) {
	geom, err := pipe.Preprocess(img, s.in)
	if err != nil {
		return nil, err
	}
	if s.in8 != nil {
		s.toUint8()
	}
	s.fillExtras(pipe, geom)
	outs, err := s.sess.Run(ctx, s.inputs, s.outputs)
	if err != nil {
		return nil, runError(ctx, err)
	}
	defer s.releaseDynamic(outs)
	for i, o := range outs {
		switch {
		case s.conv[i] != nil:
			s.conv[i] = toFloat32(o, s.conv[i])
			s.tensors[i] = detect.Tensor{Name: s.tensors[i].Name, Shape: o.Shape(), Data: s.conv[i]}
		case s.outputs[i] == nil:
			s.tensors[i] = detect.Tensor{Name: s.tensors[i].Name, Shape: o.Shape(), Data: o.Float32s()}
		}
	}
	return pipe.Postprocess(s.tensors, geom)
}

func runError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil && errors.Is(err, ctxErr) {
		return ctxErr
	}
	return fmt.Errorf("ortdetect: run: %w", err)
}

// releaseDynamic closes the outputs ONNX Runtime allocated for this run.
func (s *slot) releaseDynamic(outs []*ort.Value) {
	for i, o := range outs {
		if s.outputs[i] == nil && o != nil {
			o.Close()
			if s.conv[i] == nil {
				s.tensors[i].Data = nil
			}
		}
	}
}

func (s *slot) close() error {
	var errs []error
	for _, v := range s.inputs {
		if v != nil { // nil: a slot whose making failed
			errs = append(errs, v.Close())
		}
	}
	for _, v := range s.outputs {
		if v != nil {
			errs = append(errs, v.Close())
		}
	}
	for _, v := range s.batchVals {
		if v != nil {
			errs = append(errs, v.Close())
		}
	}
	return errors.Join(errs...)
}
