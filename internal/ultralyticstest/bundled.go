package ultralyticstest

import (
	"io/fs"
	"strings"

	"github.com/modelreg/modelreg/catalog"
)

// Bundled returns the bundled YOLOX-Nano's bytes and its 80 COCO class
// names, from the catalog embedded in the module.
func Bundled() (model []byte, names []string, err error) {
	model, err = fs.ReadFile(catalog.FS(), "yolox-nano-coco/yolox_nano.onnx")
	if err != nil {
		return nil, nil, err
	}
	labels, err := fs.ReadFile(catalog.FS(), "yolox-nano-coco/coco80_labels.txt")
	if err != nil {
		return nil, nil, err
	}
	return model, strings.Split(strings.TrimRight(string(labels), "\n"), "\n"), nil
}

// Images are the eight test photos, in testdata/images of the module.
var Images = []string{"astronaut.png", "camera.png", "chelsea.png", "coffee.png", "dog.jpg", "person.jpg",
	"african_elephants.jpg", "vehicle.jpg"}
