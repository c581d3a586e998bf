package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

func TestDownloadVerifies(t *testing.T) {
	good := bytesOf(1000, 3)
	html := []byte("<!DOCTYPE html><html><body>Too many users have viewed or downloaded this file recently.</body></html>")
	tests := []struct {
		name    string
		data    []byte
		short   int
		extra   string
		file    string
		wantErr error
		digest  bool // the error is a *DigestError
	}{
		{name: "ok with hash", data: good, extra: fmt.Sprintf(`"sha256": %q, "size_bytes": 1000`, sha(good))},
		{name: "ok without hash", data: good},
		{name: "truncated", data: good, short: 600, extra: `"size_bytes": 1000`, wantErr: ErrCorrupt, digest: true},
		{name: "too long", data: good, extra: `"size_bytes": 999`, wantErr: ErrCorrupt, digest: true},
		{name: "wrong hash", data: good, extra: fmt.Sprintf(`"sha256": %q`, sha([]byte("x"))), wantErr: ErrCorrupt, digest: true},
		{name: "html page", data: html, wantErr: ErrCorrupt},
		{name: "json page", data: []byte(`{"error": {"code": 403, "message": "quota exceeded"}}`), wantErr: ErrCorrupt},
		{name: "json model file", data: []byte(`{"labels": ["a"]}`), file: "labels.json"},
		{name: "html page with known hash", data: html, extra: fmt.Sprintf(`"sha256": %q`, sha(html))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, s := newStore(t, map[string][]byte{"k": tt.data})
			s.short = tt.short
			d := t.TempDir()
			file := tt.file
			if file == "" {
				file = "m.onnx"
			}
			writeManifest(t, d, entry("m", "1", file, store, "k", tt.extra))
			r := newTestRegistry(t, nil, d)
			var events []EventKind
			p, err := r.Download(t.Context(), "m", &DownloadOptions{Progress: func(e Event) {
				if len(events) == 0 || events[len(events)-1] != e.Kind {
					events = append(events, e.Kind)
				}
			}})
			if tt.wantErr != nil {
				var de *DigestError
				if !errors.Is(err, tt.wantErr) || errors.As(err, &de) != tt.digest {
					t.Fatalf("Download error = %v; want %v (DigestError %v)", err, tt.wantErr, tt.digest)
				}
				assertNoFiles(t, d)
				if ok, _ := r.IsDownloaded(t.Context(), "m", nil); ok {
					t.Error("IsDownloaded after a failed download")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := fmt.Sprint(events); got != "[start progress verify done]" {
				t.Errorf("events = %s", got)
			}
			if ok, err := r.IsDownloaded(t.Context(), "m", &DownloadedOptions{Rehash: true}); !ok || err != nil {
				t.Errorf("IsDownloaded = %v, %v", ok, err)
			}
			if err := r.Verify(t.Context(), "m"); err != nil {
				t.Errorf("Verify = %v", err)
			}
			if filepath.Dir(p) != d {
				t.Errorf("path %s not in the manifest dir", p)
			}
		})
	}
}

// assertNoFiles checks that dir holds nothing but the manifest and lock
// files: no model, no temp file.
func assertNoFiles(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != ManifestFile && !strings.HasSuffix(e.Name(), ".lock") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestDownloadTruncatedFileOnDiskIsNotDownloaded(t *testing.T) {
	data := bytesOf(500, 4)
	store, s := newStore(t, map[string][]byte{"k": data})
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", `"size_bytes": 500`))
	if err := os.WriteFile(filepath.Join(d, "m.bin"), data[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, nil, d)
	if ok, _ := r.IsDownloaded(t.Context(), "m", nil); ok {
		t.Fatal("truncated file counts as downloaded")
	}
	if _, err := r.Download(t.Context(), "m", nil); err != nil {
		t.Fatal(err)
	}
	if s.calls.Load() != 1 {
		t.Errorf("transfers = %d; want 1", s.calls.Load())
	}
	if _, err := r.Download(t.Context(), "m", nil); err != nil || s.calls.Load() != 1 {
		t.Errorf("second Download: %v, transfers %d; want no new transfer", err, s.calls.Load())
	}
	if _, err := r.Download(t.Context(), "m", &DownloadOptions{Force: true}); err != nil || s.calls.Load() != 2 {
		t.Errorf("forced Download: %v, transfers %d; want 2", err, s.calls.Load())
	}
	if err := os.WriteFile(filepath.Join(d, "m.bin"), bytesOf(500, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Verify(t.Context(), "m"); err != nil {
		t.Errorf("Verify without sha256 = %v; want nil (size only)", err)
	}
}

func TestConcurrentDownloadsShareOneTransfer(t *testing.T) {
	data := bytesOf(4000, 5)
	store, s := newStore(t, map[string][]byte{"k": data})
	s.delay = 100 * time.Millisecond
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", fmt.Sprintf(`"sha256": %q`, sha(data))))
	r := newTestRegistry(t, nil, d)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = r.Download(t.Context(), "m", nil) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := s.calls.Load(); n != 1 {
		t.Errorf("transfers = %d; want 1", n)
	}
}

func TestDownloadRefused(t *testing.T) {
	store, s := newStore(t, map[string][]byte{"k": bytesOf(10, 6)})
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", ""))
	no := false
	tests := []struct {
		name string
		opts *Options
		want string
	}{
		{"disabled", &Options{AllowDownloads: &no}, EnvAllowDownloads + "=true"},
		{"offline", &Options{Offline: true}, "offline mode is on"},
	}
	for _, tt := range tests {
		r := newTestRegistry(t, tt.opts, d)
		_, err := r.Download(t.Context(), "m", nil)
		if !errors.Is(err, ErrDownloadsDisabled) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: Download = %v; want ErrDownloadsDisabled mentioning %q", tt.name, err, tt.want)
		}
	}
	if s.calls.Load() != 0 {
		t.Error("a refused download reached the manager")
	}
	// A model already present still works with downloads disabled.
	if err := os.WriteFile(filepath.Join(d, "m.bin"), bytesOf(10, 6), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, &Options{AllowDownloads: &no}, d)
	if _, err := r.Download(t.Context(), "m", nil); err != nil {
		t.Errorf("Download of a present model with downloads disabled = %v", err)
	}
}

func TestDownloadMirrors(t *testing.T) {
	data := bytesOf(700, 7)
	bad, sb := newStore(t, map[string][]byte{"k": data[:10]})
	good, sg := newStore(t, map[string][]byte{"k": data})
	_ = good
	d := t.TempDir()
	mirrors := fmt.Sprintf(`"sha256": %q, "mirrors": [{"type": %q, "config": {"store": %q, "key": "missing"}}, {"type": %q, "config": {"store": %q, "key": "k"}}]`,
		sha(data), testType, bad, testTypeRO, good)
	writeManifest(t, d, entry("m", "", "m.bin", bad, "k", mirrors))
	r := newTestRegistry(t, nil, d)
	if _, err := r.Download(t.Context(), "m", nil); err != nil {
		t.Fatal(err)
	}
	if sb.calls.Load() != 2 || sg.calls.Load() != 1 {
		t.Errorf("calls: bad store %d, good store %d; want 2, 1", sb.calls.Load(), sg.calls.Load())
	}
	// All sources failing lists each one.
	sg.fail = errors.New("mirror down")
	_, err := r.Download(t.Context(), "m", &DownloadOptions{Force: true})
	for _, want := range []string{"manager regtest", "mirror 1 (regtest)", "mirror 2 (regtest-ro): mirror down"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v lacks %q", err, want)
		}
	}
	if ok, _ := r.IsDownloaded(t.Context(), "m", &DownloadedOptions{Rehash: true}); !ok {
		t.Error("a failed forced download destroyed the good copy")
	}
}

func TestDownloadMultiFile(t *testing.T) {
	a, b := bytesOf(100, 8), bytesOf(200, 9)
	store, _ := newStore(t, map[string][]byte{"pre/a.bin": a, "pre/sub/b.bin": b})
	d := t.TempDir()
	files := fmt.Sprintf(`"files": [{"path": "a.bin", "size_bytes": 100, "sha256": %q}, {"path": "sub/b.bin", "size_bytes": 200}]`, sha(a))
	writeManifest(t, d, entry("multi", "2", "bundle", store, "pre", files))
	r := newTestRegistry(t, nil, d)
	p, err := r.Download(t.Context(), "multi", nil)
	if err != nil {
		t.Fatal(err)
	}
	if p != filepath.Join(d, "bundle-v2") {
		t.Errorf("path = %s", p)
	}
	lf, err := r.LocalFiles(t.Context(), "multi")
	if err != nil || len(lf) != 2 || lf[1].Path != filepath.Join(p, "sub", "b.bin") || lf[0].SHA256 != sha(a) || lf[1].Size != 200 {
		t.Errorf("LocalFiles = %+v, %v", lf, err)
	}
	if err := os.Truncate(lf[1].Path, 10); err != nil {
		t.Fatal(err)
	}
	if ok, _ := r.IsDownloaded(t.Context(), "multi", nil); ok {
		t.Error("model with a truncated file counts as downloaded")
	}
}

func TestDownloadCancelled(t *testing.T) {
	store, s := newStore(t, map[string][]byte{"k": bytesOf(10, 1)})
	s.delay = time.Minute
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", ""))
	r := newTestRegistry(t, nil, d)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if _, err := r.Download(ctx, "m", nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Download = %v; want DeadlineExceeded", err)
	}
	// Download returned once its transfer ended: nothing of it is left.
	ents, _ := os.ReadDir(d)
	for _, e := range ents {
		if atomicfile.IsTemp(e.Name()) {
			t.Errorf("temp file left: %s", e.Name())
		}
	}
}

func TestDownloadRemovesStaleTemps(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"k": bytesOf(10, 1)})
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", ""))
	old, fresh := filepath.Join(d, ".m.bin.tmp-crashed"), filepath.Join(d, ".m.bin.tmp-running")
	for _, p := range []string{old, fresh} {
		os.WriteFile(p, []byte("partial"), 0o644)
	}
	long := time.Now().Add(-48 * time.Hour)
	os.Chtimes(old, long, long)
	r := newTestRegistry(t, nil, d)
	if _, err := r.Download(t.Context(), "m", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("stale temp file kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a recent temp file (another download in flight) was removed")
	}
}
