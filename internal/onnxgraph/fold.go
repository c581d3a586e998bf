package onnxgraph

import "google.golang.org/protobuf/encoding/protowire"

// FoldWeights returns model without the graph inputs that are also
// initializers, and how many it removed: what ONNX Runtime's
// remove_initializer_from_input.py does offline. Exporters that keep
// initializers as inputs (PyTorch's keep_initializers_as_inputs, older
// PaddlePaddle exports) make every weight overridable at run time, so ONNX
// Runtime can neither fold constants nor fuse layers. Bytes that do not
// parse as a model are returned unchanged, with 0; the input slice is never
// modified.
func FoldWeights(model []byte) ([]byte, int) {
	var graph []byte
	var before, after int // the graph field is model[before:after]
	err := eachField(model, func(f field) error {
		if f.num == modelGraph && f.typ == protowire.BytesType && graph == nil {
			graph, before, after = f.val, f.start, f.end
		}
		return nil
	})
	if err != nil || graph == nil {
		return model, 0
	}
	inits := map[string]bool{}
	err = eachField(graph, func(f field) error {
		if f.num == graphInitializer && f.typ == protowire.BytesType {
			if name, ok := stringField(f.val, tensorName); ok {
				inits[name] = true
			}
		}
		return nil
	})
	if err != nil || len(inits) == 0 {
		return model, 0
	}
	kept := make([]byte, 0, len(graph))
	dropped := 0
	eachField(graph, func(f field) error {
		if f.num == graphInput && f.typ == protowire.BytesType {
			if name, ok := stringField(f.val, valueInfoName); ok && inits[name] {
				dropped++
				return nil
			}
		}
		kept = append(kept, graph[f.start:f.end]...)
		return nil
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
