package onnximport_test

import (
	"fmt"

	"github.com/modelreg/modelreg/deploy/onnximport"
	"github.com/modelreg/modelreg/internal/onnxgraph"
)

// ExampleInspect infers the configuration of a YOLOv8-style export whose
// metadata has its class names, and of a bare [1,N,85] head with none.
func ExampleInspect() {
	images := []onnxgraph.Value{{Name: "images", ElemType: onnxgraph.Float, Shape: []int64{1, 3, 640, 640}}}
	output := func(shape ...int64) onnxgraph.Changes {
		return onnxgraph.Changes{Outputs: []onnxgraph.Value{{Name: "output0", ElemType: onnxgraph.Float, Shape: shape}}}
	}
	v8 := output(1, 6, 8400)
	v8.Metadata = map[string]string{"names": "{0: 'cat', 1: 'dog'}", "imgsz": "[640, 640]", "stride": "32"}
	for _, model := range [][]byte{onnxgraph.Build(17, images, v8), onnxgraph.Build(11, images, output(1, 8400, 85))} {
		p, err := onnximport.Inspect(model, nil)
		if err != nil {
			fmt.Println(err)
			continue
		}
		c := p.Config
		fmt.Printf("%s, %s pre-processing: %s %s rounding %s, %s, scale %.4f, %d labels, %d classes\n",
			c.Decoder, p.Family, c.Input.Resize, c.Input.Placement, c.Input.Rounding, c.Input.ChannelOrder, c.Input.Scale, len(p.Labels), c.NumClasses)
		for _, g := range p.Guesses {
			fmt.Printf("  guess %s = %s\n", g.Field, g.Value)
		}
	}
	// Output:
	// yolov8, ultralytics pre-processing: letterbox center rounding nearest, rgb, scale 0.0039, 2 labels, 0 classes
	// yolox, yolox pre-processing: letterbox top-left rounding floor, bgr, scale 1.0000, 0 labels, 80 classes
	//   guess decoder = yolox
	//   guess num_classes = 80
	//   guess input = letterbox top-left, pad 114, BGR, 0–255
}
