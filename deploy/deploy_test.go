package deploy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/registry"
)

// echoModel is the model of the test deployment types: it records the
// request it was built from.
type echoModel struct {
	req    *deploy.Request
	closed bool
}

func (m *echoModel) Close() error { m.closed = true; return nil }

// echoDetector is an echoModel that is also a detector.
type echoDetector struct{ echoModel }

func (d *echoDetector) Detect(context.Context, image.Image) ([]detect.Detection, error) {
	return []detect.Detection{{Label: "echo"}}, nil
}

func (d *echoDetector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	return detect.DetectEach(ctx, d.Detect, imgs)
}

func init() {
	deploy.Register("test/model", func(_ context.Context, req *deploy.Request) (deploy.Model, error) {
		return &echoModel{req: req}, nil
	})
	deploy.Register("test/detector", func(_ context.Context, req *deploy.Request) (deploy.Model, error) {
		if err := req.CheckRuntime("testrt", "1.5"); err != nil {
			return nil, err
		}
		return &echoDetector{echoModel{req: req}}, nil
	})
}

// newRegistry writes a models dir whose manifest declares one model per
// (name, deployment type, requirements) entry, served by the file manager.
func newRegistry(t *testing.T, entries ...map[string]any) *registry.Registry {
	t.Helper()
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "weights.bin"), []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	var models []map[string]any
	for i, e := range entries {
		// Each entry owns its file: entries that share one are refused.
		m := map[string]any{"base_filename": fmt.Sprintf("e%d/weights.bin", i),
			"manager": map[string]any{"type": "file", "config": map[string]any{"path": "src/weights.bin"}}}
		for k, v := range e {
			m[k] = v
		}
		models = append(models, m)
	}
	data, err := json.Marshal(map[string]any{"models": models})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func deployment(typ string, cfg map[string]any) map[string]any {
	return map[string]any{"type": typ, "config": cfg}
}

func TestTypes(t *testing.T) {
	types := deploy.Types()
	if !slices.IsSorted(types) || !slices.Contains(types, "test/model") {
		t.Errorf("Types() = %v; want sorted, with test/model", types)
	}
}

func TestRegisterPanics(t *testing.T) {
	for name, f := range map[string]deploy.Factory{"nil": nil, "test/model": func(context.Context, *deploy.Request) (deploy.Model, error) { return nil, nil }} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			deploy.Register(name, f)
		}()
	}
}

func TestLoadErrors(t *testing.T) {
	reg := newRegistry(t,
		map[string]any{"base_name": "eta", "default_deployment_config_dict": deployment("eta.detectors.TFModelsDetector", nil)},
		map[string]any{"base_name": "unknown", "default_deployment_config_dict": deployment("nobody/registered", nil)},
		map[string]any{"base_name": "none"},
		map[string]any{"base_name": "plain", "default_deployment_config_dict": deployment("test/model", nil)},
	)
	tests := []struct {
		name, text string
		want       error
	}{
		{"eta", "not supported in this library", deploy.ErrUnsupportedType},
		{"unknown", "forgotten import?", deploy.ErrUnknownType},
		{"none", "; add one to its manifest entry ('models import-onnx' infers one from an exported ONNX detector)", deploy.ErrNoDeployment},
		{"plain", "not a detector", deploy.ErrNotDetector},
		{"absent", "not found", registry.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := deploy.LoadDetector(context.Background(), reg, tt.name, nil)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("error = %v; want %v mentioning %q", err, tt.want, tt.text)
			}
		})
	}
}

