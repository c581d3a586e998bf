package onnxgraph

import (
	"math"
	"slices"

	"google.golang.org/protobuf/encoding/protowire"
)

// Node is a graph node to add.
type Node struct {
	Op             string // op_type in the default domain, e.g. "Slice"
	Inputs, Output []string
	Attrs          []Attr
}

// Attr is a node attribute: an int, a list of ints or a float.
type Attr struct {
	Name  string
	Int   int64
	Ints  []int64
	Float float32
	kind  int
}

// IntAttr returns an INT attribute.
func IntAttr(name string, v int64) Attr { return Attr{Name: name, Int: v, kind: attrTypeInt} }

// IntsAttr returns an INTS attribute.
func IntsAttr(name string, v ...int64) Attr { return Attr{Name: name, Ints: v, kind: attrTypeInts} }

// FloatAttr returns a FLOAT attribute.
func FloatAttr(name string, v float32) Attr { return Attr{Name: name, Float: v, kind: attrTypeFloat} }

// Initializer is a constant tensor to add: float32 data when Floats is set,
// else int64 data.
type Initializer struct {
	Name   string
	Dims   []int64
	Floats []float32
	Ints   []int64
}

// Changes are what [Edit] does to a model.
type Changes struct {
	// Rename renames tensors where the existing nodes read them: a node
	// input named k reads Rename[k] instead. It lets Prepend put a step in
	// front of a graph input.
	Rename map[string]string
	// Prepend are nodes placed before the existing ones, Append after them.
	Prepend, Append []Node
	// Initializers are added to the graph.
	Initializers []Initializer
	// Outputs, when not nil, replace the graph outputs.
	Outputs []Value
	// Metadata entries are set in metadata_props, replacing the entries of
	// the same keys.
	Metadata map[string]string
}

// Edit returns model with c applied; model is not modified. Bytes that do
// not parse as a model give an error wrapping [ErrNotONNX].
func Edit(model []byte, c Changes) ([]byte, error) {
	if _, err := Read(model); err != nil {
		return nil, err
	}
	var out []byte
	err := eachField(model, func(f field) error {
		switch {
		case f.num == modelGraph && f.typ == protowire.BytesType:
			g, err := editGraph(f.val, &c)
			if err != nil {
				return err
			}
			out = protowire.AppendTag(out, modelGraph, protowire.BytesType)
			out = protowire.AppendBytes(out, g)
			return nil
		case f.num == modelMetadata && f.typ == protowire.BytesType:
			if k, _, err := readEntry(f.val); err == nil {
				if _, ok := c.Metadata[k]; ok {
					return nil // replaced below
				}
			}
		}
		out = append(out, model[f.start:f.end]...)
		return nil
	})
	if err != nil {
		return nil, asFormat("model", err)
	}
	for _, k := range sortedKeys(c.Metadata) {
		e := protowire.AppendTag(nil, entryKey, protowire.BytesType)
		e = protowire.AppendString(e, k)
		e = protowire.AppendTag(e, entryValue, protowire.BytesType)
		e = protowire.AppendString(e, c.Metadata[k])
		out = protowire.AppendTag(out, modelMetadata, protowire.BytesType)
		out = protowire.AppendBytes(out, e)
	}
	return out, nil
}

func editGraph(g []byte, c *Changes) ([]byte, error) {
	var out []byte
	for _, n := range c.Prepend {
		out = appendMessage(out, graphNode, n.encode())
	}
	err := eachField(g, func(f field) error {
		switch {
		case f.num == graphOutput && c.Outputs != nil:
			return nil
		case f.num == graphNode && f.typ == protowire.BytesType && len(c.Rename) > 0:
			n, err := renameInputs(f.val, c.Rename)
			out = appendMessage(out, graphNode, n)
			return err
		}
		out = append(out, g[f.start:f.end]...)
		return nil
	})
	for _, n := range c.Append {
		out = appendMessage(out, graphNode, n.encode())
	}
	for _, t := range c.Initializers {
		out = appendMessage(out, graphInitializer, t.encode())
	}
	for _, v := range c.Outputs {
		out = appendMessage(out, graphOutput, v.encode())
	}
	return out, err
}

