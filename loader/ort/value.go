package ort

import (
	"fmt"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Value is a tensor (OrtValue).
//
// A Value made by [NewTensor] or [NewEmptyTensor] is backed by the Go slice
// passed in: ONNX Runtime reads and writes that memory directly, nothing is
// copied, and the Value keeps the slice alive until [Value.Close]. The caller
// must not resize the slice, and must not write to it while a [Session.Run]
// that uses the Value is in progress. The OrtValue itself is created the
// first time the Value is passed to [Session.Run] and reused afterwards.
//
// A Value returned by [Session.Run] for an output that the caller did not
// pre-allocate is backed by memory that ONNX Runtime allocated: the slices
// returned by its accessors are valid only until [Value.Close], which the
// caller must call exactly once it is done with them.
//
// A Value may be used as an input of concurrent runs; Close must not be
// called while a run uses it.
type Value struct {
	handle atomic.Uintptr // OrtValue*; 0 until created
	mu     sync.Mutex     // serialises creating and releasing handle
	api    *api           // the table handle was created with
	closed bool

	typ   ElementType
	shape []int64
	data  unsafe.Pointer
	n     int // number of elements
	keep  any // the Go slice behind data; nil when ONNX Runtime owns it
}

// NewTensor returns a tensor of the given shape over data, without copying.
// len(data) must equal the product of the dimensions, which must not be
// negative; otherwise the error wraps [ErrShape].
func NewTensor[T Element](shape []int64, data []T) (*Value, error) {
	n, err := elementCount(shape)
	if err != nil {
		return nil, err
	}
	if n != len(data) {
		return nil, fmt.Errorf("%w: shape %v has %d elements, data has %d", ErrShape, shape, n, len(data))
	}
	v := &Value{typ: elementTypeOf[T](), shape: append([]int64(nil), shape...), n: n, keep: data}
	if n > 0 {
		v.data = unsafe.Pointer(unsafe.SliceData(data))
	}
	return v, nil
}

// NewEmptyTensor returns a tensor of the given shape over a new zeroed slice,
// for use as a pre-allocated output of [Session.Run].
func NewEmptyTensor[T Element](shape []int64) (*Value, error) {
	n, err := elementCount(shape)
	if err != nil {
		return nil, err
	}
	return NewTensor(shape, make([]T, n))
}

func elementCount(shape []int64) (int, error) {
	n := int64(1)
	for _, d := range shape {
		if d < 0 || (d > 0 && n > (1<<62)/d) {
			return 0, fmt.Errorf("%w: bad dimension in shape %v", ErrShape, shape)
		}
		n *= d
	}
	return int(n), nil
}

// ElementType returns the tensor's element type.
func (v *Value) ElementType() ElementType { return v.typ }

// Shape returns the tensor's dimensions. The caller must not modify it.
func (v *Value) Shape() []int64 { return v.shape }

// Len returns the number of elements.
func (v *Value) Len() int { return v.n }

// Float32s returns the data of a float32 tensor, or nil for another type.
func (v *Value) Float32s() []float32 { return dataOrNil[float32](v) }

// Uint8s returns the data of a uint8 tensor, or nil for another type.
func (v *Value) Uint8s() []uint8 { return dataOrNil[uint8](v) }

// Int64s returns the data of an int64 tensor, or nil for another type.
func (v *Value) Int64s() []int64 { return dataOrNil[int64](v) }

// Data returns the tensor's data as a []T without copying. The error wraps
// [ErrType] when T does not match the element type, and is [ErrClosed] after
// Close.
func Data[T Element](v *Value) ([]T, error) {
	if want := elementTypeOf[T](); want != v.typ {
		return nil, fmt.Errorf("%w: tensor holds %v, not %v", ErrType, v.typ, want)
	}
	v.mu.Lock()
	closed := v.closed
	v.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	if v.n == 0 {
		return []T{}, nil
	}
	return unsafe.Slice((*T)(v.data), v.n), nil
}

func dataOrNil[T Element](v *Value) []T {
	d, _ := Data[T](v)
	return d
}

// ortValue returns the OrtValue, creating it in a's library on first use.
func (v *Value) ortValue(a *api) (uintptr, error) {
	if h := v.handle.Load(); h != 0 && v.api == a {
		return h, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	switch {
	case v.closed:
		return 0, ErrClosed
	case v.handle.Load() != 0 && v.api != a:
		return 0, fmt.Errorf("ort: value was created in library %s", v.api.lib.Path())
	case v.handle.Load() != 0:
		return v.handle.Load(), nil
	}
	h, err := a.createTensor(v)
	if err != nil {
		return 0, err
	}
	v.api = a
	v.handle.Store(h)
	return h, nil
}

// createTensor wraps v's Go memory in a new OrtValue.
func (a *api) createTensor(v *Value) (uintptr, error) {
	var mem uintptr
	// OrtArenaAllocator, OrtMemTypeDefault: plain CPU memory.
	if err := a.call("CreateCpuMemoryInfo", slotCreateCPUMemoryInfo, 1, 0, uintptr(unsafe.Pointer(&mem))); err != nil {
		return 0, err
	}
	defer a.release(slotReleaseMemoryInfo, mem)
	var shape unsafe.Pointer
	if len(v.shape) > 0 {
		shape = unsafe.Pointer(&v.shape[0])
	}
	var h uintptr
	err := a.call("CreateTensorWithDataAsOrtValue", slotCreateTensorWithDataAsOrtValue, mem,
		uintptr(v.data), uintptr(v.n*elementSize(v.typ)), uintptr(shape), uintptr(len(v.shape)),
		uintptr(v.typ), uintptr(unsafe.Pointer(&h)))
	return h, err
}

func elementSize(t ElementType) int {
	switch t {
	case Double, Int64, Uint64:
		return 8
	case Float, Int32, Uint32:
		return 4
	case Int16, Uint16, Float16:
		return 2
	}
	return 1
}

// newOutputValue wraps an OrtValue that ONNX Runtime allocated.
func newOutputValue(a *api, h uintptr) (*Value, error) {
	v := &Value{api: a}
	v.handle.Store(h)
	if err := a.describeTensor(v, h); err != nil {
		a.release(slotReleaseValue, h)
		return nil, err
	}
	return v, nil
}

// describeTensor fills in v's type, shape and data from the OrtValue h.
func (a *api) describeTensor(v *Value, h uintptr) error {
	var info uintptr
	if err := a.call("GetTensorTypeAndShape", slotGetTensorTypeAndShape, h, uintptr(unsafe.Pointer(&info))); err != nil {
		return err
	}
	defer a.release(slotReleaseTensorTypeAndShapeInfo, info)
	t, shape, err := a.typeAndShape(info)
	if err != nil {
		return err
	}
	var count uintptr
	if err := a.call("GetTensorShapeElementCount", slotGetTensorShapeElementCount, info, uintptr(unsafe.Pointer(&count))); err != nil {
		return err
	}
	var data uintptr
	if err := a.call("GetTensorMutableData", slotGetTensorMutableData, h, uintptr(unsafe.Pointer(&data))); err != nil {
		return err
	}
	v.typ, v.shape, v.n, v.data = t, shape, int(count), ptr(data)
	return nil
}

// Close releases the OrtValue and, for a Value that ONNX Runtime allocated,
// its memory. Calling Close again does nothing.
func (v *Value) Close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.closed {
		return nil
	}
	v.closed = true
	if h := v.handle.Swap(0); h != 0 {
		v.api.release(slotReleaseValue, h)
	}
	v.data, v.keep = nil, nil
	return nil
}
