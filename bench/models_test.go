package bench

import (
	"context"
	"encoding/json"
	"image"
	_ "image/jpeg" // the photos
	_ "image/png"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/registry"
)

const imagesDir = "../testdata/images"

// photos are the eight test photos, in the order the Node.js script uses.
var photos = []string{
	"astronaut.png", "camera.png", "chelsea.png", "coffee.png",
	"dog.jpg", "person.jpg", "african_elephants.jpg", "vehicle.jpg",
}

// benchModel is a bundled model: its catalog name and directory.
type benchModel struct{ name, short string }

var benchModels = []benchModel{{"yolox-nano-coco", "yolox"}, {"picodet-s-320-coco", "picodet"}}

// requireORT skips when the ONNX Runtime library is not installed (fails in
// CI, which installs it).
func requireORT(tb testing.TB) {
	tb.Helper()
	ortLibrary(tb)
}

// readImage decodes one of the photos.
func readImage(tb testing.TB, name string) image.Image {
	tb.Helper()
	f, err := os.Open(filepath.Join(imagesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

// newRegistry is a registry of the bundled catalog with its own cache dir.
func newRegistry(tb testing.TB, cache string) *registry.Registry {
	tb.Helper()
	reg, err := registry.New(&registry.Options{Dirs: []string{}, Catalogs: []registry.Catalog{catalog.Catalog()},
		CacheDir: cache})
	if err != nil {
		tb.Fatal(err)
	}
	return reg
}

// loadDetector loads a bundled model through deploy, as users do.
func loadDetector(tb testing.TB, name string, opts *deploy.Options) detect.Detector {
	tb.Helper()
	requireORT(tb)
	d, err := deploy.LoadDetector(context.Background(), newRegistry(tb, tb.TempDir()), name, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { d.Close() })
	return d
}

// catalogConfig returns the default deployment config of a bundled model
// and the directory of its files.
func catalogConfig(tb testing.TB, name string) (ortdetect.Config, fs.FS) {
	tb.Helper()
	data, err := fs.ReadFile(catalog.FS(), "manifest.json")
	if err != nil {
		tb.Fatal(err)
	}
	var mf struct {
		Models []struct {
			BaseName string `json:"base_name"`
			Manager  struct {
				Config struct {
					Path string `json:"path"`
				} `json:"config"`
			} `json:"manager"`
			Deployment struct {
				Config json.RawMessage `json:"config"`
			} `json:"default_deployment_config_dict"`
		} `json:"models"`
	}
	if err := json.Unmarshal(data, &mf); err != nil {
		tb.Fatal(err)
	}
	for _, m := range mf.Models {
		if m.BaseName != name {
			continue
		}
		cfg, err := ortdetect.ParseConfig(m.Deployment.Config)
		if err != nil {
			tb.Fatal(err)
		}
		dir, err := fs.Sub(catalog.FS(), m.Manager.Config.Path)
		if err != nil {
			tb.Fatal(err)
		}
		return cfg, dir
	}
	tb.Fatalf("model %q not in the catalog", name)
	return ortdetect.Config{}, nil
}

// median returns the median of ds (sorted in place).
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// ms returns d in milliseconds.
func ms(d time.Duration) float64 { return float64(d) / 1e6 }

// imageT is image.Image, short for signatures.
type imageT = image.Image

func fsReadFile(fsys fs.FS, name string) ([]byte, error) { return fs.ReadFile(fsys, name) }
