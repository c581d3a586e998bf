package onnximport_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy/onnximport"
	"github.com/modelreg/modelreg/internal/onnxgraph"
	"github.com/modelreg/modelreg/internal/ultralyticstest"
	"github.com/modelreg/modelreg/registry"
)

// graph is a model with one input and the given outputs, for Inspect
// (which reads the interface and the metadata only).
func graph(in []int64, meta map[string]string, outs ...[]int64) []byte {
	var o []onnxgraph.Value
	for i, s := range outs {
		o = append(o, onnxgraph.Value{Name: "out" + string(rune('0'+i)), ElemType: onnxgraph.Float, Shape: s})
	}
	return onnxgraph.Build(17, []onnxgraph.Value{{Name: "images", ElemType: onnxgraph.Float, Shape: in}},
		onnxgraph.Changes{Outputs: o, Metadata: meta})
}

var (
	names3 = "{0: 'cat', 1: \"dog's\", 2: 'bird'}"
	ultra  = map[string]string{"names": names3, "imgsz": "[640, 640]", "stride": "32", "task": "detect", "batch": "1"}
	in640  = []int64{1, 3, 640, 640}
	dyn    = []int64{-1, 3, -1, -1}
)

func with(m map[string]string, kv ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

func TestInspect(t *testing.T) {
	tests := []struct {
		name    string
		model   []byte
		opts    onnximport.Options
		decoder string
		anchors int
		w, h    int
		family  string
		guesses []string // guessed fields
	}{
		{"yolov8", graph(in640, ultra, []int64{1, 7, 8400}), onnximport.Options{}, "yolov8", 0, 640, 640, "ultralytics", nil},
		{"yolov8 dynamic with imgsz", graph(dyn, with(ultra, "imgsz", "[480, 640]"), []int64{-1, 7, -1}), onnximport.Options{}, "yolov8", 0, 640, 480, "ultralytics", nil},
		{"yolov8 dynamic with --input-size", graph(dyn, nil, []int64{-1, 7, -1}), onnximport.Options{Width: 320, Height: 256}, "yolov8", 0, 320, 256, "ultralytics",
			[]string{"num_classes", "input"}},
		{"yolov5 3 anchors", graph(in640, map[string]string{"names": names3, "stride": "32"}, []int64{1, 25200, 8}), onnximport.Options{}, "yolov5", 3, 640, 640, "ultralytics", nil},
		{"yolov5 1 anchor", graph(in640, map[string]string{"names": names3, "stride": "32"}, []int64{1, 8400, 8}), onnximport.Options{}, "yolov5", 1, 640, 640, "ultralytics", []string{"decoder"}},
		{"yolox", graph(in640, nil, []int64{1, 8400, 85}), onnximport.Options{}, "yolox", 0, 640, 640, "yolox", []string{"decoder", "num_classes", "input"}},
		{"end2end", graph(in640, with(ultra, "end2end", "True"), []int64{1, 300, 6}), onnximport.Options{}, "end2end", 0, 640, 640, "ultralytics", nil},
		{"nms inside", graph(in640, nil, []int64{1, 100, 6}), onnximport.Options{Labels: "testdata/labels3.txt"}, "end2end", 0, 640, 640, "ultralytics",
			[]string{"decoder", "input"}},
		{"yolov8 2 classes, not end2end", graph(in640, with(ultra, "names", "{0: 'a', 1: 'b'}"), []int64{1, 6, 8400}), onnximport.Options{}, "yolov8", 0, 640, 640, "ultralytics", nil},
		{"P6 stride 64", graph([]int64{1, 3, 1280, 1280}, with(ultra, "stride", "64"), []int64{1, 7, 34000}), onnximport.Options{}, "yolov8", 0, 1280, 1280, "ultralytics", nil},
		{"override", graph(in640, ultra, []int64{1, 8400, 8}), onnximport.Options{Decoder: "yolox"}, "yolox", 0, 640, 640, "ultralytics", nil},
		{"nhwc", graph([]int64{1, 640, 640, 3}, ultra, []int64{1, 7, 8400}), onnximport.Options{}, "yolov8", 0, 640, 640, "ultralytics", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := onnximport.Inspect(tt.model, &tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			c := p.Config
			if c.Decoder != tt.decoder || c.Anchors != tt.anchors || c.Input.Width != tt.w || c.Input.Height != tt.h || p.Family != tt.family {
				t.Errorf("decoder %s, anchors %d, input %dx%d, family %q; want %s, %d, %dx%d, %q",
					c.Decoder, c.Anchors, c.Input.Width, c.Input.Height, p.Family, tt.decoder, tt.anchors, tt.w, tt.h, tt.family)
			}
			var fields []string
			for _, g := range p.Guesses {
				fields = append(fields, g.Field)
			}
			if !slices.Equal(fields, tt.guesses) {
				t.Errorf("guesses %+v; want fields %v", p.Guesses, tt.guesses)
			}
			if p.Labels != nil && (c.Labels != onnximport.LabelsFile || c.NumClasses != 0) {
				t.Errorf("labels %q, num_classes %d with %d names", c.Labels, c.NumClasses, len(p.Labels))
			}
		})
	}
}

func TestInspectNames(t *testing.T) {
	p, err := onnximport.Inspect(graph(in640, ultra, []int64{1, 7, 8400}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"cat", "dog's", "bird"}; !slices.Equal(p.Labels, want) || p.LabelsSource != "metadata" {
		t.Errorf("labels %q from %q; want %q from the metadata", p.Labels, p.LabelsSource, want)
	}
	_, names, err := ultralyticstest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{ultralyticstest.PythonNames(names), `["person", "bicycle"]`, `{"0": "person", "1": "bicycle"}`} {
		p, err := onnximport.Inspect(graph(in640, with(ultra, "names", s), []int64{1, 4 + int64(strings.Count(s, ",")) + 1, 8400}), nil)
		if err != nil {
			t.Errorf("names %.40s…: %v", s, err)
		} else if p.Labels[0] != "person" || p.Labels[1] != "bicycle" {
			t.Errorf("names %.40s…: %q", s, p.Labels)
		}
	}
}

func TestInspectErrors(t *testing.T) {
	tests := []struct {
		name   string
		model  []byte
		opts   onnximport.Options
		want   error
		option string // the option the error names
		msg    string
	}{
		{"dynamic input, no imgsz", graph(dyn, nil, []int64{-1, 84, -1}), onnximport.Options{}, onnximport.ErrUndecided, "--input-size", `input "images" has the dynamic shape [?,3,?,?] and the metadata has no imgsz`},
		{"unknown layout", graph(in640, ultra, []int64{1, 8400, 3, 2}), onnximport.Options{}, onnximport.ErrUndecided, "--decoder",
			"outputs out0 [1,8400,3,2] fit no decoder ("},
		{"no classes", graph(in640, nil, []int64{1, 100, 6}), onnximport.Options{Decoder: "end2end"}, onnximport.ErrUndecided, "--labels", "the metadata has no class names"},
		{"bad names", graph(in640, with(ultra, "names", "{0: person}"), []int64{1, 5, 8400}), onnximport.Options{}, onnximport.ErrUndecided, "--labels", "want a quoted name"},
		{"two inputs", onnxgraph.Build(17, []onnxgraph.Value{{Name: "a", Shape: in640}, {Name: "b", Shape: []int64{1, 2}}}, onnxgraph.Changes{}),
			onnximport.Options{}, onnximport.ErrUnsupported, "", "the model has 2 inputs"},
		{"uint8 input", onnxgraph.Build(17, []onnxgraph.Value{{Name: "a", ElemType: 2, Shape: in640}}, onnxgraph.Changes{}),
			onnximport.Options{}, onnximport.ErrUnsupported, "", "element type 2"},
		{"fixed size differs", graph(in640, ultra, []int64{1, 7, 8400}), onnximport.Options{Width: 320, Height: 320}, onnximport.ErrUnsupported, "", "fixed at 640x640"},
		{"override does not fit", graph(in640, ultra, []int64{1, 7, 8400}), onnximport.Options{Decoder: "end2end"}, registry.ErrPermanent, "",
			`the outputs fit decoder "yolov8"`},
		{"names do not match", graph(in640, ultra, []int64{1, 84, 8400}), onnximport.Options{}, onnximport.ErrUndecided, "--labels",
			"3 class names from metadata, but the outputs out0 [1,84,8400] fit decoder yolov8 with another number of classes"},
		{"not onnx", []byte("hello"), onnximport.Options{}, onnxgraph.ErrNotONNX, "", "not an ONNX model"},
	}
	for _, tt := range tests {
		_, err := onnximport.Inspect(tt.model, &tt.opts)
		var e *onnximport.Error
		switch {
		case !errors.Is(err, tt.want) || !errors.Is(err, registry.ErrPermanent):
			t.Errorf("%s: err = %v; want %v and ErrPermanent", tt.name, err, tt.want)
		case !strings.Contains(err.Error(), tt.msg):
			t.Errorf("%s: err = %v; want it to say %q", tt.name, err, tt.msg)
		case tt.option != "" && (!errors.As(err, &e) || !strings.HasPrefix(e.Option, tt.option) || !strings.Contains(err.Error(), "give "+tt.option)):
			t.Errorf("%s: err = %v; want it to name the option %s", tt.name, err, tt.option)
		}
	}
}

func TestLabelsFileMissing(t *testing.T) {
	_, err := onnximport.Inspect(graph(in640, ultra, []int64{1, 7, 8400}), &onnximport.Options{Labels: filepath.Join(t.TempDir(), "none.txt")})
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v; want ErrNotExist", err)
	}
}
