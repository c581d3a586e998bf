package ortdetect_test

import (
	"os"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// Rewrites of the bundled YOLOX-Nano graph into the output layouts of
// other detector families, built at test time (never stored): the YOLOX
// head is decoded inside the graph and re-encoded as DETR, RT-DETR or TF
// Object Detection API outputs, so that those decoders run on real network
// outputs over real photos. The graph keeps YOLOX's opset 11.

const yoloxModel = "../../catalog/models/yolox-nano-coco/yolox_nano.onnx"

// yoloxSide is the YOLOX-Nano input side; yoloxAnchors its grid cells.
const (
	yoloxSide    = 416
	yoloxAnchors = 52*52 + 26*26 + 13*13
)

// graphEdit is what a rewrite adds to the graph; the YOLOX output
// "output" stops being a graph output.
type graphEdit struct {
	nodes, inits, inputs, outputs [][]byte
	dynamicSize                   bool // the image input becomes [1,3,H,W]
	// rawNHWC makes the image input TF-OD's image_tensor: uint8 [1,H,W,3],
	// cast and transposed to YOLOX's input in the graph.
	rawNHWC bool
}

// onnxUint8 is TensorProto.UINT8.
const onnxUint8 = 2

func (e *graphEdit) node(op string, in, out []string, attrs ...[]byte) {
	e.nodes = append(e.nodes, onnxNode(op, in, out, attrs...))
}

func (e *graphEdit) floats(name string, dims []int64, data ...float32) {
	e.inits = append(e.inits, onnxFloats(name, dims, data))
}

func (e *graphEdit) ints(name string, data ...int64) {
	e.inits = append(e.inits, onnxInt64s(name, data))
}

// valueInfo is a ValueInfoProto of a tensor of ONNX element type typ; a
// negative dimension is symbolic, named by its position.
func valueInfo(name string, typ int64, dims ...int64) []byte {
	var shape []byte
	for i, d := range dims {
		if d < 0 {
			shape = append(shape, pbBytes(1, pbStr(2, "d"+string(rune('0'+i))))...)
		} else {
			shape = append(shape, pbBytes(1, pbInt(1, d))...)
		}
	}
	return cat(pbStr(1, name), pbBytes(2, pbBytes(1, cat(pbInt(1, typ), pbBytes(2, shape)))))
}

// rewriteYOLOX returns the bundled YOLOX-Nano model with e applied.
func rewriteYOLOX(t testing.TB, e *graphEdit) []byte {
	t.Helper()
	model, err := os.ReadFile(yoloxModel)
	if err != nil {
		t.Fatal(err)
	}
	var out, graph []byte
	forFields(t, model, func(num protowire.Number, field, val []byte) {
		if num == 7 { // ModelProto.graph
			graph = val
			return
		}
		out = append(out, field...)
	})
	var g []byte
	prefixed := false
	forFields(t, graph, func(num protowire.Number, field, val []byte) {
		switch {
		case num == 1 && e.rawNHWC && !prefixed: // the first node: the input's conversion goes before it
			g = append(g, pbBytes(1, onnxNode("Cast", []string{"image_tensor"}, []string{"image_f"}, onnxAttrInt("to", onnxFloat)))...)
			g = append(g, pbBytes(1, onnxNode("Transpose", []string{"image_f"}, []string{"images"}, onnxAttrInts("perm", 0, 3, 1, 2)))...)
			g = append(g, field...)
			prefixed = true
		case num == 12: // GraphProto.output: replaced
		case num == 11 && e.rawNHWC && nameOf(t, val) == "images":
			g = append(g, pbBytes(11, valueInfo("image_tensor", onnxUint8, 1, -1, -1, 3))...)
		case num == 11 && e.dynamicSize && nameOf(t, val) == "images":
			g = append(g, pbBytes(11, valueInfo("images", onnxFloat, 1, 3, -1, -1))...)
		default:
			g = append(g, field...)
		}
	})
	for _, n := range e.nodes {
		g = append(g, pbBytes(1, n)...)
	}
	for _, i := range e.inits {
		g = append(g, pbBytes(5, i)...)
	}
	for _, i := range e.inputs {
		g = append(g, pbBytes(11, i)...)
	}
	for _, o := range e.outputs {
		g = append(g, pbBytes(12, o)...)
	}
	return append(out, pbBytes(7, g)...)
}

// nameOf returns field 1 (the name) of a ValueInfoProto.
func nameOf(t testing.TB, info []byte) string {
	var name string
	forFields(t, info, func(num protowire.Number, _, val []byte) {
		if num == 1 {
			name = string(val)
		}
	})
	return name
}

// forFields calls fn with each field of message b: its number, its whole
// encoding and, for a length-delimited field, its contents.
func forFields(t testing.TB, b []byte, fn func(num protowire.Number, field, val []byte)) {
	t.Helper()
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		m := protowire.ConsumeFieldValue(num, typ, b[max(n, 0):])
		if n < 0 || m < 0 {
			t.Fatalf("bad protobuf at field %d", num)
		}
		var val []byte
		if typ == protowire.BytesType {
			val, _ = protowire.ConsumeBytes(b[n:])
		}
		fn(num, b[:n+m], val)
		b = b[n+m:]
	}
}

