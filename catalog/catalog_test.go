package catalog_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
)

func newRegistry(t *testing.T) *registry.Registry {
	t.Helper()
	reg, err := registry.New(&registry.Options{
		Dirs:     []string{},
		Catalogs: []registry.Catalog{catalog.Catalog()},
		CacheDir: t.TempDir(),
	})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func TestCatalogLists(t *testing.T) {
	ms, warns, err := newRegistry(t).List(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	var names []string
	for _, m := range ms {
		names = append(names, m.Name())
		if m.DefaultDeployment == nil || m.DefaultDeployment.Type != "onnxruntime/detector" {
			t.Errorf("%s: default deployment %+v; want onnxruntime/detector", m.Name(), m.DefaultDeployment)
		}
	}
	want := []string{"picodet-s-320-coco", "yolox-nano-coco"}
	if !slices.Equal(names, want) {
		t.Errorf("models = %v; want %v", names, want)
	}
}

// The bundled models install through the registry's real download path into
// the cache, and every file matches its manifest sha256.
func TestCatalogDownloads(t *testing.T) {
	ctx := context.Background()
	reg := newRegistry(t)
	for _, name := range []string{"yolox-nano-coco", "picodet-s-320-coco"} {
		dir, err := reg.Download(ctx, name, nil)
		if err != nil {
			t.Fatalf("Download(%s): %v", name, err)
		}
		files, err := reg.LocalFiles(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(files) != 2 {
			t.Fatalf("%s: %d files; want 2", name, len(files))
		}
		for _, f := range files {
			if filepath.Dir(f.Path) != dir {
				t.Errorf("%s not in %s", f.Path, dir)
			}
			data, err := os.ReadFile(f.Path)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if got := hex.EncodeToString(sum[:]); got != f.SHA256 || int64(len(data)) != f.Size {
				t.Errorf("%s: sha256 %s size %d; want %s %d", f.Path, got, len(data), f.SHA256, f.Size)
			}
		}
		ok, err := reg.IsDownloaded(ctx, name, &registry.DownloadedOptions{Rehash: true})
		if err != nil || !ok {
			t.Errorf("IsDownloaded(%s, verify) = %v, %v; want true", name, ok, err)
		}
	}
}
