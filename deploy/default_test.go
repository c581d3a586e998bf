package deploy_test

import (
	"context"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // the "onnxruntime/detector" deployment type
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/registry"
)

// ortErr is why the ONNX Runtime library cannot be used, if it cannot.
var ortErr error

// TestMain gives the test binary a private, empty user cache directory, as
// on a fresh machine, so that the default registry (used by
// LoadDefaultDeploymentModel and the examples) installs the bundled
// catalog and keeps its derived files there and not in the user's cache.
// MODELS_DIRS and the registry's other variables are cleared, so that
// only the bundled catalog is seen.
func TestMain(m *testing.M) {
	lib, err := loader.Find(nil)
	ortErr = err
	home, err := os.MkdirTemp("", "deploy-test-home")
	if err != nil {
		panic(err)
	}
	os.Setenv(loader.EnvLibraryPath, lib) // before moving the user cache dir
	os.Setenv("HOME", home)
	os.Setenv("XDG_CACHE_HOME", filepath.Join(home, "cache"))
	for _, v := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvOffline, registry.EnvMaxVersionsToKeep} {
		os.Unsetenv(v)
	}
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// TestLoadDefaultDeploymentModel loads a bundled model by name alone,
// which installs it from the catalog into the (private) user cache, and
// finds in dog.jpg what the README shows.
func TestLoadDefaultDeploymentModel(t *testing.T) {
	if ortErr != nil {
		orttest.Missing(t, ortErr)
	}
	ctx := context.Background()
	m, err := deploy.LoadDefaultDeploymentModel(ctx, "yolox-nano-coco")
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	cache, err := os.UserCacheDir()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"modelreg/models/bundled/yolox-nano-coco/yolox_nano.onnx", "modelreg/derived/onnxruntime-detector"} {
		if _, err := os.Stat(filepath.Join(cache, filepath.FromSlash(p))); err != nil {
			t.Errorf("not in the private user cache %s: %v", cache, err)
		}
	}
	f, err := os.Open("../testdata/images/dog.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	got, err := m.Detect(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	// The README's output of examples/detect-image for this photo.
	want := []detect.Detection{
		{Label: "dog", Confidence: 0.854, Box: detect.Box{X1: 133, Y1: 207, X2: 326, Y2: 543}},
		{Label: "bicycle", Confidence: 0.801, Box: detect.Box{X1: 55, Y1: 137, X2: 572, Y2: 423}},
		{Label: "car", Confidence: 0.792, Box: detect.Box{X1: 467, Y1: 78, X2: 691, Y2: 170}},
	}
	if len(got) != len(want) {
		t.Fatalf("%d detections %v; want %d", len(got), got, len(want))
	}
	near := func(a, b, tol float32) bool { return math.Abs(float64(a-b)) <= float64(tol) }
	for i, w := range want {
		g := got[i]
		if g.Label != w.Label || !near(g.Confidence, w.Confidence, 0.01) ||
			!near(g.Box.X1, w.Box.X1, 3) || !near(g.Box.Y1, w.Box.Y1, 3) || !near(g.Box.X2, w.Box.X2, 3) || !near(g.Box.Y2, w.Box.Y2, 3) {
			t.Errorf("detection %d = %s %.3f %v; want %s %.3f %v (±0.01, ±3 px)", i, g.Label, g.Confidence, g.Box, w.Label, w.Confidence, w.Box)
		}
	}
	t.Logf("dog.jpg: %s %.3f, %s %.3f, %s %.3f", got[0].Label, got[0].Confidence, got[1].Label, got[1].Confidence, got[2].Label, got[2].Confidence)
}
