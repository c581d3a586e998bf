package registry

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

func TestManifestNameSubdirAndReadOnlyDir(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"k": bytesOf(20, 1)})
	d := t.TempDir()
	body := `{"models": [` + entry("sub", "3", "s.bin", store, "k", "") + `], "name": "team/vision"}`
	if err := os.WriteFile(filepath.Join(d, ManifestFile), []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cache := t.TempDir()
	r := newTestRegistry(t, &Options{CacheDir: cache}, d)
	if p, err := r.Download(t.Context(), "sub", nil); err != nil || p != filepath.Join(d, "team", "vision", "s-v3.bin") {
		t.Fatalf("Download = %q, %v", p, err)
	}
	if _, err := r.Flush(t.Context(), "sub", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(d, "team")); !os.IsNotExist(err) {
		t.Error("empty subdirectories left after flush")
	}
	// A manifest directory that cannot be written to downloads into the cache.
	r2 := newTestRegistry(t, &Options{CacheDir: cache}, d)
	r2.writable[d] = false
	p, err := r2.Download(t.Context(), "sub", nil)
	if err != nil || filepath.Dir(filepath.Dir(filepath.Dir(filepath.Dir(p)))) != cache {
		t.Errorf("read-only dir: Download = %q, %v; want a path under %s", p, err, cache)
	}
}

var capturedEnv atomic.Pointer[ManagerEnv]

func init() {
	RegisterManager("regtest-env", func(ctx context.Context, env *ManagerEnv) (Manager, string, error) {
		capturedEnv.Store(env)
		return nil, "", errors.New("env captured")
	})
}

func TestManagerEnv(t *testing.T) {
	d := t.TempDir()
	writeManifest(t, d, `{"base_name": "e", "base_filename": "e.bin", "manager": {"type": "regtest-env", "config": {"a": 1}}}`)
	yes := true
	r := newTestRegistry(t, &Options{AllowDownloads: &yes}, d)
	if _, err := r.Download(t.Context(), "e", nil); err == nil {
		t.Fatal("Download succeeded")
	}
	got := capturedEnv.Load()
	if got == nil || got.Type != "regtest-env" || got.Dir != d || string(got.Config) != `{"a": 1}` || got.Logger == nil || got.FS == nil {
		t.Errorf("env = %+v", got)
	}
}

func TestLockFileSerialises(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".x.lock")
	unlock, err := lockFile(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	if _, err := lockFile(ctx, p); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("second lock = %v; want to wait until the deadline", err)
	}
	unlock()
	unlock2, err := lockFile(t.Context(), p)
	if err != nil {
		t.Fatal(err)
	}
	unlock2()
}
