package onnxgraph

import (
	"errors"
	"fmt"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// ErrNotONNX reports bytes that do not parse as an ONNX model with a graph.
var ErrNotONNX = errors.New("onnxgraph: not an ONNX model")

// FormatError reports where a model failed to parse. It wraps [ErrNotONNX].
type FormatError struct {
	Where  string // the message being read, e.g. "graph" or "graph.output"
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("onnxgraph: not an ONNX model: %s: %s", e.Where, e.Reason)
}

// Unwrap returns [ErrNotONNX].
func (e *FormatError) Unwrap() error { return ErrNotONNX }

// Field numbers of onnx.proto read or written here.
const (
	modelIRVersion     protowire.Number = 1  // ModelProto.ir_version
	modelProducer      protowire.Number = 2  // ModelProto.producer_name
	modelGraph         protowire.Number = 7  // ModelProto.graph
	modelOpset         protowire.Number = 8  // ModelProto.opset_import
	modelMetadata      protowire.Number = 14 // ModelProto.metadata_props
	opsetDomain        protowire.Number = 1  // OperatorSetIdProto.domain
	opsetVersion       protowire.Number = 2  // OperatorSetIdProto.version
	entryKey           protowire.Number = 1  // StringStringEntryProto.key
	entryValue         protowire.Number = 2  // StringStringEntryProto.value
	graphNode          protowire.Number = 1  // GraphProto.node
	graphInitializer   protowire.Number = 5  // GraphProto.initializer
	graphInput         protowire.Number = 11 // GraphProto.input
	graphOutput        protowire.Number = 12 // GraphProto.output
	nodeInput          protowire.Number = 1  // NodeProto.input
	nodeOutput         protowire.Number = 2  // NodeProto.output
	nodeOpType         protowire.Number = 4  // NodeProto.op_type
	nodeAttribute      protowire.Number = 5  // NodeProto.attribute
	valueInfoName      protowire.Number = 1  // ValueInfoProto.name
	valueInfoType      protowire.Number = 2  // ValueInfoProto.type
	typeTensor         protowire.Number = 1  // TypeProto.tensor_type
	tensorTypeElem     protowire.Number = 1  // TypeProto.Tensor.elem_type
	tensorTypeShape    protowire.Number = 2  // TypeProto.Tensor.shape
	shapeDim           protowire.Number = 1  // TensorShapeProto.dim
	dimValue           protowire.Number = 1  // TensorShapeProto.Dimension.dim_value
	dimParam           protowire.Number = 2  // TensorShapeProto.Dimension.dim_param
	tensorDims         protowire.Number = 1  // TensorProto.dims
	tensorDataType     protowire.Number = 2  // TensorProto.data_type
	tensorFloatData    protowire.Number = 4  // TensorProto.float_data
	tensorInt64Data    protowire.Number = 7  // TensorProto.int64_data
	tensorName         protowire.Number = 8  // TensorProto.name
	attrName           protowire.Number = 1  // AttributeProto.name
	attrFloat          protowire.Number = 2  // AttributeProto.f
	attrInt            protowire.Number = 3  // AttributeProto.i
	attrInts           protowire.Number = 8  // AttributeProto.ints
	attrType           protowire.Number = 20 // AttributeProto.type
	attrTypeFloat                       = 1  // AttributeProto.FLOAT
	attrTypeInt                         = 2  // AttributeProto.INT
	attrTypeInts                        = 7  // AttributeProto.INTS
	maxMetadataEntries                  = 4096
)

// Element types (TensorProto.DataType) of the tensors this package writes.
const (
	Float = 1 // TensorProto.FLOAT
	Int64 = 7 // TensorProto.INT64
)

// Value is a graph input or output.
type Value struct {
	Name string
	// ElemType is the TensorProto.DataType of the elements (1 float32,
	// 10 float16, 7 int64, 2 uint8 …); 0 when the file does not say.
	ElemType int32
	// Shape has one entry per dimension, -1 for a dynamic one; nil when
	// the file gives no shape.
	Shape []int64
	// Params names the symbolic dimensions ("batch", "height"…), "" for
	// fixed or anonymous ones; nil when no dimension is named.
	Params []string
}

// Model is what [Read] found in an ONNX file.
type Model struct {
	IRVersion int64
	Producer  string
	// Opset is the version of the default ("" or "ai.onnx") domain.
	Opset int64
	// Inputs are the graph inputs that are not initializers (the tensors a
	// caller feeds), Outputs the graph outputs, both in file order.
	Inputs, Outputs []Value
	// WeightInputs names the graph inputs that are also initializers:
	// weights an exporter kept overridable (see [FoldWeights]).
	WeightInputs []string
	// Metadata holds the metadata_props; a repeated key keeps its last value.
	Metadata map[string]string
	// Nodes is the number of nodes of the main graph.
	Nodes int
}

// Read parses the parts of an ONNX model described by [Model].
func Read(model []byte) (*Model, error) {
	m := &Model{Metadata: map[string]string{}}
	var graph []byte
	err := eachField(model, func(f field) error {
		switch {
		case f.num == modelIRVersion && f.typ == protowire.VarintType:
			m.IRVersion = int64(f.varint)
		case f.num == modelProducer && f.typ == protowire.BytesType:
			m.Producer = string(f.val)
		case f.num == modelGraph && f.typ == protowire.BytesType:
			graph = f.val
		case f.num == modelOpset && f.typ == protowire.BytesType:
			return readOpset(f.val, m)
		case f.num == modelMetadata && f.typ == protowire.BytesType:
			if len(m.Metadata) >= maxMetadataEntries {
				return &FormatError{Where: "metadata_props", Reason: fmt.Sprintf("more than %d entries", maxMetadataEntries)}
			}
			k, v, err := readEntry(f.val)
			m.Metadata[k] = v
			return err
		}
		return nil
	})
	if err != nil {
		return nil, asFormat("model", err)
	}
	if graph == nil {
		return nil, &FormatError{Where: "model", Reason: "no graph"}
	}
	if err := readGraph(graph, m); err != nil {
		return nil, asFormat("graph", err)
	}
	return m, nil
}

func readOpset(b []byte, m *Model) error {
	var domain string
	var version int64
	err := eachField(b, func(f field) error {
		switch {
		case f.num == opsetDomain && f.typ == protowire.BytesType:
			domain = string(f.val)
		case f.num == opsetVersion && f.typ == protowire.VarintType:
			version = int64(f.varint)
		}
		return nil
	})
	if domain == "" || domain == "ai.onnx" {
		m.Opset = version
	}
	return err
}

func readEntry(b []byte) (k, v string, err error) {
	err = eachField(b, func(f field) error {
		switch {
		case f.num == entryKey && f.typ == protowire.BytesType:
			k = string(f.val)
		case f.num == entryValue && f.typ == protowire.BytesType:
			v = string(f.val)
		}
		return nil
	})
	return k, v, err
}

func readGraph(g []byte, m *Model) error {
	inits := map[string]bool{}
	var inputs []Value
	err := eachField(g, func(f field) error {
		if f.typ != protowire.BytesType {
			return nil
		}
		switch f.num {
		case graphNode:
			m.Nodes++
		case graphInitializer:
			if name, ok := stringField(f.val, tensorName); ok {
				inits[name] = true
			}
		case graphInput, graphOutput:
			v, err := readValue(f.val)
			if err != nil {
				return err
			}
			if f.num == graphInput {
				inputs = append(inputs, v)
			} else {
				m.Outputs = append(m.Outputs, v)
			}
		}
		return nil
	})
	for _, v := range inputs {
		if inits[v.Name] {
			m.WeightInputs = append(m.WeightInputs, v.Name)
		} else {
			m.Inputs = append(m.Inputs, v)
		}
	}
	return err
}

func readValue(b []byte) (Value, error) {
	var v Value
	var named bool
	err := eachField(b, func(f field) error {
		switch {
		case f.num == valueInfoName && f.typ == protowire.BytesType:
			v.Name = string(f.val)
		case f.num == valueInfoType && f.typ == protowire.BytesType:
			return eachField(f.val, func(f field) error {
				if f.num != typeTensor || f.typ != protowire.BytesType {
					return nil
				}
				return eachField(f.val, func(f field) error {
					switch {
					case f.num == tensorTypeElem && f.typ == protowire.VarintType:
						v.ElemType = int32(f.varint)
					case f.num == tensorTypeShape && f.typ == protowire.BytesType:
						v.Shape = []int64{}
						return eachField(f.val, func(f field) error {
							if f.num != shapeDim || f.typ != protowire.BytesType {
								return nil
							}
							d, p, err := readDim(f.val)
							v.Shape = append(v.Shape, d)
							v.Params = append(v.Params, p)
							named = named || p != ""
							return err
						})
					}
					return nil
				})
			})
		}
		return nil
	})
	if !named {
		v.Params = nil
	}
	return v, err
}

func readDim(b []byte) (int64, string, error) {
	d, p := int64(-1), ""
	err := eachField(b, func(f field) error {
		switch {
		case f.num == dimValue && f.typ == protowire.VarintType && int64(f.varint) >= 0:
			d = int64(f.varint)
		case f.num == dimParam && f.typ == protowire.BytesType:
			p = string(f.val)
		}
		return nil
	})
	return d, p, err
}

// field is one protobuf field of a message: its number and wire type, its
// extent [start, end) in the message, and its value.
type field struct {
	num        protowire.Number
	typ        protowire.Type
	start, end int
	val        []byte // BytesType
	varint     uint64 // VarintType
}

// eachField calls fn for every field of the message b, in order, and stops
// at the first error.
func eachField(b []byte, fn func(field) error) error {
	for off := 0; off < len(b); {
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			return protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[off+n:])
		if m < 0 {
			return protowire.ParseError(m)
		}
		f := field{num: num, typ: typ, start: off, end: off + n + m}
		switch typ {
		case protowire.BytesType:
			f.val, _ = protowire.ConsumeBytes(b[off+n:])
		case protowire.VarintType:
			f.varint, _ = protowire.ConsumeVarint(b[off+n:])
		}
		if err := fn(f); err != nil {
			return err
		}
		off = f.end
	}
	return nil
}

// stringField returns the last value of string field num of message b.
func stringField(b []byte, num protowire.Number) (string, bool) {
	var s string
	var found bool
	err := eachField(b, func(f field) error {
		if f.num == num && f.typ == protowire.BytesType {
			s, found = string(f.val), true
		}
		return nil
	})
	return s, found && err == nil
}

// asFormat wraps a protowire parse error as a FormatError.
func asFormat(where string, err error) error {
	var fe *FormatError
	if err == nil || errors.As(err, &fe) {
		return err
	}
	return &FormatError{Where: where, Reason: err.Error()}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
