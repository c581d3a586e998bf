package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// writeManifests writes n entries spread over dirs models directories, each
// with one manifest.json: n/dirs/2 models with two versions each, with the
// files, manager, deployment and tags that real entries carry. It returns
// the directories.
func writeManifests(tb testing.TB, n, dirs int) []string {
	tb.Helper()
	root := tb.TempDir()
	var out []string
	for d := range dirs {
		dir := filepath.Join(root, fmt.Sprintf("dir%02d", d))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			tb.Fatal(err)
		}
		var models []map[string]any
		for i := range n / dirs {
			models = append(models, manifestEntry(d, i))
		}
		data, err := json.MarshalIndent(map[string]any{"models": models}, "", " ")
		if err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), data, 0o644); err != nil {
			tb.Fatal(err)
		}
		out = append(out, dir)
	}
	return out
}

func manifestEntry(d, i int) map[string]any {
	base := fmt.Sprintf("model-%02d-%05d", d, i/2)
	return map[string]any{
		"base_name":     base,
		"base_filename": base + ".onnx",
		"version":       fmt.Sprintf("1.%d.0", i%2),
		"author":        "bench",
		"license":       "Apache-2.0",
		"description":   "generated entry for the registry scale benchmark",
		"size_bytes":    3713911 + i,
		"sha256":        fmt.Sprintf("%064x", d*1000003+i),
		"manager":       map[string]any{"type": "http", "config": map[string]any{"url": "https://models.example.com/" + base}},
		"default_deployment_config_dict": map[string]any{"type": "onnxruntime/detector",
			"config": map[string]any{"input": map[string]any{"width": 416, "height": 416}, "decoder": "yolox"}},
		"tags":       []string{"detection", "coco", "onnx"},
		"date_added": "2026-11-25 00:00:00",
	}
}

// BenchmarkRegistry lists and resolves over n manifest entries in 10
// directories (issue 7 §8: < 5 ms warm at 10,000), warm (the manifests
// parsed and cached, unchanged on disk) and cold (a new Registry, so every
// manifest is read and parsed).
func BenchmarkRegistry(b *testing.B) {
	ctx := context.Background()
	for _, n := range []int{1000, 10000} {
		dirs := writeManifests(b, n, 10)
		newReg := func() *registry.Registry {
			r, err := registry.New(&registry.Options{Dirs: dirs, CacheDir: b.TempDir()})
			if err != nil {
				b.Fatal(err)
			}
			return r
		}
		last := fmt.Sprintf("model-09-%05d", n/10/2-1)
		list := func(r *registry.Registry) {
			ms, _, err := r.List(ctx, nil)
			if err != nil || len(ms) != n {
				b.Fatalf("List: %d models, %v; want %d", len(ms), err, n)
			}
		}
		get := func(r *registry.Registry) {
			if _, err := r.Get(ctx, last); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("entries=%d/op=list/warm", n), func(b *testing.B) {
			r := newReg()
			list(r)
			for b.Loop() {
				list(r)
			}
		})
		b.Run(fmt.Sprintf("entries=%d/op=resolve/warm", n), func(b *testing.B) {
			r := newReg()
			get(r)
			for b.Loop() {
				get(r)
			}
		})
		b.Run(fmt.Sprintf("entries=%d/op=resolve/cold", n), func(b *testing.B) {
			for b.Loop() {
				get(newReg())
			}
		})
	}
}
