package onnximport_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy/onnximport"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/ultralyticstest"
	"github.com/modelreg/modelreg/registry"
)

// TestHostileImportNames: class names from the metadata that do not
// survive a labels file as they are (a line break inside a name, which
// shifted every later class by one line, surrounding spaces, a blank name)
// are imported as the labels file reads them back: the labels the import
// checked and reported are the labels the deployment loads, one a class.
func TestHostileImportNames(t *testing.T) {
	for _, tt := range []struct{ name, evil string }{
		{"line feed", "bus\nstop"},
		{"carriage return and line feed", "bus\r\nstop"},
		{"carriage return", "bus\rstop"},
		{"form feed and spaces", " \fbus stop\t "},
		{"line separator", "bus\u2028stop"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			yolox, names, err := ultralyticstest.Bundled()
			if err != nil {
				t.Fatal(err)
			}
			names = slices.Clone(names)
			names[5] = tt.evil
			model, err := ultralyticstest.Wrap(yolox, ultralyticstest.V8, names)
			if err != nil {
				t.Fatal(err)
			}
			file := t.TempDir() + "/evil.onnx"
			os.WriteFile(file, model, 0o644)
			dir := t.TempDir()
			reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			res, err := onnximport.Import(t.Context(), reg, file, nil)
			if err != nil {
				t.Fatal(err)
			}
			m, err := reg.Get(t.Context(), "evil")
			if err != nil {
				t.Fatal(err)
			}
			got, err := detect.LoadLabels(os.DirFS(m.Path()), onnximport.LabelsFile)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(names) || !slices.Equal(got, res.Labels) {
				t.Fatalf("labels file holds %d labels (class 5 %q, 6 %q); the import reported %d (class 5 %q)", len(got), got[5], got[6], len(res.Labels), res.Labels[5])
			}
			if strings.ContainsAny(got[5], "\r\n\f\u2028") || got[6] != names[6] {
				t.Errorf("class 5 %q, class 6 %q", got[5], got[6])
			}
		})
	}
}
