package deploy_test

import (
	"context"
	"fmt"
	"image"
	_ "image/jpeg"
	"log"
	"os"

	_ "github.com/modelreg/modelreg/catalog" // the bundled models
	"github.com/modelreg/modelreg/deploy"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // registers the "onnxruntime/detector" deployment type
)

// The whole path from a model name to detections: resolve in the default
// registry (MODELS_DIRS, then the bundled catalog), download and verify if
// needed, load into ONNX Runtime, detect.
func ExampleLoadDefaultDeploymentModel() {
	ctx := context.Background()
	m, err := deploy.LoadDefaultDeploymentModel(ctx, "yolox-nano-coco")
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()

	f, err := os.Open("../testdata/images/dog.jpg")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		log.Fatal(err)
	}
	dets, err := m.Detect(ctx, img)
	if err != nil {
		log.Fatal(err)
	}
	for _, d := range dets {
		fmt.Printf("%s %.2f\n", d.Label, d.Confidence)
	}
	// Output:
	// dog 0.85
	// bicycle 0.80
	// car 0.79
}

// LoadDetector takes an explicit registry and options: here two sessions
// (two Detect calls at a time), a higher score threshold, and an override
// of one key of the manifest's deployment config.
func ExampleLoadDetector() {
	reg, err := deploy.DefaultRegistry()
	if err != nil {
		log.Fatal(err)
	}
	m, err := deploy.LoadDetector(context.Background(), reg, "picodet-s-320-coco", &deploy.Options{
		Sessions:       2,
		ScoreThreshold: 0.5,
		Config:         map[string]any{"max_detections": 20},
	})
	if err != nil {
		log.Fatal(err)
	}
	defer m.Close()
}
