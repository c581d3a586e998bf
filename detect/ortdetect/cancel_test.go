package ortdetect_test

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/registry"
)

// ended returns contexts that are already over, one per way a context
// ends, each with the error a load given it must return.
func ended(t *testing.T) map[string]context.Context {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	t.Cleanup(cancel2)
	return map[string]context.Context{"cancelled": cancelled, "deadline exceeded": expired}
}

// logRecords is a slog.Handler that keeps the messages it is given.
type logRecords struct {
	mu   sync.Mutex
	msgs []string
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, r.Message)
	return nil
}
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

func (l *logRecords) contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, m := range l.msgs {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// bundledModel returns the library, the model bytes and the pipeline of a
// bundled model, for calling ortdetect.New directly.
func bundledModel(t *testing.T, name string) (*loader.Library, []byte, *detect.Pipeline) {
	t.Helper()
	lib := orttest.Library(t)
	ctx := context.Background()
	reg := catalogRegistry(t)
	m, err := reg.Get(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := ortdetect.ParseConfig(m.DefaultDeployment.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Download(ctx, name, nil); err != nil {
		t.Fatal(err)
	}
	files, err := reg.LocalFiles(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	var path string
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".onnx") {
			path = f.Path
		}
	}
	model, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pipe, err := detect.LoadPipeline(cfg.Config, os.DirFS(filepath.Dir(path)))
	if err != nil {
		t.Fatal(err)
	}
	return lib, model, pipe
}

// fileState is what a file holds and when it was last written.
type fileState struct {
	sum   [sha256.Size]byte
	mtime time.Time
}

// snapshot records every file under dirs.
func snapshot(t *testing.T, dirs ...string) map[string]fileState {
	t.Helper()
	files := map[string]fileState{}
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			files[p] = fileState{sha256.Sum256(data), fi.ModTime()}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// sameFiles fails t when the files under dirs differ from before.
func sameFiles(t *testing.T, before map[string]fileState, dirs ...string) {
	t.Helper()
	after := snapshot(t, dirs...)
	for p, b := range before {
		if a, ok := after[p]; !ok {
			t.Errorf("%s was removed", p)
		} else if a != b {
			t.Errorf("%s was changed", p)
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("%s was created", p)
		}
	}
}

// TestCancelledLoadKeepsGraphCache loads a model whose optimised graph is
// cached with a context that has ended: New must return the context's
// error and leave the cached graph as it was, without calling it broken,
// and the next load must use it.
func TestCancelledLoadKeepsGraphCache(t *testing.T) {
	lib, model, pipe := bundledModel(t, "yolox-nano-coco")
	logs := &logRecords{}
	opts := &ortdetect.Options{CacheDir: t.TempDir(), Logger: slog.New(logs), Sessions: 2}
	d, err := ortdetect.New(context.Background(), lib, model, pipe, opts)
	if err != nil {
		t.Fatal(err)
	}
	if got := ortdetect.GraphUse(d); got != "saved" {
		t.Fatalf("first load: graph %s; want saved", got)
	}
	d.Close()
	before := snapshot(t, opts.CacheDir)
	if len(before) != 1 {
		t.Fatalf("cache holds %v; want one graph", before)
	}
	for name, ctx := range ended(t) {
		t.Run(name, func(t *testing.T) {
			d, err := ortdetect.New(ctx, lib, model, pipe, opts)
			if !errors.Is(err, ctx.Err()) || d != nil {
				t.Fatalf("New = %v, %v; want nil, %v", d, err, ctx.Err())
			}
			sameFiles(t, before, opts.CacheDir)
			if logs.contains("rebuilding") {
				t.Errorf("a load stopped by its context called the cached graph broken: %q", logs.msgs)
			}
		})
	}
	d, err = ortdetect.New(context.Background(), lib, model, pipe, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if got := ortdetect.GraphUse(d); got != "cached" {
		t.Errorf("load after the cancelled ones: graph %s; want cached", got)
	}
}

// TestCancelledLoadKeepsFiles loads a model through deploy with a context
// that has ended, after a load that left the model, its verification
// stamps and its optimised graph in their caches: the load must return
// the context's error and no file may be created, changed or removed.
func TestCancelledLoadKeepsFiles(t *testing.T) {
	requireORT(t)
	modelsDir, derivedDir := t.TempDir(), t.TempDir()
	reg, err := registry.New(&registry.Options{Dirs: []string{}, Catalogs: []registry.Catalog{catalog.Catalog()},
		CacheDir: modelsDir})
	if err != nil {
		t.Fatal(err)
	}
	opts := &deploy.Options{CacheDir: derivedDir}
	for _, name := range []string{"yolox-nano-coco", "picodet-s-320-coco"} {
		m, err := deploy.LoadDetector(context.Background(), reg, name, opts)
		if err != nil {
			t.Fatal(err)
		}
		m.Close()
	}
	before := snapshot(t, modelsDir, derivedDir)
	for name, ctx := range ended(t) {
		t.Run(name, func(t *testing.T) {
			for _, model := range []string{"yolox-nano-coco", "picodet-s-320-coco"} {
				m, err := deploy.LoadDetector(ctx, reg, model, opts)
				if !errors.Is(err, ctx.Err()) || m != nil {
					t.Errorf("%s: LoadDetector = %v, %v; want nil, %v", model, m, err, ctx.Err())
				}
			}
			sameFiles(t, before, modelsDir, derivedDir)
		})
	}
}