// decodeYOLOX adds the nodes that decode the YOLOX head as YOLOX's
// demo_postprocess does, all [1,3549,·]: "cxy" and "wh" (input pixels),
// "obj", "probs" (obj × p_c), "cxcywh" normalised by the input side,
// "xyxy_px" corners in input pixels and "xyxy" normalised.
func decodeYOLOX(e *graphEdit) {
	grid := make([]float32, 0, 2*yoloxAnchors)
	stride := make([]float32, 0, yoloxAnchors)
	for _, s := range []int{8, 16, 32} {
		n := yoloxSide / s
		for i := range n * n {
			grid = append(grid, float32(i%n), float32(i/n))
			stride = append(stride, float32(s))
		}
	}
	e.floats("grid", []int64{1, yoloxAnchors, 2}, grid...)
	e.floats("stride", []int64{1, yoloxAnchors, 1}, stride...)
	e.floats("side4", []int64{4}, yoloxSide, yoloxSide, yoloxSide, yoloxSide)
	e.floats("half", nil, 0.5)
	e.floats("one", nil, 1)
	for _, k := range []int64{0, 2, 4, 5, 85} {
		e.ints("k"+itoa(k), k)
	}
	e.ints("axis2", 2)
	e.node("Slice", []string{"output", "k0", "k2", "axis2"}, []string{"txy"})
	e.node("Slice", []string{"output", "k2", "k4", "axis2"}, []string{"twh"})
	e.node("Slice", []string{"output", "k4", "k5", "axis2"}, []string{"obj"})
	e.node("Slice", []string{"output", "k5", "k85", "axis2"}, []string{"cls"})
	e.node("Add", []string{"txy", "grid"}, []string{"gxy"})
	e.node("Mul", []string{"gxy", "stride"}, []string{"cxy"})
	e.node("Exp", []string{"twh"}, []string{"ewh"})
	e.node("Mul", []string{"ewh", "stride"}, []string{"wh"})
	e.node("Mul", []string{"obj", "cls"}, []string{"probs"})
	e.node("Concat", []string{"cxy", "wh"}, []string{"cxcywh_px"}, onnxAttrInt("axis", 2))
	e.node("Div", []string{"cxcywh_px", "side4"}, []string{"cxcywh"})
	e.node("Mul", []string{"wh", "half"}, []string{"hwh"})
	e.node("Sub", []string{"cxy", "hwh"}, []string{"xy1"})
	e.node("Add", []string{"cxy", "hwh"}, []string{"xy2"})
	e.node("Concat", []string{"xy1", "xy2"}, []string{"xyxy_px"}, onnxAttrInt("axis", 2))
	e.node("Div", []string{"xyxy_px", "side4"}, []string{"xyxy"})
}

func itoa(k int64) string {
	if k < 10 {
		return string(rune('0' + k))
	}
	return itoa(k/10) + string(rune('0'+k%10))
}