// renameInputs returns the node message b with its inputs renamed.
func renameInputs(b []byte, rename map[string]string) ([]byte, error) {
	var out []byte
	err := eachField(b, func(f field) error {
		if f.num == nodeInput && f.typ == protowire.BytesType {
			if to, ok := rename[string(f.val)]; ok {
				out = protowire.AppendTag(out, nodeInput, protowire.BytesType)
				out = protowire.AppendString(out, to)
				return nil
			}
		}
		out = append(out, b[f.start:f.end]...)
		return nil
	})
	return out, err
}

func appendMessage(b []byte, num protowire.Number, m []byte) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendBytes(b, m)
}

func appendString(b []byte, num protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, num, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func appendVarint(b []byte, num protowire.Number, v uint64) []byte {
	b = protowire.AppendTag(b, num, protowire.VarintType)
	return protowire.AppendVarint(b, v)
}

func (n Node) encode() []byte {
	var b []byte
	for _, in := range n.Inputs {
		b = appendString(b, nodeInput, in)
	}
	for _, o := range n.Output {
		b = appendString(b, nodeOutput, o)
	}
	b = appendString(b, nodeOpType, n.Op)
	for _, a := range n.Attrs {
		b = appendMessage(b, nodeAttribute, a.encode())
	}
	return b
}

func (a Attr) encode() []byte {
	b := appendString(nil, attrName, a.Name)
	switch a.kind {
	case attrTypeFloat:
		b = protowire.AppendTag(b, attrFloat, protowire.Fixed32Type)
		b = protowire.AppendFixed32(b, math.Float32bits(a.Float))
	case attrTypeInt:
		b = appendVarint(b, attrInt, uint64(a.Int))
	case attrTypeInts:
		for _, v := range a.Ints {
			b = appendVarint(b, attrInts, uint64(v))
		}
	}
	return appendVarint(b, attrType, uint64(a.kind))
}

func (t Initializer) encode() []byte {
	var b []byte
	for _, d := range t.Dims {
		b = appendVarint(b, tensorDims, uint64(d))
	}
	if t.Floats != nil {
		b = appendVarint(b, tensorDataType, Float)
		var packed []byte
		for _, v := range t.Floats {
			packed = protowire.AppendFixed32(packed, math.Float32bits(v))
		}
		b = appendMessage(b, tensorFloatData, packed)
	} else {
		b = appendVarint(b, tensorDataType, Int64)
		var packed []byte
		for _, v := range t.Ints {
			packed = protowire.AppendVarint(packed, uint64(v))
		}
		b = appendMessage(b, tensorInt64Data, packed)
	}
	return appendString(b, tensorName, t.Name)
}

func (v Value) encode() []byte {
	var shape []byte
	for i, d := range v.Shape {
		var dim []byte
		switch {
		case i < len(v.Params) && v.Params[i] != "":
			dim = appendString(nil, dimParam, v.Params[i])
		case d >= 0:
			dim = appendVarint(nil, dimValue, uint64(d))
		}
		shape = appendMessage(shape, shapeDim, dim)
	}
	tensor := appendVarint(nil, tensorTypeElem, uint64(v.ElemType))
	if v.Shape != nil {
		tensor = appendMessage(tensor, tensorTypeShape, shape)
	}
	typ := appendMessage(nil, typeTensor, tensor)
	return appendMessage(appendString(nil, valueInfoName, v.Name), valueInfoType, typ)
}

// Build returns a new model (IR version 7) of the default domain at opset,
// with the graph inputs and c's nodes (Prepend, then Append),
// initializers, outputs and metadata. c.Rename is not used.
func Build(opset int64, inputs []Value, c Changes) []byte {
	var g []byte
	for _, n := range slices.Concat(c.Prepend, c.Append) {
		g = appendMessage(g, graphNode, n.encode())
	}
	g = appendString(g, 2, "graph") // GraphProto.name
	for _, t := range c.Initializers {
		g = appendMessage(g, graphInitializer, t.encode())
	}
	for _, v := range inputs {
		g = appendMessage(g, graphInput, v.encode())
	}
	for _, v := range c.Outputs {
		g = appendMessage(g, graphOutput, v.encode())
	}
	m := appendVarint(nil, modelIRVersion, 7)
	m = appendString(m, modelProducer, "onnxgraph")
	m = appendMessage(m, modelGraph, g)
	m = appendMessage(m, modelOpset, appendVarint(nil, opsetVersion, uint64(opset)))
	for _, k := range sortedKeys(c.Metadata) {
		e := appendString(appendString(nil, entryKey, k), entryValue, c.Metadata[k])
		m = appendMessage(m, modelMetadata, e)
	}
	return m
}
