// Package onnximport makes an ONNX detector exported by the user a named,
// versioned, verified model that deploy.LoadDefaultDeploymentModel serves,
// with no hand-written configuration: it is what `models import-onnx` runs.
//
// [Inspect] reads the graph's input and outputs and its metadata_props
// (Ultralytics writes names, imgsz, stride, task, batch and end2end; other
// exporters write less) and infers the deployment config: the decoder from
// the output shapes and the metadata (yolov8 for [1,4+C,N], yolov5 for
// [1,N,5+C] with N = anchors × grid cells, yolox for a raw grid head
// without metadata, end2end for [1,N,6], picodet for per-level score and
// box outputs), the input size, and each family's reference
// pre-processing (Ultralytics: centred letterbox rounded as Python does,
// pad 114, RGB, /255). Every value that the file does not state is listed
// as a [Guess] with its reason. When it cannot decide (an output layout no
// decoder fits, a dynamic input size with no imgsz), it returns an
// [*UndecidedError] naming the option (the command's flag) to give, and
// nothing is written. [Options].Decoder overrides the inference, so that
// any decoder of detect.Decoders can be used with explicit options.
//
// [Import] then writes a labels file when the metadata has class names (or
// copies the one given), and adds the model file and the labels to a
// models directory through the registry's verified import
// (registry.Registry.Import: staged, size and sha256 checked, renamed into
// place, the entry merged into the manifest under its lock). The entry's
// manager is a "file" manager over its own directory, so the models
// directory is the model's source: copying or exporting it takes the model
// along, a flush keeps it (registry.FlushReport.Sources) and only a delete
// removes it.
//
// The package reads ONNX files with internal/onnxgraph (protobuf only); it
// does not load ONNX Runtime.
package onnximport
