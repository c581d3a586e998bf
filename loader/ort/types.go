package ort

import (
	"fmt"
	"reflect"
)

// ElementType is a tensor's element type (ONNXTensorElementDataType).
type ElementType int32

// Element types; the values are ONNX's.
const (
	Undefined ElementType = iota
	Float
	Uint8
	Int8
	Uint16
	Int16
	Int32
	Int64
	String
	Bool
	Float16
	Double
	Uint32
	Uint64
)

var typeNames = [...]string{"undefined", "float32", "uint8", "int8", "uint16", "int16", "int32", "int64",
	"string", "bool", "float16", "float64", "uint32", "uint64"}

// String returns the Go-style name of the type, e.g. "float32".
func (t ElementType) String() string {
	if t >= 0 && int(t) < len(typeNames) {
		return typeNames[t]
	}
	return fmt.Sprintf("ElementType(%d)", int32(t))
}

// Element is the set of Go types a tensor can hold without conversion.
type Element interface {
	~float32 | ~float64 | ~uint8 | ~int8 | ~uint16 | ~int16 | ~int32 | ~uint32 | ~int64 | ~uint64
}

// kindTypes maps Go kinds to element types.
var kindTypes = map[reflect.Kind]ElementType{
	reflect.Float32: Float, reflect.Float64: Double, reflect.Uint8: Uint8, reflect.Int8: Int8,
	reflect.Uint16: Uint16, reflect.Int16: Int16, reflect.Int32: Int32, reflect.Uint32: Uint32,
	reflect.Int64: Int64, reflect.Uint64: Uint64,
}

// elementTypeOf returns the ElementType of T.
func elementTypeOf[T Element]() ElementType {
	return kindTypes[reflect.TypeFor[T]().Kind()]
}

// IOInfo describes a session input or output.
type IOInfo struct {
	Name        string
	ElementType ElementType // Undefined for inputs and outputs that are not tensors
	Shape       []int64     // -1 for a dynamic dimension; nil when not a tensor
}

// String formats the info as "name type[shape]", e.g. "images float32[1 3 416 416]".
func (io IOInfo) String() string {
	return fmt.Sprintf("%s %v%v", io.Name, io.ElementType, io.Shape)
}
