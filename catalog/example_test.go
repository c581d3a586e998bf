package catalog_test

import (
	"context"
	"fmt"
	"log"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager" // the catalog's manager
)

// The bundled catalog is a read-only models directory embedded in the
// binary: a registry searches it like any other, and downloads its models
// into its cache directory.
func ExampleCatalog() {
	reg, err := registry.New(&registry.Options{
		Dirs:     []string{}, // no MODELS_DIRS: the catalog only
		Catalogs: []registry.Catalog{catalog.Catalog()},
	})
	if err != nil {
		log.Fatal(err)
	}
	models, _, err := reg.List(context.Background(), nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, m := range models {
		fmt.Println(m.Name(), len(m.Files), "files", m.Tags)
	}
	// Output:
	// picodet-s-320-coco 2 files [detection coco onnx picodet]
	// yolox-nano-coco 2 files [detection coco onnx yolox]
}
