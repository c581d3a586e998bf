package preprocess_test

import (
	"fmt"
	"image"
	"image/color"

	"github.com/modelreg/modelreg/detect/preprocess"
)

func ExamplePreprocessor_Run() {
	// YOLOX-Nano: letterbox to 416×416 at the top-left, pad 114, BGR, raw 0–255.
	p, err := preprocess.New(preprocess.Options{
		Width: 416, Height: 416, PadValue: 114, ChannelOrder: preprocess.BGR,
	})
	if err != nil {
		panic(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 768, 576))
	for i := range img.Pix {
		img.Pix[i] = []uint8{10, 20, 30, 255}[i%4]
	}
	dst := make([]float32, p.Len()) // reuse it for every image
	g, err := p.Run(img, dst)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Shape(1), g.Width, g.Height, g.ScaleX)
	fmt.Println("B G R at (0,0):", dst[0], dst[416*416], dst[2*416*416])
	fmt.Println("padding at (0,415):", dst[415*416])
	x, y := g.ToImage(208, 156)
	fmt.Println("tensor (208,156) is image", x, y)
	// Output:
	// [1 3 416 416] 416 312 0.5416666666666666
	// B G R at (0,0): 30 20 10
	// padding at (0,415): 114
	// tensor (208,156) is image 384 288
}

func ExampleOrient() {
	img := image.NewGray(image.Rect(0, 0, 3, 2))
	img.SetGray(0, 0, color.Gray{255}) // top-left
	up := preprocess.Orient(img, preprocess.Rotate90CW)
	fmt.Println(up.Bounds(), up.At(1, 0))
	// Output:
	// (0,0)-(2,3) {255}
}
