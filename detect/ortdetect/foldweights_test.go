package ortdetect

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/internal/onnxgraph"
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader/ort"
)

// graphInputs returns the names of the graph inputs of an ONNX model,
// weights kept as inputs included.
func graphInputs(t *testing.T, model []byte) []string {
	t.Helper()
	m, err := onnxgraph.Read(model)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, in := range m.Inputs {
		names = append(names, in.Name)
	}
	return append(names, m.WeightInputs...)
}

func TestFoldableModel(t *testing.T) {
	tests := []struct {
		file    string
		dropped int
		inputs  []string
	}{
		{"../../catalog/models/picodet-s-320-coco/picodet_s_320_coco.onnx", 279, []string{"image"}},
		{"../../catalog/models/yolox-nano-coco/yolox_nano.onnx", 0, []string{"images"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			model, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			orig := bytes.Clone(model)
			out, n := FoldableModel(model)
			if n != tt.dropped {
				t.Fatalf("dropped %d inputs; want %d", n, tt.dropped)
			}
			if !bytes.Equal(model, orig) {
				t.Fatal("the input bytes were modified")
			}
			if got := graphInputs(t, out); len(got) != len(tt.inputs) || got[0] != tt.inputs[0] {
				t.Errorf("inputs after = %v; want %v", got, tt.inputs)
			}
			if n == 0 && !bytes.Equal(out, model) {
				t.Error("a model without initializer inputs was rewritten")
			}
		})
	}
}

// TestFoldableModelGarbage feeds bytes that are not ONNX models: they come
// back unchanged, never a panic.
func TestFoldableModelGarbage(t *testing.T) {
	model, err := os.ReadFile("../../catalog/models/picodet-s-320-coco/picodet_s_320_coco.onnx")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range [][]byte{nil, {0xff}, []byte("<html>"), model[:len(model)/2], model[:1000], model[5:]} {
		out, n := FoldableModel(b)
		if n != 0 || !bytes.Equal(out, b) {
			t.Errorf("%d bytes: rewritten (%d dropped)", len(b), n)
		}
	}
}

func FuzzFoldableModel(f *testing.F) {
	f.Add([]byte{0x3a, 0x04, 0x5a, 0x02, 0x0a, 0x00})
	f.Add([]byte{0x3a, 0x08, 0x2a, 0x02, 0x42, 0x00, 0x5a, 0x02, 0x0a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		out, n := FoldableModel(b)
		if n == 0 && !bytes.Equal(out, b) {
			t.Fatal("rewritten without dropping anything")
		}
		if n > 0 && len(out) >= len(b)+1 {
			t.Fatalf("dropping %d inputs grew the model from %d to %d bytes", n, len(b), len(out))
		}
	})
}

// TestGraphCacheName checks that the cached graph's file name comes from
// the model's sha256 only when that is hex, whatever ModelSHA256 says.
func TestGraphCacheName(t *testing.T) {
	lib := orttest.Library(t)
	model := []byte("model bytes")
	for _, sum := range []string{"", "../../../../etc/passwd" + strings.Repeat("x", 42), strings.Repeat("Ab", 32)} {
		c := newGraphCache(lib, model, &Options{CacheDir: "/cache", ModelSHA256: sum}, nil)
		if filepath.Dir(c.path) != "/cache" || !strings.HasSuffix(c.path, graphSuffix) {
			t.Errorf("ModelSHA256 %q: cache path %q", sum, c.path)
		}
	}
	if c := newGraphCache(lib, model, &Options{CacheDir: "/cache", Providers: []ort.Provider{{Name: ort.CUDA}}}, nil); c.path != "" {
		t.Errorf("a GPU detector caches at %q", c.path)
	}
}
