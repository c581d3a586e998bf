package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/internal/onnxgraph"
	"github.com/modelreg/modelreg/internal/ultralyticstest"
	"github.com/modelreg/modelreg/registry"
)

func TestImportONNX(t *testing.T) {
	yolox, names, err := ultralyticstest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	for _, l := range []ultralyticstest.Layout{ultralyticstest.V8, ultralyticstest.End2End} {
		b, err := ultralyticstest.Wrap(yolox, l, names)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(src, string(l)+".onnx"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	dynamic := onnxgraph.Build(17, []onnxgraph.Value{{Name: "images", ElemType: onnxgraph.Float, Shape: []int64{-1, 3, -1, -1}}},
		onnxgraph.Changes{Outputs: []onnxgraph.Value{{Name: "output0", ElemType: onnxgraph.Float, Shape: []int64{-1, 84, -1}}}})
	if err := os.WriteFile(filepath.Join(src, "dynamic.onnx"), dynamic, 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "models")
	manifest := filepath.Join(dir, registry.ManifestFile)

	out := mustRun(t, "", "--dirs", dir, "import-onnx", "--dry-run", filepath.Join(src, "yolov8.onnx"))
	if _, err := os.Stat(manifest); !os.IsNotExist(err) {
		t.Fatalf("--dry-run wrote %s (%v)", manifest, err)
	}
	for _, want := range []string{`"decoder": "yolov8"`, `"rounding": "nearest"`, "80 names from the metadata", "guesses: none", "dry run: would add yolov8"} {
		if !strings.Contains(out, want) {
			t.Errorf("dry run output lacks %q:\n%s", want, out)
		}
	}

	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"import-onnx"}, 2, "wrong number of arguments"},
		{[]string{"import-onnx", "--input-size", "640", "x.onnx"}, 2, "want WxH"},
		{[]string{"import-onnx", filepath.Join(src, "absent.onnx")}, 1, "no such file"},
		{[]string{"import-onnx", filepath.Join(src, "dynamic.onnx")}, 1, "give --input-size WxH"},
		{[]string{"import-onnx", "--decoder", "picodet", filepath.Join(src, "end2end.onnx")}, 1, `the outputs fit decoder "end2end"`},
		{[]string{"import-onnx", "--name", "bad name", filepath.Join(src, "yolov8.onnx")}, 1, "bad model name"},
	}
	for _, tt := range tests {
		code, _, errs := cli(t, "", append([]string{"--dirs", dir}, tt.args...)...)
		if code != tt.code || !strings.Contains(errs, tt.err) {
			t.Errorf("models %v: exit %d, stderr %q; want %d, %q", tt.args, code, errs, tt.code, tt.err)
		}
		if _, err := os.Stat(dir); !os.IsNotExist(err) {
			t.Fatalf("models %v wrote %s (%v)", tt.args, dir, err)
		}
	}

	out = mustRun(t, "", "--dirs", dir, "import-onnx", "--name", "mine/det@1.0", filepath.Join(src, "end2end.onnx"))
	if !strings.Contains(out, `"decoder": "end2end"`) || !strings.Contains(out, "added mine/det@1.0") {
		t.Errorf("import output:\n%s", out)
	}
	out = mustRun(t, "", "--dirs", dir, "--no-catalog", "verify", "mine/det@1.0")
	if !strings.Contains(out, "mine/det@1.0") {
		t.Errorf("verify output:\n%s", out)
	}
	code, _, errs := cli(t, "", "--dirs", dir, "import-onnx", "--name", "mine/det@1.0", filepath.Join(src, "yolov8.onnx"))
	if code != 1 || !strings.Contains(errs, "already exists") {
		t.Errorf("second import: exit %d, %q; want 1, already exists", code, errs)
	}
}
