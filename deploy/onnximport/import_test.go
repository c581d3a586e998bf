package onnximport_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/deploy/onnximport"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // the "onnxruntime/detector" deployment type
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/internal/ultralyticstest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
	"github.com/modelreg/modelreg/registry"
)

// modelsDir is the models directory of the default registry (MODELS_DIRS)
// in this test binary.
var modelsDir string

// TestMain gives the test binary a private user cache and a private models
// directory on MODELS_DIRS, so that deploy.LoadDefaultDeploymentModel sees
// what the tests import and nothing of the user's.
func TestMain(m *testing.M) {
	lib, _ := loader.Find(nil)
	home, err := os.MkdirTemp("", "onnximport-test-home")
	if err != nil {
		panic(err)
	}
	modelsDir = filepath.Join(home, "models")
	os.Setenv(loader.EnvLibraryPath, lib) // before moving the user cache dir
	os.Setenv("HOME", home)
	os.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	os.Setenv(registry.EnvDirs, modelsDir)
	for _, v := range []string{registry.EnvAllowDownloads, registry.EnvOffline, registry.EnvMaxVersionsToKeep} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// wrapped writes the bundled YOLOX-Nano wrapped in layout to dir/file.
func wrapped(t *testing.T, layout ultralyticstest.Layout, dir, file string) (string, []string) {
	t.Helper()
	yolox, names, err := ultralyticstest.Bundled()
	if err != nil {
		t.Fatal(err)
	}
	model, err := ultralyticstest.Wrap(yolox, layout, names)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, file)
	if err := os.WriteFile(p, model, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, names
}

func readImage(t *testing.T, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("../../testdata/images", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// runs counts the runs of TestImportLoadDetect.
var runs int

// TestImportLoadDetect imports each wrapped layout with no option but a
// name, loads it with deploy.LoadDefaultDeploymentModel and compares its
// detections on three photos with Ultralytics' reference.
func TestImportLoadDetect(t *testing.T) {
	lib := orttest.Library(t)
	env, err := ort.NewEnv(lib, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer env.Close()
	reg, err := deploy.DefaultRegistry()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	runs++ // a version per run, for -count: the models directory stays
	for _, layout := range []ultralyticstest.Layout{ultralyticstest.V8, ultralyticstest.V5, ultralyticstest.End2End} {
		t.Run(string(layout), func(t *testing.T) {
			file, names := wrapped(t, layout, t.TempDir(), "yolo-"+string(layout)+".onnx")
			name := fmt.Sprintf("imported/%s@%d", layout, runs)
			res, err := onnximport.Import(ctx, reg, file, &onnximport.Options{Name: name})
			if err != nil {
				t.Fatal(err)
			}
			if res.Config.Decoder != string(layout) || res.Family != "ultralytics" || res.LabelsSource != "metadata" {
				t.Errorf("decoder %q, family %q, labels from %q", res.Config.Decoder, res.Family, res.LabelsSource)
			}
			if layout != ultralyticstest.V5 && len(res.Guesses) != 0 {
				t.Errorf("guesses %+v; want none for an Ultralytics %s export", res.Guesses, layout)
			}
			d, err := deploy.LoadDefaultDeploymentModel(ctx, name)
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			sess, err := env.NewSession(mustRead(t, file), &ort.SessionOptions{IntraOpThreads: 1})
			if err != nil {
				t.Fatal(err)
			}
			defer sess.Close()
			for _, photo := range []string{"person.jpg", "dog.jpg", "coffee.png"} {
				img := readImage(t, photo)
				want, err := ultralyticstest.Reference(ctx, sess, layout, img, len(names))
				if err != nil {
					t.Fatal(err)
				}
				got, err := d.Detect(ctx, img)
				if err != nil {
					t.Fatal(err)
				}
				total, matched, diffs := ultralyticstest.Compare(got, want, names)
				if total == 0 || matched != total || len(diffs) > 0 {
					t.Errorf("%s: %d of %d reference detections matched: %v", photo, matched, total, diffs)
				}
			}
		})
	}
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportTwice: a second import of the same name writes nothing.
func TestImportTwice(t *testing.T) {
	dir := t.TempDir()
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := wrapped(t, ultralyticstest.V8, t.TempDir(), "yolov8n.onnx")
	ctx := context.Background()
	res, err := onnximport.Import(ctx, reg, file, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Entry.Name() != "yolov8n" || !slices.Equal(res.Report.Added, []string{"yolov8n"}) {
		t.Fatalf("entry %s, added %v", res.Entry.Name(), res.Report.Added)
	}
	before := mustRead(t, filepath.Join(dir, registry.ManifestFile))
	for _, o := range []*onnximport.Options{nil, {Name: "yolov8n@2"}} {
		_, err = onnximport.Import(ctx, reg, file, o)
		if !errors.Is(err, registry.ErrExists) {
			t.Errorf("import again (%+v): %v; want ErrExists", o, err)
		}
	}
	if after := mustRead(t, filepath.Join(dir, registry.ManifestFile)); !slices.Equal(before, after) {
		t.Errorf("manifest changed:\n%s", after)
	}
	if ok, err := reg.IsDownloaded(ctx, "yolov8n", &registry.DownloadedOptions{Rehash: true}); !ok || err != nil {
		t.Errorf("IsDownloaded = %v, %v; want a verified local copy", ok, err)
	}
}

// TestImportManifestSubdir: in a models directory whose manifest places
// its models in a subdirectory, the files go there and the entry's "file"
// manager reads them there.
func TestImportManifestSubdir(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(`{"name": "team", "models": []}`), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	file, _ := wrapped(t, ultralyticstest.End2End, t.TempDir(), "e2e.onnx")
	ctx := context.Background()
	res, err := onnximport.Import(ctx, reg, file, &onnximport.Options{Name: "e2e@3"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"path":"team/e2e-v3"}`; string(res.Entry.Manager.Config) != want {
		t.Errorf("manager config %s; want %s", res.Entry.Manager.Config, want)
	}
	files, err := reg.LocalFiles(ctx, "e2e@3")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		rel, _ := filepath.Rel(dir, f.Path)
		got = append(got, filepath.ToSlash(rel))
	}
	if want := []string{"team/e2e-v3/e2e.onnx", "team/e2e-v3/labels.txt"}; !slices.Equal(got, want) {
		t.Errorf("local files %q; want %q", got, want)
	}
	if _, err := reg.Download(ctx, "e2e@3", nil); err != nil {
		t.Errorf("Download: %v", err)
	}
}

// TestImportBadName: a name that is not a model name, given or taken from
// the file name, is an invalid entry whose message says where the name
// came from and which option sets it; nothing is written.
func TestImportBadName(t *testing.T) {
	tests := []struct {
		file, name string
		want       string
	}{
		{"yolov8n.onnx", "bad name", `name "bad name" from --name (Options.Name)`},
		{"yolov8n.onnx", "yolov8n@sha256:" + strings.Repeat("a", 64), "give a version, not a digest"},
		{"my model.onnx", "", `name "my model" from the file name; give another with --name (Options.Name)`},
	}
	for _, tt := range tests {
		dir := t.TempDir()
		reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		file, _ := wrapped(t, ultralyticstest.V8, t.TempDir(), tt.file)
		_, err = onnximport.Import(context.Background(), reg, file, &onnximport.Options{Name: tt.name})
		if !errors.Is(err, registry.ErrInvalidEntry) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Import(%s, name %q) = %v; want ErrInvalidEntry saying %s", tt.file, tt.name, err, tt.want)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("Import(%s, name %q) wrote %v", tt.file, tt.name, entries)
		}
	}
}
