package ortdetect_test

import (
	"context"
	"image"
	"image/color"
	"slices"
	"sync"
	"testing"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"github.com/modelreg/modelreg/loader"
)

// Shape of the tiny yolov5-style model: input [N,3,32,32], strides
// [8,16,32] and 3 anchors give (4·4 + 2·2 + 1·1)·3 = 63 rows of 5+80.
const (
	tinyRows = 63
	tinyCols = 85
)

// tinyYOLOv5 returns a yolov5-style model whose output depends on the mean
// m of its input: out = m·W + B, out [batch,63,85], with W and B constants
// chosen so that every row is a candidate whose box, score and class move
// with m. batch < 0 makes the batch dimension dynamic.
//
//	images [batch,3,32,32] → ReduceMean(axes 1,2,3) → Reshape [0,1,1] → Mul W → Add B → output
func tinyYOLOv5(batch int64) []byte {
	w := make([]float32, tinyRows*tinyCols)
	b := make([]float32, tinyRows*tinyCols)
	for r := range tinyRows {
		row := r * tinyCols
		b[row+0], w[row+0] = 3+float32(r%8)*3.7, 4      // cx
		b[row+1], w[row+1] = 3+float32(r/8)*3.5, -3     // cy
		b[row+2], w[row+2] = 5, 6                       // w
		b[row+3], w[row+3] = 7, -4                      // h
		b[row+4], w[row+4] = 0.15+0.012*float32(r), 0.5 // objectness
		for c := range 80 {
			b[row+5+c] = 0.05
		}
		c1, c2 := (r*7)%80, (r*7+1)%80 // c1 wins for small m, c2 for large
		b[row+5+c1], w[row+5+c1] = 0.8, -0.6
		b[row+5+c2], w[row+5+c2] = 0.2, 0.6
	}
	nodes := [][]byte{
		onnxNode("ReduceMean", []string{"images"}, []string{"mean"}, onnxAttrInts("axes", 1, 2, 3), onnxAttrInt("keepdims", 1)),
		onnxNode("Reshape", []string{"mean", "shape"}, []string{"m"}),
		onnxNode("Mul", []string{"m", "W"}, []string{"mw"}),
		onnxNode("Add", []string{"mw", "B"}, []string{"output"}),
	}
	inits := [][]byte{
		onnxInt64s("shape", []int64{0, 1, 1}),
		onnxFloats("W", []int64{1, tinyRows, tinyCols}, w),
		onnxFloats("B", []int64{1, tinyRows, tinyCols}, b),
	}
	return onnxModel(nodes, inits, onnxValueInfo("images", batch, 3, 32, 32), onnxValueInfo("output", batch, tinyRows, tinyCols))
}

