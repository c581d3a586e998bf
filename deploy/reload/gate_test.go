package reload_test

import (
	"context"
	"encoding/json"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/registry"
)

// gateType is a deployment type whose Detect calls wait at a gate, so
// that a test knows which calls are in flight when a version is swapped.
const gateType = "test/gate"

// gates holds the gate of each loaded version, by resolved name.
var gates sync.Map // string → *gateDetector

type gateDetector struct {
	version string
	entered chan struct{} // receives one value per Detect call that starts
	open    chan struct{} // closed to let the calls return
	mu      sync.Mutex
	closed  bool
	calls   int
}

func (g *gateDetector) Detect(ctx context.Context, _ image.Image) ([]detect.Detection, error) {
	g.mu.Lock()
	if g.closed {
		g.mu.Unlock()
		return nil, fmt.Errorf("%s: Detect after Close", g.version)
	}
	g.calls++
	g.mu.Unlock()
	g.entered <- struct{}{}
	select {
	case <-g.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return []detect.Detection{{Label: g.version}}, nil
}

func (g *gateDetector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	return detect.DetectEach(ctx, g.Detect, imgs)
}

func (g *gateDetector) Close() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.closed = true
	return nil
}

func (g *gateDetector) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

func init() {
	deploy.Register(gateType, func(_ context.Context, req *deploy.Request) (deploy.Model, error) {
		g := &gateDetector{version: req.Name, entered: make(chan struct{}, 64), open: make(chan struct{})}
		gates.Store(req.Name, g)
		return g, nil
	})
}

func gate(t *testing.T, version string) *gateDetector {
	t.Helper()
	g, ok := gates.Load(version)
	if !ok {
		t.Fatalf("version %s was never loaded", version)
	}
	return g.(*gateDetector)
}

// writeGateManifest writes the manifest of dir with one entry of gateType
// per version of base (a unique base per test keeps the gates apart).
func writeGateManifest(t *testing.T, dir, base string, versions ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "src"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "src", "w.bin"), []byte("weights"), 0o644); err != nil {
		t.Fatal(err)
	}
	var models []map[string]any
	for _, v := range versions {
		models = append(models, map[string]any{"base_name": base, "version": v, "base_filename": base + "-" + v + ".bin",
			"manager":                        map[string]any{"type": "file", "config": map[string]any{"path": "src/w.bin"}},
			"default_deployment_config_dict": map[string]any{"type": gateType}})
	}
	data, err := json.Marshal(map[string]any{"models": models})
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(dir, "manifest.json.tmp")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, filepath.Join(dir, registry.ManifestFile)); err != nil {
		t.Fatal(err)
	}
}
