package ultralyticstest

import (
	"fmt"
	"strings"

	"github.com/modelreg/modelreg/internal/onnxgraph"
)

// Layout is an Ultralytics output layout.
type Layout string

// Layouts.
const (
	V8      Layout = "yolov8"  // [1, 4+C, N]
	V5      Layout = "yolov5"  // [1, N, 5+C]
	End2End Layout = "end2end" // [1, TopK, 6]
)

// Input size, strides and the YOLOX-Nano tensors that Wrap reads.
const (
	Size   = 416
	TopK   = 300
	anchor = 52*52 + 26*26 + 13*13 // 3549
	input  = "images"
	head   = "output"
)

// Output is the name Ultralytics gives the output.
const Output = "output0"

// Wrap returns YOLOX-Nano (yolox, the bundled file's bytes) rewritten to
// take an RGB 0–1 input named "images" and emit layout as "output0", with
// the class names in its metadata.
func Wrap(yolox []byte, layout Layout, names []string) ([]byte, error) {
	nc := int64(len(names))
	grid, stride := make([]float32, 0, 2*anchor), make([]float32, 0, anchor)
	for _, s := range []int{8, 16, 32} {
		g := Size / s
		for i := range g * g {
			grid = append(grid, float32(i%g), float32(i/g))
			stride = append(stride, float32(s))
		}
	}
	ints := func(name string, v ...int64) onnxgraph.Initializer {
		return onnxgraph.Initializer{Name: name, Dims: []int64{int64(len(v))}, Ints: v}
	}
	slice := func(out string, from, to int64) onnxgraph.Node {
		return node("Slice", []string{head, fmt.Sprint("at", from), fmt.Sprint("at", to), "axis2"}, out)
	}
	c := onnxgraph.Changes{
		Rename: map[string]string{input: "images_bgr255"},
		Prepend: []onnxgraph.Node{ // RGB 0–1 → BGR 0–255, as YOLOX was trained
			node("Mul", []string{input, "c255"}, "images255"),
			node("Gather", []string{"images255", "bgr"}, "images_bgr255", onnxgraph.IntAttr("axis", 1)),
		},
		Initializers: []onnxgraph.Initializer{
			{Name: "c255", Dims: []int64{}, Floats: []float32{255}},
			{Name: "half", Dims: []int64{}, Floats: []float32{0.5}},
			{Name: "grid", Dims: []int64{1, anchor, 2}, Floats: grid},
			{Name: "stride", Dims: []int64{1, anchor, 1}, Floats: stride},
			ints("bgr", 2, 1, 0), ints("axis2", 2), ints("at0", 0), ints("at2", 2), ints("at4", 4),
			ints("at5", 5), ints(fmt.Sprint("at", 5+nc), 5+nc), ints("topk", TopK),
		},
		Append: []onnxgraph.Node{
			slice("txy", 0, 2), slice("twh", 2, 4), slice("obj", 4, 5), slice("cls", 5, 5+nc),
			node("Add", []string{"txy", "grid"}, "gxy"),
			node("Mul", []string{"gxy", "stride"}, "xy"),
			node("Exp", []string{"twh"}, "ewh"),
			node("Mul", []string{"ewh", "stride"}, "wh"),
			node("Mul", []string{"cls", "obj"}, "scores"),
		},
		Metadata: map[string]string{
			"description": "YOLOX-Nano wrapped as an Ultralytics " + string(layout) + " export (test fixture)",
			"author":      "modelreg tests", "task": "detect", "batch": "1",
			"stride": "32", "imgsz": fmt.Sprintf("[%d, %d]", Size, Size), "names": PythonNames(names),
		},
	}
	var shape []int64
	switch layout {
	case V5:
		c.Append = append(c.Append, node("Concat", []string{"xy", "wh", "obj", "cls"}, Output, onnxgraph.IntAttr("axis", 2)))
		shape = []int64{1, anchor, 5 + nc}
		c.Metadata = map[string]string{"stride": "32", "names": PythonNames(names)} // what YOLOv5's export.py writes
	case V8:
		c.Append = append(c.Append,
			node("Concat", []string{"xy", "wh", "scores"}, "rows", onnxgraph.IntAttr("axis", 2)),
			node("Transpose", []string{"rows"}, Output, onnxgraph.IntsAttr("perm", 0, 2, 1)))
		shape = []int64{1, 4 + nc, anchor}
		c.Metadata["end2end"] = "False"
	case End2End:
		c.Append = append(c.Append,
			node("Mul", []string{"wh", "half"}, "hwh"),
			node("Sub", []string{"xy", "hwh"}, "x1y1"),
			node("Add", []string{"xy", "hwh"}, "x2y2"),
			node("ReduceMax", []string{"scores"}, "best", onnxgraph.IntsAttr("axes", 2), onnxgraph.IntAttr("keepdims", 1)),
			node("ArgMax", []string{"scores"}, "class64", onnxgraph.IntAttr("axis", 2), onnxgraph.IntAttr("keepdims", 1)),
			node("Cast", []string{"class64"}, "class", onnxgraph.IntAttr("to", onnxgraph.Float)),
			node("Concat", []string{"x1y1", "x2y2", "best", "class"}, "rows", onnxgraph.IntAttr("axis", 2)),
			node("Squeeze", []string{"best"}, "best1", onnxgraph.IntsAttr("axes", 2)),
			node("TopK", []string{"best1", "topk"}, "topv", "topi", onnxgraph.IntAttr("axis", 1)),
			node("Squeeze", []string{"topi"}, "topi1", onnxgraph.IntsAttr("axes", 0)),
			node("Gather", []string{"rows", "topi1"}, Output, onnxgraph.IntAttr("axis", 1)))
		shape = []int64{1, TopK, 6}
		c.Metadata["end2end"] = "True"
	default:
		return nil, fmt.Errorf("ultralyticstest: unknown layout %q", layout)
	}
	c.Outputs = []onnxgraph.Value{{Name: Output, ElemType: onnxgraph.Float, Shape: shape}}
	return onnxgraph.Edit(yolox, c)
}

// node returns a node; outputs after the inputs.
func node(op string, in []string, out ...any) onnxgraph.Node {
	n := onnxgraph.Node{Op: op, Inputs: in}
	for _, o := range out {
		switch o := o.(type) {
		case string:
			n.Output = append(n.Output, o)
		case onnxgraph.Attr:
			n.Attrs = append(n.Attrs, o)
		}
	}
	return n
}

// PythonNames formats class names as Ultralytics writes them: the repr of
// a Python dict, {0: 'person', 1: 'bicycle'}.
func PythonNames(names []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteString(", ")
		}
		q := "'"
		if strings.Contains(n, "'") && !strings.Contains(n, `"`) {
			q = `"`
		}
		fmt.Fprintf(&b, "%d: %s%s%s", i, q, strings.ReplaceAll(strings.ReplaceAll(n, `\`, `\\`), q, `\`+q), q)
	}
	b.WriteByte('}')
	return b.String()
}
