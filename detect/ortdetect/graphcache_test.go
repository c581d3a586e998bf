package ortdetect_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
)

// unwrap returns the *ortdetect.Detector inside what deploy returns.
func unwrap(t *testing.T, d detect.Detector) *ortdetect.Detector {
	t.Helper()
	od, ok := d.(interface{ Unwrap() deploy.Model }).Unwrap().(*ortdetect.Detector)
	if !ok {
		t.Fatalf("%T does not wrap an *ortdetect.Detector", d)
	}
	return od
}

// graphFiles lists the cached graphs under dir.
func graphFiles(t *testing.T, dir string) []string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() {
			found = append(found, p)
		}
		return nil
	})
	return found
}

// TestGraphCache loads each bundled model three times with one cache
// directory: the first load saves the optimised graph, the later ones load
// it, and every load finds exactly the same detections on the same photo.
func TestGraphCache(t *testing.T) {
	img := readImage(t, "dog.jpg")
	for _, name := range []string{"yolox-nano-coco", "picodet-s-320-coco"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			var want []detect.Detection
			for i, use := range []string{"saved", "cached", "cached"} {
				d := load(t, name, &deploy.Options{CacheDir: dir, Sessions: 1 + i})
				if got := ortdetect.GraphUse(unwrap(t, d)); got != use {
					t.Fatalf("load %d: graph %s; want %s", i, got, use)
				}
				dets, err := d.Detect(context.Background(), img)
				if err != nil {
					t.Fatal(err)
				}
				if len(dets) == 0 {
					t.Fatal("no detections")
				}
				if i == 0 {
					want = dets
				} else if !slices.Equal(dets, want) {
					t.Fatalf("load %d: detections differ from the uncached graph's:\n%v\n%v", i, dets, want)
				}
			}
			files := graphFiles(t, dir)
			if len(files) != 1 || !strings.HasSuffix(files[0], ".ort.onnx") {
				t.Fatalf("cache holds %v; want one graph", files)
			}
		})
	}
}

// TestGraphCacheCorrupt replaces the cached graph with garbage: the next
// load rebuilds it instead of failing.
func TestGraphCacheCorrupt(t *testing.T) {
	dir := t.TempDir()
	load(t, "yolox-nano-coco", &deploy.Options{CacheDir: dir})
	files := graphFiles(t, dir)
	if len(files) != 1 {
		t.Fatalf("cache holds %v", files)
	}
	for _, garbage := range [][]byte{nil, []byte("<html>not a model</html>")} {
		if err := os.WriteFile(files[0], garbage, 0o644); err != nil {
			t.Fatal(err)
		}
		d := load(t, "yolox-nano-coco", &deploy.Options{CacheDir: dir})
		if got := ortdetect.GraphUse(unwrap(t, d)); got != "saved" {
			t.Fatalf("graph %s after corruption; want saved", got)
		}
		if fi, err := os.Stat(files[0]); err != nil || fi.Size() < 1000 {
			t.Fatalf("rebuilt graph: %v, %v", fi, err)
		}
	}
}

// TestGraphCacheUnusable checks that a cache directory that cannot be
// written, NoCache and a GPU provider list all load without a cache.
func TestGraphCacheUnusable(t *testing.T) {
	blocker := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	gpuDir := t.TempDir()
	for name, opts := range map[string]*deploy.Options{
		"dir is a file": {CacheDir: blocker},
		"no cache":      {NoCache: true},
		"cuda asked":    {CacheDir: gpuDir, Providers: []string{"cuda"}},
	} {
		t.Run(name, func(t *testing.T) {
			d := load(t, "yolox-nano-coco", opts)
			if got := ortdetect.GraphUse(unwrap(t, d)); got != "uncached" {
				t.Errorf("graph %s; want uncached", got)
			}
		})
	}
	if files := graphFiles(t, gpuDir); len(files) != 0 {
		t.Errorf("a GPU load cached %v", files)
	}
}
