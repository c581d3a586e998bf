package ortdetect_test

import (
	"context"
	"fmt"
	"io/fs"
	"log"
	"os"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/loader"
)

// New builds a detector from an ONNX file and a pipeline without the
// registry: here the bundled YOLOX-Nano, its labels and the configuration
// its manifest entry gives, on the library that loader.Find finds.
func ExampleNew() {
	path, err := loader.Find(nil)
	if err != nil {
		log.Fatal(err) // loader.Find's error says how to install the library
	}
	lib, err := loader.Open(path)
	if err != nil {
		log.Fatal(err)
	}
	dir, err := fs.Sub(catalog.FS(), "yolox-nano-coco")
	if err != nil {
		log.Fatal(err)
	}
	cfg, err := ortdetect.ParseConfig([]byte(`{"model": "yolox_nano.onnx",
		"input": {"width": 416, "height": 416, "resize": "letterbox", "pad_value": 114, "channel_order": "bgr", "layout": "nchw"},
		"decoder": "yolox", "strides": [8, 16, 32], "labels": "coco80_labels.txt",
		"score_threshold": 0.3, "nms_iou": 0.45, "class_agnostic": true}`))
	if err != nil {
		log.Fatal(err)
	}
	pipe, err := detect.LoadPipeline(cfg.Config, dir)
	if err != nil {
		log.Fatal(err)
	}
	model, err := fs.ReadFile(dir, cfg.Model)
	if err != nil {
		log.Fatal(err)
	}
	ctx := context.Background()
	d, err := ortdetect.New(ctx, lib, model, pipe, &ortdetect.Options{Sessions: 2})
	if err != nil {
		log.Fatal(err)
	}
	defer d.Close()

	f, err := os.Open("../../testdata/images/dog.jpg")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(f, nil)
	if err != nil {
		log.Fatal(err)
	}
	dets, err := d.Detect(ctx, img)
	if err != nil {
		log.Fatal(err)
	}
	for _, det := range dets {
		fmt.Printf("%s %.2f\n", det.Label, det.Confidence)
	}
	// Output:
	// dog 0.85
	// bicycle 0.80
	// car 0.79
}
