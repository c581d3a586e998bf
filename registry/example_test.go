package registry_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/registry"
	// The "mem" manager type, registered for its side effect (like a
	// database/sql driver).
	"github.com/modelreg/modelreg/registry/memmanager"
)

func ExampleParseRef() {
	for _, s := range []string{"yolox-nano-coco", "toy@1.10", "toy@"} {
		ref, err := registry.ParseRef(s)
		if err != nil {
			fmt.Println("error:", err)
			continue
		}
		fmt.Printf("name=%s version=%q\n", ref.Name, ref.Version)
	}
	// Output:
	// name=yolox-nano-coco version=""
	// name=toy version="1.10"
	// error: registry: bad model name "toy@": empty version after @: registry: invalid manifest entry
}

func ExampleCompareVersions() {
	fmt.Println(registry.CompareVersions("1.9", "1.10"))
	fmt.Println(registry.CompareVersions("1.0.0-rc.1", "1.0.0"))
	fmt.Println(registry.CompareVersions("1.0.1", "1.0a"))
	fmt.Println(registry.CompareVersions("", "0.1"))
	// Output:
	// -1
	// -1
	// -1
	// -1
}

func ExampleVersionedFilename() {
	fmt.Println(registry.VersionedFilename("toy.onnx", "1.10"))
	fmt.Println(registry.VersionedFilename("m.tar.gz", "2"))
	// Output:
	// toy-v1.10.onnx
	// m-v2.tar.gz
}

// Example downloads a model from an in-memory store into a models
// directory and finds it again.
func Example() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "models")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	memmanager.Store("example").Put("toy.onnx", []byte("\x08toy model bytes"))
	manifest := `{"models": [{"base_name": "toy", "base_filename": "toy.onnx", "version": "1.10",
		"size_bytes": 16, "manager": {"type": "mem", "config": {"store": "example", "key": "toy.onnx"}}}]}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		log.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	path, err := reg.Download(ctx, "toy", nil)
	if err != nil {
		log.Fatal(err)
	}
	ok, _ := reg.IsDownloaded(ctx, "toy@1.10", &registry.DownloadedOptions{Rehash: true})
	fmt.Println(filepath.Base(path), ok)
	_, err = reg.Get(ctx, "tyo")
	fmt.Println(err)
	// Output:
	// toy-v1.10.onnx true
	// registry: model "tyo" not found (did you mean "toy"?)
}
