package detect_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"strings"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
)

func ExampleNMS() {
	dets := []detect.Detection{
		{Label: "cat", Class: 15, Confidence: 0.6, Box: detect.Box{X1: 12, Y1: 10, X2: 110, Y2: 100}},
		{Label: "dog", Class: 16, Confidence: 0.9, Box: detect.Box{X1: 10, Y1: 10, X2: 110, Y2: 100}},
		{Label: "dog", Class: 16, Confidence: 0.8, Box: detect.Box{X1: 200, Y1: 10, X2: 300, Y2: 100}},
	}
	kept := detect.NMS(dets, detect.NMSOptions{IoU: 0.45, ClassAgnostic: true})
	for _, d := range kept {
		fmt.Println(d.Label, d.Confidence, d.Box.Rect())
	}
	// Output:
	// dog 0.9 (10,10)-(110,100)
	// dog 0.8 (200,10)-(300,100)
}

func ExampleMarshalETA() {
	dets := []detect.Detection{{
		Label: "dog", Class: 16, Confidence: 0.851,
		Rel: detect.Box{X1: 0.125, Y1: 0.25, X2: 0.5, Y2: 1},
	}}
	b, _ := detect.MarshalETA(dets)
	fmt.Println(string(b))
	// Output:
	// {"objects":[{"type":"eta.core.objects.DetectedObject","label":"dog","bounding_box":{"top_left":{"x":0.125,"y":0.25},"bottom_right":{"x":0.5,"y":1}},"confidence":0.851,"tags":[]}]}
}