// newTinyDetector builds a detector of tinyYOLOv5(batch).
func newTinyDetector(t *testing.T, batch int64, opts *ortdetect.Options) *ortdetect.Detector {
	t.Helper()
	requireORT(t)
	lib, err := loader.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := detect.NewPipeline(detect.Config{
		Input:   preprocess.Options{Width: 32, Height: 32, Resize: preprocess.Stretch, Scale: 1.0 / 255},
		Decoder: "yolov5", NumClasses: 80, ScoreThreshold: 0.05,
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ortdetect.New(context.Background(), lib, tinyYOLOv5(batch), pipe, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return d
}

// testImages returns n images of different sizes and contents.
func testImages(n int) []image.Image {
	imgs := make([]image.Image, n)
	for i := range imgs {
		img := image.NewRGBA(image.Rect(0, 0, 20+7*i, 30+5*(i%4)))
		for y := range img.Rect.Dy() {
			for x := range img.Rect.Dx() {
				v := uint8(i*23 + (x*y)%(11+i))
				img.SetRGBA(x, y, color.RGBA{v, uint8(255 - int(v)), uint8(x * i), 255})
			}
		}
		imgs[i] = img
	}
	return imgs
}

// detectEach is Detect on each image, one by one.
func detectEach(t *testing.T, d *ortdetect.Detector, imgs []image.Image) [][]detect.Detection {
	t.Helper()
	want := make([][]detect.Detection, len(imgs))
	for i, img := range imgs {
		var err error
		if want[i], err = d.Detect(context.Background(), img); err != nil {
			t.Fatal(err)
		}
		if len(want[i]) == 0 {
			t.Fatalf("image %d: no detections; the test model should find some", i)
		}
	}
	return want
}

func checkSame(t *testing.T, got, want [][]detect.Detection) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("DetectAll returned %d results for %d images", len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("image %d: DetectAll = %v\nDetect = %v", i, got[i], want[i])
		}
	}
}

func TestDetectAllBatched(t *testing.T) {
	for _, tt := range []struct {
		name             string
		maxBatch, n, run int
	}{
		{"3 images", 0, 3, 1},
		{"10 images, batches of 8", 0, 10, 2},
		{"10 images, batches of 4", 4, 10, 3},
		{"1 image", 0, 1, 1},
		{"no images", 0, 0, 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := newTinyDetector(t, -1, &ortdetect.Options{MaxBatch: tt.maxBatch})
			if !d.Batched() {
				t.Fatal("Batched() = false for a model with a dynamic batch dimension")
			}
			imgs := testImages(tt.n)
			want := detectEach(t, d, imgs)
			runs := ortdetect.Runs(d)
			got, err := d.DetectAll(context.Background(), imgs)
			if err != nil {
				t.Fatal(err)
			}
			if r := ortdetect.Runs(d) - runs; r != int64(tt.run) {
				t.Errorf("DetectAll of %d images ran the model %d times; want %d", tt.n, r, tt.run)
			}
			checkSame(t, got, want)
			// Again, now that the session's buffers are made.
			got, err = d.DetectAll(context.Background(), imgs)
			if err != nil {
				t.Fatal(err)
			}
			checkSame(t, got, want)
		})
	}
}

// The test model gives different images different detections, so that
// mixing up batch items or geometries would show.
func TestTinyModelDependsOnImage(t *testing.T) {
	d := newTinyDetector(t, -1, nil)
	want := detectEach(t, d, testImages(3))
	for i := range want {
		for j := range i {
			if slices.Equal(want[i], want[j]) {
				t.Errorf("images %d and %d have the same detections %v", i, j, want[i])
			}
		}
	}
}

func TestDetectAllFixedBatchLoops(t *testing.T) {
	d := newTinyDetector(t, 1, nil)
	if d.Batched() {
		t.Fatal("Batched() = true for a model of batch 1")
	}
	imgs := testImages(3)
	want := detectEach(t, d, imgs)
	runs := ortdetect.Runs(d)
	got, err := d.DetectAll(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	if r := ortdetect.Runs(d) - runs; r != 3 {
		t.Errorf("DetectAll of 3 images ran the model %d times; want 3", r)
	}
	checkSame(t, got, want)
}

func TestDetectAllBatchedErrors(t *testing.T) {
	d := newTinyDetector(t, -1, &ortdetect.Options{MaxBatch: 2})
	imgs := testImages(5)
	imgs[3] = nil
	_, err := d.DetectAll(context.Background(), imgs)
	mustErr(t, err, detect.ErrEmptyImage)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = d.DetectAll(ctx, testImages(3))
	mustErr(t, err, context.Canceled)

	// The detector still works after the failures.
	imgs = testImages(5)
	want := detectEach(t, d, imgs)
	got, err := d.DetectAll(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	checkSame(t, got, want)

	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = d.DetectAll(context.Background(), imgs)
	mustErr(t, err, ortdetect.ErrClosed)
}

// Concurrent batched and single calls on two sessions agree with the
// sequential results (run with -race).
func TestDetectAllBatchedConcurrent(t *testing.T) {
	d := newTinyDetector(t, -1, &ortdetect.Options{Sessions: 2, MaxBatch: 3})
	imgs := testImages(7)
	want := detectEach(t, d, imgs)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 3 {
				if g%2 == 0 {
					got, err := d.DetectAll(context.Background(), imgs)
					if err != nil {
						t.Error(err)
						return
					}
					checkSame(t, got, want)
					continue
				}
				for i, img := range imgs {
					got, err := d.Detect(context.Background(), img)
					if err != nil {
						t.Error(err)
						return
					}
					if !slices.Equal(got, want[i]) {
						t.Errorf("image %d: concurrent Detect differs", i)
					}
				}
			}
		})
	}
	wg.Wait()
}