// gatherTop adds nodes that keep the k anchors of best class score:
// "<prefix>i" [1,k] indices, and for each name in rows a "<prefix><name>"
// of those rows.
func gatherTop(e *graphEdit, prefix string, k int64, rows ...string) {
	e.ints(prefix+"k", k)
	e.node("ReduceMax", []string{"probs"}, []string{prefix + "best"}, onnxAttrInts("axes", 2), onnxAttrInt("keepdims", 0))
	e.node("TopK", []string{prefix + "best", prefix + "k"}, []string{prefix + "v", prefix + "i"}, onnxAttrInt("axis", 1))
	for _, r := range rows {
		e.node("Squeeze", []string{r}, []string{prefix + r + "2d"}, onnxAttrInts("axes", 0))
		e.node("Gather", []string{prefix + r + "2d", prefix + "i"}, []string{prefix + r}, onnxAttrInt("axis", 0))
	}
}

// logitsOf adds "<out>" = log(p / (1 − p)) of "<in>" clipped to
// [1e-6, 1 − 1e-6]: sigmoid logits whose sigmoid is p.
func logitsOf(e *graphEdit, in, out string) {
	e.floats("p_lo", nil, 1e-6)
	e.floats("p_hi", nil, 1-1e-6)
	e.node("Clip", []string{in, "p_lo", "p_hi"}, []string{out + "_p"})
	e.node("Sub", []string{"one", out + "_p"}, []string{out + "_q"})
	e.node("Div", []string{out + "_p", out + "_q"}, []string{out + "_odds"})
	e.node("Log", []string{out + "_odds"}, []string{out})
}

// rtdetrRaw is RT-DETR's (and D-FINE's) raw layout: the 300 best anchors
// as queries, pred_boxes [1,300,4] (cx, cy, w, h normalised) and
// pred_logits [1,300,80] (sigmoid logits).
func rtdetrRaw(dynamicSize bool) *graphEdit {
	e := &graphEdit{dynamicSize: dynamicSize}
	decodeYOLOX(e)
	logitsOf(e, "probs", "logits_all")
	gatherTop(e, "q_", 300, "cxcywh", "logits_all")
	e.node("Identity", []string{"q_cxcywh"}, []string{"pred_boxes"})
	e.node("Identity", []string{"q_logits_all"}, []string{"pred_logits"})
	e.outputs = [][]byte{valueInfo("pred_logits", onnxFloat, 1, 300, 80), valueInfo("pred_boxes", onnxFloat, 1, 300, 4)}
	return e
}

// detrSoftmax is DETR's layout, one query per anchor: logits [1,3549,81]
// whose softmax over 80 classes and no-object is proportional to
// (obj·p_0 … obj·p_79, 1 − obj), and pred_boxes [1,3549,4].
func detrSoftmax() *graphEdit {
	e := &graphEdit{}
	decodeYOLOX(e)
	e.floats("q_lo", nil, 1e-7)
	e.node("Sub", []string{"one", "obj"}, []string{"noobj"})
	e.node("Concat", []string{"probs", "noobj"}, []string{"q81"}, onnxAttrInt("axis", 2))
	e.node("Clip", []string{"q81", "q_lo", "one"}, []string{"q81c"})
	e.node("Log", []string{"q81c"}, []string{"logits"})
	e.node("Identity", []string{"cxcywh"}, []string{"pred_boxes"})
	e.outputs = [][]byte{valueInfo("pred_boxes", onnxFloat, 1, yoloxAnchors, 4), valueInfo("logits", onnxFloat, 1, yoloxAnchors, 81)}
	return e
}

// coco91 maps the 80 YOLOX classes to the COCO category ids of TF-OD's
// label map (1-based, with gaps).
var coco91 = []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 27, 28,
	31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60,
	61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90}

// ssdNumThreshold: num_detections counts the scores above it, as TF-OD's
// graph counts what its NMS kept; rows after it still hold real boxes.
const ssdNumThreshold = 0.4

