package ortdetect_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/internal/atomicfile"
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

// TestGraphCacheHousekeeping checks that saving a graph removes graphs
// unused for 30 days and the temporary files of dead processes, and keeps
// everything else; and that loading a cached graph refreshes its time.
func TestGraphCacheHousekeeping(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "onnxruntime-detector") // deploy's directory for the type
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("cannot run true:", err)
	}
	deadTag := strings.Replace(atomicfile.OwnerTag(), fmt.Sprintf("p%d.", os.Getpid()), fmt.Sprintf("p%d.", dead.Process.Pid), 1)
	old, recent := time.Now().Add(-40*24*time.Hour), time.Now().Add(-10*24*time.Hour)
	files := map[string]struct {
		mtime time.Time
		kept  bool
	}{
		"0000000000000000-0000000000000000.ort.onnx": {old, false},
		"1111111111111111-1111111111111111.ort.onnx": {recent, true},
		"notes.txt": {old, true},
		".2222222222222222-2222222222222222.ort.onnx.tmp-" + deadTag + "x":               {recent, false},
		".3333333333333333-3333333333333333.ort.onnx.tmp-" + atomicfile.OwnerTag() + "x": {old, true}, // this process: maybe saving
	}
	for name, f := range files {
		p := filepath.Join(sub, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, f.mtime, f.mtime); err != nil {
			t.Fatal(err)
		}
	}
	load(t, "yolox-nano-coco", &deploy.Options{CacheDir: dir}) // saves, then trims
	for name, f := range files {
		if _, err := os.Stat(filepath.Join(sub, name)); (err == nil) != f.kept {
			t.Errorf("%s: kept = %v; want %v", name, err == nil, f.kept)
		}
	}
	var graph string
	for _, p := range graphFiles(t, sub) {
		if fi, err := os.Stat(p); err == nil && time.Since(fi.ModTime()) < time.Minute && strings.HasSuffix(p, ".ort.onnx") {
			graph = p
		}
	}
	if graph == "" {
		t.Fatal("no graph saved")
	}
	if err := os.Chtimes(graph, recent, recent); err != nil {
		t.Fatal(err)
	}
	d := load(t, "yolox-nano-coco", &deploy.Options{CacheDir: dir})
	if got := ortdetect.GraphUse(unwrap(t, d)); got != "cached" {
		t.Fatalf("graph %s; want cached", got)
	}
	if fi, err := os.Stat(graph); err != nil || time.Since(fi.ModTime()) > time.Minute {
		t.Errorf("a cached graph in use was not marked as used: %v, %v", fi.ModTime(), err)
	}
}
