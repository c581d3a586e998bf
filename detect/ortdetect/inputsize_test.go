package ortdetect_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager" // manager type "file"
)

// publishModel publishes model as a user's own detector would be: a
// models directory, its manifest entry with the deployment config, the
// file behind a "file" manager; it returns the registry and the name.
func publishModel(t *testing.T, model []byte, config string) (*registry.Registry, string) {
	t.Helper()
	ctx := context.Background()
	dir, store := t.TempDir(), t.TempDir()
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.InitDir(ctx, dir); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join(t.TempDir(), "detector.onnx")
	if err := os.WriteFile(src, model, 0o644); err != nil {
		t.Fatal(err)
	}
	m := &registry.Model{BaseName: "my-detector", Version: "1",
		Manager:           &registry.ManagerSpec{Type: "file", Config: json.RawMessage(fmt.Sprintf(`{"path": %q}`, filepath.Join(store, "detector.onnx")))},
		DefaultDeployment: &registry.Deployment{Type: ortdetect.Type, Config: json.RawMessage(config)}}
	if _, err := reg.Publish(ctx, src, m, nil); err != nil {
		t.Fatal(err)
	}
	return reg, "my-detector@1"
}

// TestInputSize loads models through deploy with and without the input
// size in the config: a model with a fixed input size gives its own, a
// dynamic one ([1,3,?,?]) takes the config's and, without it, fails with
// a ConfigError that asks for it.
func TestInputSize(t *testing.T) {
	requireORT(t)
	dynamic := rewriteYOLOX(t, rtdetrRaw(true))
	fixed := rewriteYOLOX(t, rtdetrRaw(false))
	const rest = `"decoder": "detr", "num_classes": 80, "score_threshold": 0.5`
	tests := []struct {
		name   string
		model  []byte
		config string
		err    bool
	}{
		{"dynamic, size in config", dynamic, `{"input": {"width": 416, "height": 416, "resize": "stretch", "channel_order": "bgr"}, ` + rest + `}`, false},
		{"dynamic, no size", dynamic, `{"input": {"resize": "stretch", "channel_order": "bgr"}, ` + rest + `}`, true},
		{"fixed, no size", fixed, `{"input": {"resize": "stretch", "channel_order": "bgr"}, ` + rest + `}`, false},
		{"fixed, no input object", fixed, `{` + rest + `}`, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, name := publishModel(t, tt.model, tt.config)
			m, err := deploy.LoadDetector(context.Background(), reg, name, &deploy.Options{CacheDir: t.TempDir()})
			if tt.err {
				var ce *detect.ConfigError
				if !errors.As(err, &ce) || !errors.Is(err, detect.ErrInvalidConfig) ||
					!strings.Contains(err.Error(), "[1,3,?,?]") || !strings.Contains(err.Error(), "input.width") {
					t.Fatalf("load = %v; want a ConfigError naming the shape [1,3,?,?] and input.width", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			dets, err := m.Detect(context.Background(), readImage(t, "dog.jpg"))
			if err != nil {
				t.Fatal(err)
			}
			if !slices.ContainsFunc(dets, func(d detect.Detection) bool { return d.Label == "class 16" }) { // COCO 16: dog
				t.Errorf("dog.jpg: %s; want class 16 (dog)", describe(dets))
			}
		})
	}
}

// TestInputSizeOfBundledModel removes the size from the bundled
// YOLOX-Nano's config: it is read from the model (416×416) and the
// detections stay those of the reference.
func TestInputSizeOfBundledModel(t *testing.T) {
	m := load(t, "yolox-nano-coco", &deploy.Options{
		Config: map[string]any{"input": map[string]any{"width": nil, "height": nil}}})
	got := detectOrFail(t, m, readImage(t, "dog.jpg"))
	if err := compare(got, references["yolox-nano-coco"]["dog.jpg"]); err != nil {
		t.Errorf("%v\ngot %s", err, describe(got))
	}
}