func ExampleParseConfig() {
	cfg, err := detect.ParseConfig([]byte(`{
		"input": {"width": 416, "height": 416, "pad_value": 114, "channel_order": "bgr"},
		"decoder": "yolox", "class_agnostic": true}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	p, err := detect.NewPipeline(cfg, []string{"person", "bicycle"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := p.Config()
	fmt.Println(p.InputShape(1), c.ScoreThreshold, c.NMSIoU, c.MaxDetections)
	fmt.Println(p.Geometry(768, 576))
	_, err = p.Preprocess(image.NewGray(image.Rectangle{}), make([]float32, p.InputLen()))
	fmt.Println(err)
	// Output:
	// [1 3 416 416] 0.3 0.45 100
	// {768 576 416 312 0 0 0.5416666666666666 0.5416666666666666}
	// preprocess: empty image: 0x0
}

func ExampleConfig_Validate() {
	_, err := detect.ParseConfig([]byte(`{"input": {"width": 320, "height": 320}, "decoder": "picodet", "nms_iou": 2}`))
	fmt.Println(err)
	// Output:
	// detect: invalid config: nms_iou: 2 is not in (0,1]
}

// Example_pipeline shows what a runtime binding does per image: pre-process
// into a pooled input buffer, run the model, post-process.
func Example_pipeline() {
	cfg, _ := detect.ParseConfig([]byte(`{"input": {"width": 640, "height": 640, "pad_value": 114},
		"decoder": "yolov8", "num_classes": 80}`))
	p, _ := detect.NewPipeline(cfg, nil)
	input := make([]float32, p.InputLen()) // pool these per session
	img := image.NewYCbCr(image.Rect(0, 0, 1280, 720), image.YCbCrSubsampleRatio420)
	geom, err := p.Preprocess(img, input)
	if err != nil {
		fmt.Println(err)
		return
	}
	// run stands for the model: [1,84,8400], one box at anchor 0 in
	// model-input pixels (cx, cy, w, h = 150, 200, 200, 200), class 3.
	run := func(in []float32) []detect.Tensor {
		out := detect.Tensor{Name: "output0", Shape: []int64{1, 84, 8400}, Data: make([]float32, 84*8400)}
		out.Data[0], out.Data[8400], out.Data[2*8400], out.Data[3*8400] = 150, 200, 200, 200
		out.Data[7*8400] = 0.9
		return []detect.Tensor{out}
	}
	dets, err := p.Postprocess(run(input), geom)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, d := range dets {
		fmt.Println(d.Label, d.Confidence, d.Box.Rect(), d.Rel)
	}
	// Output:
	// class 3 0.9 (100,200)-(500,600) {0.078125 0.2777778 0.390625 0.8333333}
}

// A detector (here its pipeline: 416×416 letterbox) lets DecodeImage decode
// a photo far larger than its input at a reduced scale; the result is
// placed as the full-size photo, so geometry and boxes stay in its pixels.
func ExampleDecodeImage_fit() {
	pipe, err := detect.NewPipeline(detect.Config{
		Input:   preprocess.Options{Width: 416, Height: 416, PadValue: 114},
		Decoder: "yolox", NumClasses: 80,
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	f, err := os.Open("../testdata/images/african_elephants.jpg")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(f, &detect.DecodeOptions{Fit: pipe})
	if err != nil {
		fmt.Println(err)
		return
	}
	r := img.(*preprocess.Reduced)
	g := pipe.Geometry(r.Full.X, r.Full.Y)
	fmt.Printf("decoded %v of %v; resized to %dx%d in the tensor\n", r.Bounds().Size(), r.Full, g.Width, g.Height)
	// Output:
	// decoded (512,384) of (2048,1536); resized to 416x312 in the tensor
}

// DetectFiles runs a detector over files, decoding the next file while the
// current one is detected.
func ExampleDetectFiles() {
	var d detect.Detector // from deploy.LoadDefaultDeploymentModel(ctx, "yolox-nano-coco")
	paths := []string{"a.jpg", "b.png"}
	fit, _ := d.(detect.Fitter) // decode large JPEGs at a reduced scale for d
	for r := range detect.DetectFiles(context.Background(), d, paths, &detect.DecodeOptions{Fit: fit}) {
		if r.Err != nil {
			fmt.Println(r.Path, r.Err)
			continue
		}
		fmt.Printf("%s (%dx%d): %d objects\n", r.Path, r.Size.X, r.Size.Y, len(r.Detections))
	}
}

// NewImageRecord gives the per-image JSON line that examples/detect-image
// -json prints: the image, its size and ETA's objects, or the error.
func ExampleNewImageRecord() {
	dets := []detect.Detection{{Label: "dog", Confidence: 0.85,
		Box: detect.Box{X1: 133, Y1: 207, X2: 326, Y2: 543},
		Rel: detect.Box{X1: 133.0 / 768, Y1: 207.0 / 576, X2: 326.0 / 768, Y2: 543.0 / 576}}}
	ok, _ := json.Marshal(detect.NewImageRecord("dog.jpg", image.Pt(768, 576), dets, nil))
	bad, _ := json.Marshal(detect.NewImageRecord("broken.jpg", image.Point{}, nil, errors.New("not a JPEG or PNG")))
	fmt.Println(string(ok))
	fmt.Println(string(bad))
	// Output:
	// {"image":"dog.jpg","width":768,"height":576,"objects":[{"type":"eta.core.objects.DetectedObject","label":"dog","bounding_box":{"top_left":{"x":0.17317708,"y":0.359375},"bottom_right":{"x":0.42447916,"y":0.9427083}},"confidence":0.85,"tags":[]}]}
	// {"image":"broken.jpg","objects":[],"error":"not a JPEG or PNG"}
}

// A TF Object Detection API label map names the classes of an ssd
// decoder by their ids, which start at 1 and have gaps.
func ExampleReadLabelMap() {
	labels, err := detect.ReadLabelMap(strings.NewReader(`
item { name: "/m/01g317" id: 1 display_name: "person" }
item { name: "/m/0k4j" id: 3 display_name: "car" }`))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%d labels: %q\n", len(labels), labels)
	// Output:
	// 4 labels: ["" "person" "" "car"]
}

// An RT-DETR model exported with its post-processor takes the original
// size as a second input and returns boxes in the original image's pixels.
func ExampleParseConfig_rtdetr() {
	cfg, err := detect.ParseConfig([]byte(`{
		"input": {"width": 640, "height": 640, "resize": "stretch", "scale": 0.00392156862745098},
		"decoder": "detr",
		"labels": "coco80_labels.txt",
		"extra_inputs": [{"name": "orig_target_sizes", "value": "orig_wh", "dtype": "int64"}]
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	d := cfg.WithDefaults()
	fmt.Println(d.Decoder, d.ScoreActivation, d.TopK, d.ExtraInputs[0].Value)
	// Output:
	// detr sigmoid 300 orig_wh
}
