// Package onnxgraph reads and edits ONNX model files at the protobuf level,
// with google.golang.org/protobuf/encoding/protowire and no generated code:
// [Read] returns a model's graph inputs and outputs (names, element types,
// shapes with their symbolic dimensions), opset and metadata_props, which
// is what an importer needs to infer a model's pre- and post-processing
// (exporters such as Ultralytics write the class names, input size and
// stride there); [Edit] appends nodes, initializers, outputs and metadata to
// a model, which is how tests wrap a bundled network into other exporters'
// output layouts.
//
// Only the fields named here are decoded; every other field of the file is
// kept byte for byte by [Edit]. Bytes that do not parse as a model give an
// error wrapping [ErrNotONNX].
package onnxgraph
