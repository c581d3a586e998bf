// Package catalog is the model catalog bundled with this module: a
// manifest.json and the files it points to, embedded in the binary, so that
// the bundled models work offline on a fresh machine.
//
// The models still go through the registry's real download path: the
// manifest's "file" manager reads the embedded bytes, the registry verifies
// size and sha256 while writing a temp file, then renames it into the user
// cache (os.UserCacheDir()/modelreg/models/bundled by default). Nothing is
// ever written next to the catalog.
//
// Importing the package registers the catalog ([registry.RegisterCatalog]),
// like a database/sql driver; only programs that import it embed its files:
//
//	import _ "github.com/modelreg/modelreg/catalog" // the bundled models
//
// Models: yolox-nano-coco (YOLOX-Nano, Apache-2.0, Megvii) and
// picodet-s-320-coco (PP-PicoDet-S, Apache-2.0, PaddlePaddle Authors); see
// models/*/README.md for their provenance and exact pre- and post-processing.
package catalog

import (
	"embed"
	"io/fs"

	"github.com/modelreg/modelreg/registry"
)

// Name is the catalog's name; downloads go to <cache dir>/<Name>.
const Name = "bundled"

//go:embed models
var files embed.FS

// FS returns the catalog directory: manifest.json and the model files.
func FS() fs.FS {
	sub, err := fs.Sub(files, "models")
	if err != nil {
		panic("catalog: " + err.Error()) // cannot happen: the directory is embedded
	}
	return sub
}

// init registers the catalog with the registry, so that programs importing
// this package (often for its side effect only) find the bundled models
// through deploy.DefaultRegistry and deploy.LoadDefaultDeploymentModel.
func init() { registry.RegisterCatalog(Catalog()) }

// Catalog returns the bundled catalog, for registry.Options.Catalogs.
func Catalog() registry.Catalog {
	return registry.Catalog{Name: Name, FS: FS()}
}
