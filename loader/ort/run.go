package ort

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"unsafe"
)

// Run runs the model. inputs must hold one tensor per input, in the order of
// [Session.Inputs]. outputs is either nil, and then ONNX Runtime allocates
// every output, or holds one entry per output in the order of
// [Session.Outputs]: a pre-allocated tensor of the right type and shape,
// which ONNX Runtime writes into, or nil to have that output allocated.
//
// Run returns the outputs: the pre-allocated Values themselves, and new
// Values for the others, which the caller must Close.
//
// When ctx is cancelled during the run, Run asks ONNX Runtime to terminate it
// (RunOptionsSetTerminate) and returns ctx.Err().
func (s *Session) Run(ctx context.Context, inputs, outputs []*Value) ([]*Value, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.rw.RLock()
	defer s.rw.RUnlock()
	if s.closed {
		return nil, ErrClosed
	}
	slot, err := s.idle.get(s.api, len(s.inputs)+len(s.outputs))
	if err != nil {
		return nil, err
	}
	defer s.idle.put(slot)
	if err := s.handles(slot.buf, inputs, outputs); err != nil {
		return nil, err
	}
	hs := slot.buf[len(inputs):]
	if err := s.run(ctx, slot); err != nil {
		s.releaseAllocated(hs, outputs)
		return nil, err
	}
	runtime.KeepAlive(inputs)
	runtime.KeepAlive(outputs)
	return s.wrapOutputs(hs, outputs)
}

// handles fills buf with the OrtValues of the inputs followed by those of
// the outputs (0 where ONNX Runtime is to allocate one).
func (s *Session) handles(buf []uintptr, inputs, outputs []*Value) error {
	if len(inputs) != len(s.inputs) {
		return fmt.Errorf("%w: %d inputs for a model with %d", ErrArgs, len(inputs), len(s.inputs))
	}
	if outputs != nil && len(outputs) != len(s.outputs) {
		return fmt.Errorf("%w: %d outputs for a model with %d", ErrArgs, len(outputs), len(s.outputs))
	}
	clear(buf)
	for i, v := range inputs {
		if v == nil {
			return fmt.Errorf("%w: input %d (%s) is nil", ErrArgs, i, s.inputs[i].Name)
		}
		h, err := v.ortValue(s.api)
		if err != nil {
			return err
		}
		buf[i] = h
	}
	for i, v := range outputs {
		if v == nil {
			continue
		}
		h, err := v.ortValue(s.api)
		if err != nil {
			return err
		}
		buf[len(inputs)+i] = h
	}
	return nil
}

// run calls OrtApi::Run with the slot's OrtRunOptions and values, wiring ctx
// to the terminate flag.
func (s *Session) run(ctx context.Context, slot *runSlot) error {
	ro, buf := slot.ro, slot.buf
	var stop func() bool
	var fired chan struct{}
	if ctx.Done() != nil {
		fired = make(chan struct{})
		stop = context.AfterFunc(ctx, func() {
			defer close(fired)
			s.api.callVoid(slotRunOptionsSetTerminate, ro)
		})
	}
	nIn, nOut := len(s.inputs), len(s.outputs)
	err := s.api.call("Run", slotRun, s.handle, ro,
		uintptr(unsafe.Pointer(unsafe.SliceData(s.names))), uintptr(unsafe.Pointer(unsafe.SliceData(buf))), uintptr(nIn),
		uintptr(unsafe.Pointer(unsafe.SliceData(s.names[nIn:]))), uintptr(nOut),
		uintptr(unsafe.Pointer(unsafe.SliceData(buf[nIn:]))))
	if stop != nil && !stop() {
		<-fired // the terminate flag is set: clear it before reusing ro
		s.api.callVoid(slotRunOptionsUnsetTerminate, ro)
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	return err
}

// wrapOutputs returns the outputs, wrapping those ONNX Runtime allocated.
func (s *Session) wrapOutputs(hs []uintptr, outputs []*Value) ([]*Value, error) {
	out := outputs
	if out == nil || slices.Contains(outputs, nil) {
		out = make([]*Value, len(hs))
		copy(out, outputs)
	}
	for i, h := range hs {
		if out[i] != nil {
			continue
		}
		v, err := newOutputValue(s.api, h)
		if err != nil {
			s.releaseAllocated(hs[i+1:], tail(outputs, i+1))
			for j := range i {
				if j >= len(outputs) || outputs[j] == nil {
					_ = out[j].Close()
				}
			}
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

// releaseAllocated releases the OrtValues ONNX Runtime allocated for outputs
// that were not pre-allocated.
func (s *Session) releaseAllocated(hs []uintptr, outputs []*Value) {
	for i, h := range hs {
		if i >= len(outputs) || outputs[i] == nil {
			s.api.release(slotReleaseValue, h)
		}
	}
}

// runSlot is what one run needs besides its arguments: an OrtRunOptions and
// a buffer for the input and output OrtValue pointers.
type runSlot struct {
	ro  uintptr
	buf []uintptr
}

// runOptionsPool keeps idle run slots for reuse; a session needs as many as
// it has concurrent runs.
type runOptionsPool struct {
	mu   sync.Mutex
	free []*runSlot
}

func (p *runOptionsPool) get(a *api, n int) (*runSlot, error) {
	p.mu.Lock()
	if k := len(p.free); k > 0 {
		slot := p.free[k-1]
		p.free = p.free[:k-1]
		p.mu.Unlock()
		return slot, nil
	}
	p.mu.Unlock()
	slot := &runSlot{buf: make([]uintptr, n)}
	err := a.call("CreateRunOptions", slotCreateRunOptions, uintptr(unsafe.Pointer(&slot.ro)))
	return slot, err
}

func (p *runOptionsPool) put(slot *runSlot) {
	if slot.ro == 0 {
		return
	}
	p.mu.Lock()
	p.free = append(p.free, slot)
	p.mu.Unlock()
}

func (p *runOptionsPool) releaseAll(a *api) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, slot := range p.free {
		a.release(slotReleaseRunOptions, slot.ro)
	}
	p.free = nil
}

// tail returns s[i:], or nil when s is nil.
func tail(s []*Value, i int) []*Value {
	if s == nil {
		return nil
	}
	return s[i:]
}
