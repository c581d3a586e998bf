package ort

import "unsafe"

// ioInfos reads the names, element types and shapes of the session's inputs
// (in == true) or outputs, and keeps the C names for Run.
func (s *Session) ioInfos(in bool) ([]IOInfo, error) {
	countSlot, nameSlot, typeSlot := slotSessionGetOutputCount, slotSessionGetOutputName, slotSessionGetOutputTypeInfo
	if in {
		countSlot, nameSlot, typeSlot = slotSessionGetInputCount, slotSessionGetInputName, slotSessionGetInputTypeInfo
	}
	a := s.api
	var n uintptr
	if err := a.call("SessionGetCount", countSlot, s.handle, uintptr(unsafe.Pointer(&n))); err != nil {
		return nil, err
	}
	al, err := a.allocator()
	if err != nil {
		return nil, err
	}
	infos := make([]IOInfo, n)
	for i := range infos {
		var name uintptr
		if err := a.call("SessionGetName", nameSlot, s.handle, uintptr(i), al, uintptr(unsafe.Pointer(&name))); err != nil {
			return nil, err
		}
		s.names = append(s.names, name)
		infos[i].Name = goString(name)
		if infos[i].ElementType, infos[i].Shape, err = s.typeInfo(typeSlot, i); err != nil {
			return nil, err
		}
	}
	return infos, nil
}

// typeInfo returns the element type and shape of input or output i; for a
// value that is not a tensor it returns Undefined and nil.
func (s *Session) typeInfo(slot, i int) (ElementType, []int64, error) {
	a := s.api
	var ti uintptr
	if err := a.call("SessionGetTypeInfo", slot, s.handle, uintptr(i), uintptr(unsafe.Pointer(&ti))); err != nil {
		return Undefined, nil, err
	}
	defer a.release(slotReleaseTypeInfo, ti)
	var kind int32
	if err := a.call("GetOnnxTypeFromTypeInfo", slotGetOnnxTypeFromTypeInfo, ti, uintptr(unsafe.Pointer(&kind))); err != nil {
		return Undefined, nil, err
	}
	if kind != 1 { // ONNX_TYPE_TENSOR
		return Undefined, nil, nil
	}
	var info uintptr // owned by ti
	if err := a.call("CastTypeInfoToTensorInfo", slotCastTypeInfoToTensorInfo, ti, uintptr(unsafe.Pointer(&info))); err != nil {
		return Undefined, nil, err
	}
	return a.typeAndShape(info)
}

// typeAndShape reads an OrtTensorTypeAndShapeInfo.
func (a *api) typeAndShape(info uintptr) (ElementType, []int64, error) {
	var t int32
	if err := a.call("GetTensorElementType", slotGetTensorElementType, info, uintptr(unsafe.Pointer(&t))); err != nil {
		return Undefined, nil, err
	}
	var nd uintptr
	if err := a.call("GetDimensionsCount", slotGetDimensionsCount, info, uintptr(unsafe.Pointer(&nd))); err != nil {
		return Undefined, nil, err
	}
	shape := make([]int64, nd)
	if nd > 0 {
		if err := a.call("GetDimensions", slotGetDimensions, info, uintptr(unsafe.Pointer(&shape[0])), nd); err != nil {
			return Undefined, nil, err
		}
	}
	return ElementType(t), shape, nil
}
