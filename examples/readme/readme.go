// Package readme holds the Go code of the repository's README.md as code
// that compiles: TestReadmeGoBlocks fails when a go block of the README is
// not found here, word for word (the statements indented by one tab).
package readme

import (
	_ "github.com/modelreg/modelreg/catalog" // the bundled models (leave it out to link only your own)
	"github.com/modelreg/modelreg/deploy"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // registers the "onnxruntime/detector" deployment type
)

import (
	"context"
	"image"

	"github.com/modelreg/modelreg/detect"
)

// detectOne is "Detection in one call".
func detectOne(ctx context.Context, img image.Image) ([]detect.Detection, error) {
	m, err := deploy.LoadDefaultDeploymentModel(ctx, "yolox-nano-coco") // resolve, download if needed, verify, load
	if err != nil {
		return nil, err
	}
	defer m.Close()
	dets, err := m.Detect(ctx, img) // img is any image.Image
	return dets, err
}
