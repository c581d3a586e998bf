package ortdetect

import (
	"context"
	"fmt"
	"image"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/loader/ort"
)

// DefaultMaxBatch is the most images one run of a batched [Detector.DetectAll]
// takes when [Options.MaxBatch] is 0.
const DefaultMaxBatch = 8

// dynamicBatch reports whether the model takes any number of images per run:
// its only input, a float32 image, has a dynamic first dimension, and so
// does every output, so that the outputs hold one item per image.
func dynamicBatch(s *ort.Session) bool {
	ins, outs := s.Inputs(), s.Outputs()
	if len(ins) != 1 || ins[0].ElementType != ort.Float || len(ins[0].Shape) == 0 || ins[0].Shape[0] >= 0 {
		return false
	}
	for _, o := range outs {
		if len(o.Shape) == 0 || o.Shape[0] >= 0 {
			return false
		}
	}
	return true
}

// Batched reports whether [Detector.DetectAll] runs several images per run
// of the model (up to [Options.MaxBatch]): true when the model's input and
// outputs have a dynamic batch dimension. Otherwise DetectAll runs the
// images one by one, as [Detector.Detect] does.
func (d *Detector) Batched() bool { return d.maxBatch > 0 }

// detectBatched runs imgs in chunks of at most d.maxBatch images, borrowing
// a session for each chunk.
func (d *Detector) detectBatched(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	out := make([][]detect.Detection, len(imgs))
	all := make([]detect.Detection, 0) // backs every out[i]
	for start := 0; start < len(imgs); start += d.maxBatch {
		chunk := imgs[start:min(start+d.maxBatch, len(imgs))]
		var err error
		if all, err = d.detectChunk(ctx, chunk, out[start:], all); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// detectChunk runs one chunk on a borrowed session, setting res[i] to the
// detections of imgs[i] appended to all, and returns all.
func (d *Detector) detectChunk(ctx context.Context, imgs []image.Image, res [][]detect.Detection, all []detect.Detection) ([]detect.Detection, error) {
	if err := ctx.Err(); err != nil {
		return all, err
	}
	if d.closed.Load() {
		return all, ErrClosed
	}
	s, err := d.acquire(ctx)
	if err != nil {
		return all, err
	}
	defer d.release(s)
	return s.detectBatch(ctx, d, imgs, res, all)
}

// detectBatch pre-processes imgs into one input tensor, runs it with
// outputs that ONNX Runtime allocates, and decodes each item.
func (s *slot) detectBatch(ctx context.Context, d *Detector, imgs []image.Image, res [][]detect.Detection, all []detect.Detection) ([]detect.Detection, error) {
	pipe, n := d.pipe, len(imgs)
	in, err := s.batchInput(pipe, n)
	if err != nil {
		return all, err
	}
	size := pipe.InputLen()
	if cap(s.geoms) < n {
		s.geoms = make([]detect.Geometry, n)
	}
	geoms := s.geoms[:n]
	for i, img := range imgs {
		if geoms[i], err = pipe.Preprocess(img, s.batchIn[i*size:(i+1)*size]); err != nil {
			return all, err
		}
	}
	s.batchArgs[0] = in
	d.runs.Add(1)
	outs, err := s.sess.Run(ctx, s.batchArgs[:], nil)
	if err != nil {
		return all, runError(ctx, err)
	}
	defer func() {
		for _, o := range outs {
			o.Close()
		}
	}()
	if s.btensors == nil {
		s.btensors = make([]detect.Tensor, len(outs))
		s.bconv = make([][]float32, len(outs))
	}
	defer clear(s.btensors) // drop the views of memory closed above
	for i, o := range outs {
		shape := o.Shape()
		if len(shape) == 0 || shape[0] != int64(n) {
			return all, &detect.ShapeError{Decoder: pipe.Config().Decoder, Tensor: s.tensors[i].Name, Got: shape,
				Want: fmt.Sprintf("batch dimension %d, the number of images run", n)}
		}
		data := o.Float32s()
		if o.ElementType() != ort.Float {
			s.bconv[i] = toFloat32(o, s.bconv[i])
			data = s.bconv[i]
		}
		s.btensors[i] = detect.Tensor{Name: s.tensors[i].Name, Shape: shape, Data: data}
	}
	for i := range imgs {
		k := len(all)
		if all, err = pipe.AppendDetections(all, s.btensors, i, geoms[i]); err != nil {
			return all, err
		}
		res[i] = all[k:len(all):len(all)]
	}
	return all, nil
}

// batchInput returns an input tensor of n images over s.batchIn, growing
// the buffer when needed. Tensors are kept per batch size for reuse.
func (s *slot) batchInput(pipe *detect.Pipeline, n int) (*ort.Value, error) {
	size := pipe.InputLen()
	if len(s.batchIn) < n*size {
		for _, v := range s.batchVals {
			if v != nil {
				v.Close()
			}
		}
		s.batchIn = make([]float32, n*size)
		s.batchVals = make([]*ort.Value, n+1)
	}
	if v := s.batchVals[n]; v != nil {
		return v, nil
	}
	v, err := ort.NewTensor(pipe.InputShape(n), s.batchIn[:n*size])
	if err != nil {
		return nil, fmt.Errorf("ortdetect: input tensor: %w", err)
	}
	s.batchVals[n] = v
	return v, nil
}
