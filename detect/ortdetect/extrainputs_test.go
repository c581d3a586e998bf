package ortdetect_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/internal/orttest"
)

// TestExtraInputMismatch loads a model taking orig_target_sizes (int64)
// with configs that declare it wrongly: each fails with ErrShape, naming
// the input.
func TestExtraInputMismatch(t *testing.T) {
	requireORT(t)
	model := rewriteYOLOX(t, rtdetrPost("orig_target_sizes"))
	const input = `"input": {"width": 416, "height": 416, "resize": "stretch"}, "decoder": "detr", "num_classes": 80`
	tests := []struct {
		name, extras, want string
	}{
		{"float32 for int64", `[{"name": "orig_target_sizes", "value": "orig_wh"}]`, `"orig_target_sizes" is int64`},
		{"undeclared", `[]`, "inputs"},
		{"wrong name", `[{"name": "orig_size", "value": "orig_wh", "dtype": "int64"}]`, `"orig_size"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg, err := detect.ParseConfig([]byte(fmt.Sprintf(`{%s, "extra_inputs": %s}`, input, tt.extras)))
			if err != nil {
				t.Fatal(err)
			}
			pipe, err := detect.NewPipeline(cfg, nil)
			if err != nil {
				t.Fatal(err)
			}
			d, err := ortdetect.New(context.Background(), orttest.Library(t), model, pipe, nil)
			if err == nil {
				d.Close()
			}
			if !errors.Is(err, detect.ErrShape) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New = %v; want ErrShape mentioning %s", err, tt.want)
			}
		})
	}
}

// TestExtraInputAllocations: a model with an extra input and an int64
// output stays within the Detect allocation budget.
func TestExtraInputAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	requireORT(t)
	i := slices.IndexFunc(layouts(), func(l layout) bool { return l.name == "rt-detr orig_target_sizes" })
	l := layouts()[i]
	d := newSetDetector(t, rewriteYOLOX(t, l.edit()), l)
	img := readImage(t, "dog.jpg")
	ctx := context.Background()
	if _, err := d.Detect(ctx, img); err != nil {
		t.Fatal(err)
	}
	allocs := testing.AllocsPerRun(5, func() {
		if _, err := d.Detect(ctx, img); err != nil {
			t.Fatal(err)
		}
	})
	t.Logf("%v allocations per Detect", allocs)
	if allocs > detectAllocBudget {
		t.Errorf("Detect allocates %v times per call; want at most %d", allocs, detectAllocBudget)
	}
}

// TestUint8ImageInput: a model taking raw uint8 pixels (TF-OD's
// image_tensor) needs a config that leaves pixel values as they are.
func TestUint8ImageInput(t *testing.T) {
	requireORT(t)
	e := tfodSSD()
	e.rawNHWC = true
	model := rewriteYOLOX(t, e)
	tests := []struct {
		input string
		ok    bool
	}{
		{`{"width": 416, "height": 416, "layout": "nhwc"}`, true},
		{`{"width": 416, "height": 416, "layout": "nhwc", "scale": 1, "mean": [0], "std": [1, 1, 1]}`, true},
		{`{"width": 416, "height": 416, "layout": "nhwc", "scale": 0.00392156862745098}`, false},
		{`{"width": 416, "height": 416, "layout": "nhwc", "mean": [123.675, 116.28, 103.53]}`, false},
	}
	for _, tt := range tests {
		cfg, err := detect.ParseConfig([]byte(`{"input": ` + tt.input + `, "decoder": "ssd", "num_classes": 91}`))
		if err != nil {
			t.Fatal(err)
		}
		pipe, err := detect.NewPipeline(cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		d, err := ortdetect.New(context.Background(), orttest.Library(t), model, pipe, nil)
		if err == nil {
			d.Close()
		}
		var ce *detect.ConfigError
		if ok := err == nil; ok != tt.ok || (err != nil && !errors.As(err, &ce)) {
			t.Errorf("%s: New = %v; want ok %v, else a ConfigError", tt.input, err, tt.ok)
		}
	}
}
