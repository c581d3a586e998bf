package detect

import (
	"errors"
	"image"
	"image/color"
	"os"
	"testing"

	"github.com/modelreg/modelreg/detect/preprocess"
)

func TestPipelineImageErrors(t *testing.T) {
	p := newPipeline(t, readConfig(t, "yolox_nano.json"))
	dst := make([]float32, p.InputLen())
	tests := []struct {
		name string
		img  image.Image
		want error
	}{
		{"nil", nil, ErrEmptyImage},
		{"0x0", image.NewYCbCr(image.Rectangle{}, image.YCbCrSubsampleRatio420), ErrEmptyImage},
		{"absurd", image.NewUniform(color.White), ErrImageTooLarge},
	}
	for _, tt := range tests {
		_, err := p.Preprocess(tt.img, dst)
		var ie *preprocess.ImageError
		if !errors.Is(err, tt.want) || !errors.As(err, &ie) {
			t.Errorf("%s: err = %v; want an ImageError wrapping %v", tt.name, err, tt.want)
		}
	}
	if _, err := p.Preprocess(image.NewGray(image.Rect(0, 0, 4, 4)), dst[:10]); !errors.Is(err, preprocess.ErrShortBuffer) {
		t.Errorf("short buffer: err = %v; want ErrShortBuffer", err)
	}
}

func TestPipelineShapes(t *testing.T) {
	p := newPipeline(t, readConfig(t, "yolox_nano.json"))
	if got := FormatShape(p.InputShape(1)); got != "[1,3,416,416]" || p.InputLen() != 3*416*416 {
		t.Errorf("InputShape = %s, InputLen = %d", got, p.InputLen())
	}
}

func TestNewPipelineErrors(t *testing.T) {
	cfg := readConfig(t, "yolox_nano.json")
	if _, err := NewPipeline(cfg, nil); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("no labels: err = %v; want ErrInvalidConfig", err)
	}
	cfg.NumClasses = 3
	if _, err := NewPipeline(cfg, cocoLabels(t)); !errors.Is(err, ErrInvalidConfig) {
		t.Errorf("80 labels for 3 classes: err = %v; want ErrInvalidConfig", err)
	}
	if _, err := LoadPipeline(readConfig(t, "picodet_s_320_coco.json"), os.DirFS("testdata")); err != nil {
		t.Errorf("LoadPipeline: %v", err)
	}
}

// TestPicoDetConcatenated checks the variant with one score and one box
// tensor holding all levels.
func TestPicoDetConcatenated(t *testing.T) {
	p := newPipeline(t, readConfig(t, "picodet_s_320_coco.json"))
	scores, boxes := zeros("scores", 1, 2125, 80), zeros("boxes", 1, 2125, 32)
	i := 1600 + 400 + 4*10 + 2 // stride 32, cell (2, 4)
	scores.Data[i*80+18] = 0.85
	for k, d := range []float64{1.5, 2.5, 2.5, 3.5} {
		putDist(boxes.Data[i*32+k*8:i*32+(k+1)*8], d)
	}
	got, err := p.Postprocess([]Tensor{boxes, scores}, p.Geometry(640, 480))
	if err != nil {
		t.Fatal(err)
	}
	checkDetections(t, got, []want{{"sheep", 0.85, Box{64, 96, 320, 384}}})
}

func TestSteadyStateAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	for _, name := range []string{"yolox_nano.json", "picodet_s_320_coco.json"} {
		p := newPipeline(t, readConfig(t, name))
		img := image.NewYCbCr(image.Rect(0, 0, 640, 480), image.YCbCrSubsampleRatio420)
		in := make([]float32, p.InputLen())
		outs := benchOutputs(p.Config())
		var dst []Detection
		allocs := testing.AllocsPerRun(20, func() {
			g, err := p.Preprocess(img, in)
			if err != nil {
				t.Fatal(err)
			}
			if dst, err = p.AppendDetections(dst[:0], outs, 0, g); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Errorf("%s: %v allocations per image; want 0", name, allocs)
		}
	}
}