// tfodSSD is the TF Object Detection API's output contract: the 100 best
// anchors, detection_boxes [1,100,4] (ymin, xmin, ymax, xmax normalised),
// detection_scores [1,100], detection_classes [1,100] (COCO ids as float)
// and num_detections [1].
func tfodSSD() *graphEdit {
	e := &graphEdit{}
	decodeYOLOX(e)
	ids := make([]float32, len(coco91))
	for i, id := range coco91 {
		ids[i] = float32(id)
	}
	e.floats("coco91", []int64{80}, ids...)
	e.floats("yx_perm", []int64{4, 4}, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0)
	e.floats("num_thr", nil, ssdNumThreshold)
	e.node("MatMul", []string{"xyxy", "yx_perm"}, []string{"yxyx"})
	gatherTop(e, "t_", 100, "yxyx")
	e.node("ArgMax", []string{"probs"}, []string{"cls80"}, onnxAttrInt("axis", 2), onnxAttrInt("keepdims", 0))
	e.node("GatherElements", []string{"cls80", "t_i"}, []string{"c100"}, onnxAttrInt("axis", 1))
	e.node("Gather", []string{"coco91", "c100"}, []string{"detection_classes"}, onnxAttrInt("axis", 0))
	e.node("Identity", []string{"t_v"}, []string{"detection_scores"})
	e.node("Identity", []string{"t_yxyx"}, []string{"detection_boxes"})
	e.node("Greater", []string{"t_v", "num_thr"}, []string{"valid"})
	e.node("Cast", []string{"valid"}, []string{"validf"}, onnxAttrInt("to", onnxFloat))
	e.node("ReduceSum", []string{"validf"}, []string{"num_detections"}, onnxAttrInts("axes", 1), onnxAttrInt("keepdims", 0))
	e.outputs = [][]byte{valueInfo("num_detections", onnxFloat, 1), valueInfo("detection_boxes", onnxFloat, 1, 100, 4),
		valueInfo("detection_scores", onnxFloat, 1, 100), valueInfo("detection_classes", onnxFloat, 1, 100)}
	return e
}

// rtdetrPost is RT-DETR exported with its RTDETRPostProcessor: boxes
// from (cx, cy, w, h) to corners, scaled by a size the model takes as an
// input, top 300 of all query × class scores, labels = index mod 80.
// With orig_target_sizes (int64 [w, h]) the corners are normalised ones
// times the original size; with scale_factor (float [sy, sx], as
// PaddleDetection's) they are input pixels divided by the scale. Outputs
// labels (int64), boxes and scores.
func rtdetrPost(sizeInput string) *graphEdit {
	e := &graphEdit{}
	decodeYOLOX(e)
	e.ints("flat", 1, -1)
	e.ints("k300", 300)
	e.ints("n80", 80)
	if sizeInput == "orig_target_sizes" {
		e.inputs = [][]byte{valueInfo(sizeInput, onnxInt64, 1, 2)}
		e.node("Concat", []string{sizeInput, sizeInput}, []string{"o4"}, onnxAttrInt("axis", 1))
		e.node("Cast", []string{"o4"}, []string{"o4f"}, onnxAttrInt("to", onnxFloat))
		e.node("Unsqueeze", []string{"o4f"}, []string{"o4u"}, onnxAttrInts("axes", 1))
		e.node("Mul", []string{"xyxy", "o4u"}, []string{"bpx"})
	} else {
		e.inputs = [][]byte{valueInfo(sizeInput, onnxFloat, 1, 2)}
		e.ints("xyxy_from_yx", 1, 0, 1, 0)
		e.node("Gather", []string{sizeInput, "xyxy_from_yx"}, []string{"s4"}, onnxAttrInt("axis", 1))
		e.node("Unsqueeze", []string{"s4"}, []string{"s4u"}, onnxAttrInts("axes", 1))
		e.node("Div", []string{"xyxy_px", "s4u"}, []string{"bpx"})
	}
	e.node("Reshape", []string{"probs", "flat"}, []string{"flat_scores"})
	e.node("TopK", []string{"flat_scores", "k300"}, []string{"scores", "fi"}, onnxAttrInt("axis", 1))
	e.node("Mod", []string{"fi", "n80"}, []string{"labels"})
	e.node("Div", []string{"fi", "n80"}, []string{"qi"})
	e.node("Squeeze", []string{"bpx"}, []string{"bpx2d"}, onnxAttrInts("axes", 0))
	e.node("Gather", []string{"bpx2d", "qi"}, []string{"boxes"}, onnxAttrInt("axis", 0))
	e.outputs = [][]byte{valueInfo("labels", onnxInt64, 1, 300), valueInfo("boxes", onnxFloat, 1, 300, 4),
		valueInfo("scores", onnxFloat, 1, 300)}
	return e
}