func TestLoadMergesConfigAndDownloads(t *testing.T) {
	reg := newRegistry(t, map[string]any{"base_name": "det", "default_deployment_config_dict": deployment("test/detector",
		map[string]any{"labels": "coco.txt", "input": map[string]any{"width": 416, "height": 416}, "nms_iou": 0.45})})
	m, err := deploy.LoadDetector(context.Background(), reg, "det", &deploy.Options{
		Config: map[string]any{"input": map[string]any{"width": 640}, "nms_iou": nil, "extra": true}})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	req := m.(interface{ Unwrap() deploy.Model }).Unwrap().(*echoDetector).req
	var got map[string]any
	if err := json.Unmarshal(req.Config, &got); err != nil {
		t.Fatal(err)
	}
	want := `{"extra":true,"input":{"height":416,"width":640},"labels":"coco.txt"}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("merged config = %s; want %s", b, want)
	}
	if len(req.Files) != 1 || filepath.Base(req.Files[0].Path) != "weights.bin" || req.Files[0].Size != -1 {
		t.Errorf("Files = %+v; want the downloaded weights.bin", req.Files)
	}
	if _, err := os.Stat(req.Files[0].Path); err != nil {
		t.Errorf("model file not downloaded: %v", err)
	}
	dets, err := m.Detect(context.Background(), nil)
	if err != nil || len(dets) != 1 {
		t.Errorf("Detect through the returned model = %v, %v", dets, err)
	}
}

func TestRequirements(t *testing.T) {
	cpuOnly := map[string]any{"cpu": map[string]any{"support": true}, "gpu": map[string]any{"support": false}}
	gpuOnly := map[string]any{"cpu": map[string]any{"support": false}}
	newer := map[string]any{"runtimes": map[string]any{"testrt": ">=1.10"}}
	older := map[string]any{"runtimes": map[string]any{"testrt": ">=1.4"}}
	bad := map[string]any{"runtimes": map[string]any{"testrt": "<2"}}
	reg := newRegistry(t,
		map[string]any{"base_name": "cpu-only", "requirements": cpuOnly, "default_deployment_config_dict": deployment("test/detector", nil)},
		map[string]any{"base_name": "gpu-only", "requirements": gpuOnly, "default_deployment_config_dict": deployment("test/detector", nil)},
		map[string]any{"base_name": "newer", "requirements": newer, "default_deployment_config_dict": deployment("test/detector", nil)},
		map[string]any{"base_name": "older", "requirements": older, "default_deployment_config_dict": deployment("test/detector", nil)},
		map[string]any{"base_name": "bad", "requirements": bad, "default_deployment_config_dict": deployment("test/detector", nil)},
	)
	tests := []struct {
		model     string
		providers []string
		level     deploy.ErrorLevel
		wantErr   bool
	}{
		{"cpu-only", nil, deploy.LevelFail, false},
		{"cpu-only", []string{"cuda"}, deploy.LevelFail, true},
		{"cpu-only", []string{"cuda"}, deploy.LevelWarn, false},
		{"gpu-only", nil, deploy.LevelFail, true},
		{"gpu-only", nil, deploy.LevelIgnore, false},
		{"gpu-only", []string{"cuda"}, deploy.LevelFail, false},
		{"newer", nil, deploy.LevelFail, true}, // 1.5 < 1.10: numeric, not lexical
		{"newer", nil, deploy.LevelWarn, false},
		{"older", nil, deploy.LevelFail, false},
	}
	if _, err := deploy.LoadDetector(context.Background(), reg, "bad", nil); err == nil || !strings.Contains(err.Error(), `unsupported version constraint "<2"`) {
		t.Errorf("constraint <2: error %v; want an unsupported-constraint error", err)
	}
	for _, tt := range tests {
		m, err := deploy.LoadDetector(context.Background(), reg, tt.model, &deploy.Options{Providers: tt.providers, Requirements: tt.level})
		if (err != nil) != tt.wantErr {
			t.Errorf("%s %v level %d: error %v; want error %v", tt.model, tt.providers, tt.level, err, tt.wantErr)
		}
		if err != nil && !errors.Is(err, deploy.ErrRequirements) {
			t.Errorf("%s: error %v does not wrap ErrRequirements", tt.model, err)
		}
		if m != nil {
			m.Close()
		}
	}
}

// TestRequestCacheDir checks the directory a factory may keep derived files
// in: one per deployment type under Options.CacheDir, under the user's cache
// by default, and none with NoCache.
func TestRequestCacheDir(t *testing.T) {
	reg := newRegistry(t, map[string]any{"base_name": "det", "default_deployment_config_dict": deployment("test/detector",
		map[string]any{"labels": "coco.txt"})})
	base, err := os.UserCacheDir()
	if err != nil {
		t.Skip("no user cache dir:", err)
	}
	dir := t.TempDir()
	tests := []struct {
		name string
		opts *deploy.Options
		want string
	}{
		{"explicit", &deploy.Options{CacheDir: dir}, filepath.Join(dir, "test-detector")},
		{"default", nil, filepath.Join(base, "modelreg", "derived", "test-detector")},
		{"off", &deploy.Options{CacheDir: dir, NoCache: true}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := deploy.LoadDetector(context.Background(), reg, "det", tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			defer m.Close()
			if got := m.(interface{ Unwrap() deploy.Model }).Unwrap().(*echoDetector).req.CacheDir; got != tt.want {
				t.Errorf("CacheDir = %q; want %q", got, tt.want)
			}
		})
	}
}
