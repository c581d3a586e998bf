package ortdetect_test

import (
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/registry"
)

const imagesDir = "../../testdata/images"

// requireORT skips the test when the ONNX Runtime library is not installed,
// except in CI, where it fails: CI installs it with scripts/install-ort.sh.
func requireORT(t testing.TB) {
	t.Helper()
	orttest.Require(t)
}

// catalogRegistry is a registry of the bundled catalog with its own cache.
func catalogRegistry(t testing.TB) *registry.Registry {
	t.Helper()
	reg, err := registry.New(&registry.Options{Dirs: []string{}, Catalogs: []registry.Catalog{catalog.Catalog()},
		CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

// load loads a bundled model through deploy, as users do.
func load(t testing.TB, name string, opts *deploy.Options) detect.Detector {
	t.Helper()
	requireORT(t)
	if opts == nil {
		opts = &deploy.Options{}
	}
	if opts.CacheDir == "" {
		opts.CacheDir = t.TempDir() // keep the optimised graphs out of the user's cache
	}
	m, err := deploy.LoadDetector(context.Background(), catalogRegistry(t), name, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return m
}

func readImage(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join(imagesDir, name))
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

func mustErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v; want %v", err, want)
	}
}
