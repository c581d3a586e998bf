package ortdetect

import "google.golang.org/protobuf/encoding/protowire"

// Field numbers of the ONNX protobuf messages read here (onnx.proto).
const (
	modelGraph       protowire.Number = 7  // ModelProto.graph
	graphInitializer protowire.Number = 5  // GraphProto.initializer
	graphInput       protowire.Number = 11 // GraphProto.input
	tensorName       protowire.Number = 8  // TensorProto.name
	valueInfoName    protowire.Number = 1  // ValueInfoProto.name
)

// FoldableModel returns model without the graph inputs that are also
// initializers, and how many it removed. Exporters that keep initializers
// as inputs (PyTorch's keep_initializers_as_inputs, older PaddlePaddle
// exports such as the bundled PicoDet) make every weight overridable at
// run time, so ONNX Runtime cannot fold constants or fuse layers: the
// bundled PicoDet runs about 28 % slower so. A detector only ever feeds the
// image, so the weights are constants; this is what ONNX Runtime's
// remove_initializer_from_input.py does offline. [New] applies it; it is
// exported for programs that create their own sessions. Bytes that do not
// parse as a model are returned unchanged, for ONNX Runtime to report; the
// input slice is never modified.
func FoldableModel(model []byte) ([]byte, int) {
	var graph []byte
	var before, after int // the graph field is model[before:after]
	err := eachField(model, func(num protowire.Number, typ protowire.Type, start, end int, val []byte) {
		if num == modelGraph && typ == protowire.BytesType && graph == nil {
			graph, before, after = val, start, end
		}
	})
	if err != nil || graph == nil {
		return model, 0
	}
	inits := map[string]bool{}
	err = eachField(graph, func(num protowire.Number, typ protowire.Type, _, _ int, val []byte) {
		if num == graphInitializer && typ == protowire.BytesType {
			if name, ok := stringField(val, tensorName); ok {
				inits[name] = true
			}
		}
	})
	if err != nil || len(inits) == 0 {
		return model, 0
	}
	kept := make([]byte, 0, len(graph))
	dropped := 0
	eachField(graph, func(num protowire.Number, typ protowire.Type, start, end int, val []byte) {
		if num == graphInput && typ == protowire.BytesType {
			if name, ok := stringField(val, valueInfoName); ok && inits[name] {
				dropped++
				return
			}
		}
		kept = append(kept, graph[start:end]...)
	})
	if dropped == 0 {
		return model, 0
	}
	out := make([]byte, 0, len(model))
	out = append(out, model[:before]...)
	out = protowire.AppendTag(out, modelGraph, protowire.BytesType)
	out = protowire.AppendBytes(out, kept)
	out = append(out, model[after:]...)
	return out, dropped
}

// eachField calls fn for every field of the message b, with the field's
// extent in b and, for length-delimited fields, its contents.
func eachField(b []byte, fn func(num protowire.Number, typ protowire.Type, start, end int, val []byte)) error {
	for off := 0; off < len(b); {
		num, typ, n := protowire.ConsumeTag(b[off:])
		if n < 0 {
			return protowire.ParseError(n)
		}
		m := protowire.ConsumeFieldValue(num, typ, b[off+n:])
		if m < 0 {
			return protowire.ParseError(m)
		}
		var val []byte
		if typ == protowire.BytesType {
			val, _ = protowire.ConsumeBytes(b[off+n:])
		}
		fn(num, typ, off, off+n+m, val)
		off += n + m
	}
	return nil
}

// stringField returns the last value of string field num of message b.
func stringField(b []byte, num protowire.Number) (string, bool) {
	var s string
	var found bool
	err := eachField(b, func(n protowire.Number, typ protowire.Type, _, _ int, val []byte) {
		if n == num && typ == protowire.BytesType {
			s, found = string(val), true
		}
	})
	return s, found && err == nil
}
