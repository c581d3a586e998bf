package onnxgraph_test

import (
	"errors"
	"io/fs"
	"slices"
	"testing"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/internal/onnxgraph"
)

func bundled(t *testing.T, path string) []byte {
	t.Helper()
	b, err := fs.ReadFile(catalog.FS(), path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestReadBundled(t *testing.T) {
	tests := []struct {
		path    string
		opset   int64
		in      onnxgraph.Value
		outputs int
		out0    []int64
	}{
		{"yolox-nano-coco/yolox_nano.onnx", 11, onnxgraph.Value{Name: "images", ElemType: onnxgraph.Float, Shape: []int64{1, 3, 416, 416}}, 1, []int64{1, 3549, 85}},
		// PicoDet keeps its weights as graph inputs too: Read leaves them out.
		{"picodet-s-320-coco/picodet_s_320_coco.onnx", 11, onnxgraph.Value{Name: "image", ElemType: onnxgraph.Float, Shape: []int64{1, 3, 320, 320}}, 8, nil},
	}
	for _, tt := range tests {
		m, err := onnxgraph.Read(bundled(t, tt.path))
		if err != nil {
			t.Fatal(err)
		}
		if m.Opset != tt.opset || len(m.Inputs) != 1 || len(m.Outputs) != tt.outputs || m.Nodes == 0 {
			t.Fatalf("%s: opset %d, %d inputs, %d outputs, %d nodes", tt.path, m.Opset, len(m.Inputs), len(m.Outputs), m.Nodes)
		}
		in := m.Inputs[0]
		if in.Name != tt.in.Name || in.ElemType != tt.in.ElemType || !slices.Equal(in.Shape, tt.in.Shape) {
			t.Errorf("%s: input %+v; want %+v", tt.path, in, tt.in)
		}
		if tt.out0 != nil && !slices.Equal(m.Outputs[0].Shape, tt.out0) {
			t.Errorf("%s: output %+v; want shape %v", tt.path, m.Outputs[0], tt.out0)
		}
	}
}

func TestEdit(t *testing.T) {
	model := bundled(t, "yolox-nano-coco/yolox_nano.onnx")
	orig := slices.Clone(model)
	out := onnxgraph.Value{Name: "y", ElemType: onnxgraph.Float, Shape: []int64{-1, 85, 3549}, Params: []string{"batch", "", ""}}
	edited, err := onnxgraph.Edit(model, onnxgraph.Changes{
		Append:   []onnxgraph.Node{{Op: "Transpose", Inputs: []string{"output"}, Output: []string{"y"}, Attrs: []onnxgraph.Attr{onnxgraph.IntsAttr("perm", 0, 2, 1)}}},
		Outputs:  []onnxgraph.Value{out},
		Metadata: map[string]string{"names": "{0: 'a'}", "stride": "32"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(model, orig) {
		t.Fatal("Edit modified its input")
	}
	again, err := onnxgraph.Edit(edited, onnxgraph.Changes{Metadata: map[string]string{"stride": "64"}})
	if err != nil {
		t.Fatal(err)
	}
	m, err := onnxgraph.Read(again)
	if err != nil {
		t.Fatal(err)
	}
	o := m.Outputs[0]
	if len(m.Outputs) != 1 || o.Name != "y" || !slices.Equal(o.Shape, out.Shape) || !slices.Equal(o.Params, out.Params) {
		t.Errorf("outputs %+v; want [%+v]", m.Outputs, out)
	}
	if len(m.Metadata) != 2 || m.Metadata["names"] != "{0: 'a'}" || m.Metadata["stride"] != "64" {
		t.Errorf("metadata %v", m.Metadata)
	}
	if m.Nodes != 417 || m.Inputs[0].Name != "images" {
		t.Errorf("%d nodes, inputs %+v; want 417 and images", m.Nodes, m.Inputs)
	}
}

func TestReadErrors(t *testing.T) {
	tests := map[string][]byte{
		"empty":      nil,
		"text":       []byte("not a model at all"),
		"truncated":  bundled(t, "yolox-nano-coco/yolox_nano.onnx")[:1000],
		"no graph":   {0x08, 0x06}, // ir_version 6 only
		"bad varint": {0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff},
	}
	for name, b := range tests {
		_, err := onnxgraph.Read(b)
		var fe *onnxgraph.FormatError
		if !errors.Is(err, onnxgraph.ErrNotONNX) || !errors.As(err, &fe) {
			t.Errorf("%s: err = %v; want a FormatError", name, err)
		}
		if _, err := onnxgraph.Edit(b, onnxgraph.Changes{}); !errors.Is(err, onnxgraph.ErrNotONNX) {
			t.Errorf("%s: Edit err = %v; want ErrNotONNX", name, err)
		}
	}
}

func TestBuild(t *testing.T) {
	in := onnxgraph.Value{Name: "x", ElemType: onnxgraph.Float, Shape: []int64{-1, 3, -1, -1}, Params: []string{"batch", "", "height", "width"}}
	out := onnxgraph.Value{Name: "y", ElemType: onnxgraph.Float, Shape: []int64{1, 300, 6}}
	b := onnxgraph.Build(17, []onnxgraph.Value{in}, onnxgraph.Changes{
		Append:   []onnxgraph.Node{{Op: "Identity", Inputs: []string{"x"}, Output: []string{"y"}}},
		Outputs:  []onnxgraph.Value{out},
		Metadata: map[string]string{"imgsz": "[640, 640]"},
	})
	m, err := onnxgraph.Read(b)
	if err != nil {
		t.Fatal(err)
	}
	if m.Opset != 17 || m.Nodes != 1 || m.IRVersion != 7 || m.Metadata["imgsz"] != "[640, 640]" {
		t.Errorf("model %+v", m)
	}
	if got := m.Inputs[0]; got.Name != "x" || !slices.Equal(got.Shape, in.Shape) || !slices.Equal(got.Params, in.Params) {
		t.Errorf("input %+v; want %+v", got, in)
	}
	if got := m.Outputs[0]; got.Name != "y" || !slices.Equal(got.Shape, out.Shape) || got.Params != nil {
		t.Errorf("output %+v; want %+v", got, out)
	}
}
