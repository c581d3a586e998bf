package ortdetect_test

import (
	"encoding/binary"
	"math"
)

// A minimal protobuf encoder for hand-built ONNX models (see
// bench/ort_tiny_test.go), enough for a few nodes with attributes and
// initializers.

func pbTag(b []byte, num, wire int) []byte { return pbUvarint(b, uint64(num<<3|wire)) }

func pbUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// pbInt encodes a varint field; pbBytes a length-delimited one.
func pbInt(num int, v int64) []byte { return pbUvarint(pbTag(nil, num, 0), uint64(v)) }

func pbBytes(num int, b []byte) []byte {
	return append(pbUvarint(pbTag(nil, num, 2), uint64(len(b))), b...)
}

func pbStr(num int, s string) []byte { return pbBytes(num, []byte(s)) }

func cat(parts ...[]byte) []byte {
	var b []byte
	for _, p := range parts {
		b = append(b, p...)
	}
	return b
}

// ONNX enum values.
const (
	onnxFloat   = 1 // TensorProto.FLOAT
	onnxInt64   = 7 // TensorProto.INT64
	onnxAttInts = 7 // AttributeProto.INTS
	onnxAttInt  = 2 // AttributeProto.INT
)

// onnxValueInfo is a ValueInfoProto of a float tensor; a negative
// dimension is the symbolic dimension "N".
func onnxValueInfo(name string, dims ...int64) []byte {
	var shape []byte
	for _, d := range dims {
		if d < 0 {
			shape = append(shape, pbBytes(1, pbStr(2, "N"))...) // dim_param
		} else {
			shape = append(shape, pbBytes(1, pbInt(1, d))...) // dim_value
		}
	}
	tensor := cat(pbInt(1, onnxFloat), pbBytes(2, shape))
	return cat(pbStr(1, name), pbBytes(2, pbBytes(1, tensor)))
}

// onnxFloats is a float TensorProto initializer.
func onnxFloats(name string, dims []int64, data []float32) []byte {
	raw := make([]byte, 4*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v))
	}
	return onnxInitializer(name, onnxFloat, dims, raw)
}

// onnxInt64s is an int64 TensorProto initializer of shape [len(data)].
func onnxInt64s(name string, data []int64) []byte {
	raw := make([]byte, 8*len(data))
	for i, v := range data {
		binary.LittleEndian.PutUint64(raw[8*i:], uint64(v))
	}
	return onnxInitializer(name, onnxInt64, []int64{int64(len(data))}, raw)
}

func onnxInitializer(name string, typ int64, dims []int64, raw []byte) []byte {
	var b []byte
	for _, d := range dims {
		b = append(b, pbInt(1, d)...)
	}
	return cat(b, pbInt(2, typ), pbStr(8, name), pbBytes(9, raw))
}

// onnxNode is a NodeProto; attrs are AttributeProtos.
func onnxNode(op string, inputs, outputs []string, attrs ...[]byte) []byte {
	var b []byte
	for _, in := range inputs {
		b = append(b, pbStr(1, in)...)
	}
	for _, out := range outputs {
		b = append(b, pbStr(2, out)...)
	}
	b = append(b, pbStr(4, op)...)
	for _, a := range attrs {
		b = append(b, pbBytes(5, a)...)
	}
	return b
}

func onnxAttrInts(name string, vs ...int64) []byte {
	b := pbStr(1, name)
	for _, v := range vs {
		b = append(b, pbInt(8, v)...)
	}
	return append(b, pbInt(20, onnxAttInts)...)
}

func onnxAttrInt(name string, v int64) []byte {
	return cat(pbStr(1, name), pbInt(3, v), pbInt(20, onnxAttInt))
}

// onnxModel is a ModelProto (IR version 8, opset 13) of one graph.
func onnxModel(nodes, initializers [][]byte, input, output []byte) []byte {
	var g []byte
	for _, n := range nodes {
		g = append(g, pbBytes(1, n)...)
	}
	g = append(g, pbStr(2, "tiny")...)
	for _, t := range initializers {
		g = append(g, pbBytes(5, t)...)
	}
	g = append(g, pbBytes(11, input)...)
	g = append(g, pbBytes(12, output)...)
	return cat(pbInt(1, 8), pbBytes(8, pbInt(2, 13)), pbBytes(7, g))
}
