package registry_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/registry"
)

// ExampleRegistry_SetAlias points prod at a version, resolves yolox@prod,
// moves it to the next version and shows the line the manifest gained.
func ExampleRegistry_SetAlias() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "models")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	manifest := `{"models": [{"base_name": "yolox", "version": "1.2"}, {"base_name": "yolox", "version": "1.3"}]}`
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), []byte(manifest), 0o644); err != nil {
		log.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: dir})
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range []string{"1.2", "1.3"} {
		if _, err := reg.SetAlias(ctx, "yolox@"+v, "prod"); err != nil {
			log.Fatal(err)
		}
		m, err := reg.Get(ctx, "yolox@prod")
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println("yolox@prod is", m.Name())
	}
	data, _ := os.ReadFile(filepath.Join(dir, "manifest.json"))
	fmt.Println(string(data))
	_, err = reg.SetAlias(ctx, "yolox@1.3", "2.0")
	fmt.Println(err)
	// Output:
	// yolox@prod is yolox@1.2
	// yolox@prod is yolox@1.3
	// {"models": [{"base_name": "yolox", "version": "1.2"}, {"base_name": "yolox", "version": "1.3"}], "aliases": {"yolox": {"prod": "1.3"}}}
	// registry: malformed alias "2.0": must start with a letter
}
