package ortdetect

import "github.com/modelreg/modelreg/internal/onnxgraph"

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
func FoldableModel(model []byte) ([]byte, int) { return onnxgraph.FoldWeights(model) }
