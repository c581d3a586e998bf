package registry_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// rangeServer serves objects with ranges (http.ServeContent) and counts
// the body bytes it sends; throttle slows it down.
type rangeServer struct {
	objs     map[string][]byte
	srv      *httptest.Server
	served   atomic.Int64
	throttle atomic.Int64 // nanoseconds of sleep per 16 KiB

	mu     sync.Mutex
	cutoff int64              // with cancel: cancel once this many bytes are served
	cancel context.CancelFunc // see cancelAfter
}

// cancelAfter returns a context that the server cancels once it has sent n
// more body bytes.
func (s *rangeServer) cancelAfter(t *testing.T, n int64) context.Context {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	s.mu.Lock()
	s.cutoff, s.cancel = s.served.Load()+n, cancel
	s.mu.Unlock()
	return ctx
}

// sent counts n body bytes and applies cancelAfter.
func (s *rangeServer) sent(n int) {
	total := s.served.Add(int64(n))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cancel != nil && total >= s.cutoff {
		s.cancel()
		s.cancel = nil
	}
}

func newRangeServer(t *testing.T, objs map[string][]byte) *rangeServer {
	s := &rangeServer{objs: objs}
	s.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := s.objs[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("ETag", fmt.Sprintf(`"%d"`, len(data)))
		http.ServeContent(&countingWriter{ResponseWriter: w, s: s}, r, "", time.Unix(1e9, 0), bytes.NewReader(data))
	}))
	t.Cleanup(s.srv.Close)
	return s
}

type countingWriter struct {
	http.ResponseWriter
	s *rangeServer
}

func (c *countingWriter) Write(b []byte) (int, error) {
	var n int
	for len(b) > 0 {
		m, err := c.ResponseWriter.Write(b[:min(len(b), 16<<10)])
		c.s.sent(m)
		n += m
		if err != nil {
			return n, err
		}
		b = b[m:]
		if d := c.s.throttle.Load(); d > 0 {
			time.Sleep(time.Duration(d))
		}
	}
	return n, nil
}

func hexSHA(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// engineRegistry writes a manifest of the given entries and returns a
// Registry over it whose HTTP client reaches s.
func engineRegistry(t *testing.T, s *rangeServer, entries ...string) (*registry.Registry, string) {
	t.Helper()
	dir := t.TempDir()
	manifest := `{"models": [` + strings.Join(entries, ",") + `], "name": null, "url": null}`
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	yes := true
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), AllowDownloads: &yes, HTTPClient: s.srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return reg, dir
}

// httpEntry is a manifest entry served over HTTP by s at p.
func httpEntry(s *rangeServer, name, p, extra string) string {
	return fmt.Sprintf(`{"base_name": %q, "base_filename": "%s.bin", "version": null,
		"manager": {"type": "http", "config": {"url": "%s%s"}}%s}`, name, name, s.srv.URL, p, extra)
}

var smallParts = &registry.TransferOptions{PartSize: 64 << 10, Connections: 3}

func TestEngineDownloadParallel(t *testing.T) {
	data := bytes.Repeat([]byte("\x08model bytes "), 100_000) // 1.2 MB: 19 parts
	s := newRangeServer(t, map[string][]byte{"/m.bin": data})
	s.throttle.Store(int64(10 * time.Millisecond))
	reg, dir := engineRegistry(t, s, httpEntry(s, "m", "/m.bin", fmt.Sprintf(`, "sha256": %q`, hexSHA(data))))
	var mu sync.Mutex
	var kinds []string
	var last registry.Event
	rated := false
	p, err := reg.Download(t.Context(), "m", &registry.DownloadOptions{Transfer: smallParts, Progress: func(e registry.Event) {
		mu.Lock()
		defer mu.Unlock()
		if len(kinds) == 0 || kinds[len(kinds)-1] != e.Kind.String() {
			kinds = append(kinds, e.Kind.String())
		}
		if e.Kind == registry.EventProgress {
			last, rated = e, rated || e.Rate > 0
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, data) {
		t.Fatal("downloaded bytes differ")
	}
	if k := strings.Join(kinds, " "); k != "start progress verify done" {
		t.Errorf("events: %s", k)
	}
	if last.Done != int64(len(data)) || last.Total != int64(len(data)) || last.ModelDone != int64(len(data)) || last.ModelTotal != int64(len(data)) || !rated {
		t.Errorf("last progress event %+v (a rate seen: %v)", last, rated)
	}
	if s.served.Load() != int64(len(data)) {
		t.Errorf("served %d bytes; want %d", s.served.Load(), len(data))
	}
	assertNoTemps(t, dir)
}

// assertNoTemps checks that no temp file or partial download is left in dir.
func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if atomicfile.IsTemp(e.Name()) {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestEngineDownloadResumes(t *testing.T) {
	data := bytes.Repeat([]byte("\x08resumable "), 200_000) // 2.2 MB
	for _, tt := range []struct {
		name  string
		extra string
	}{
		{"sha256", fmt.Sprintf(`, "sha256": %q`, hexSHA(data))},
		{"etag", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := newRangeServer(t, map[string][]byte{"/m.bin": data})
			s.throttle.Store(int64(10 * time.Millisecond))
			reg, dir := engineRegistry(t, s, httpEntry(s, "m", "/m.bin", tt.extra))
			ctx := s.cancelAfter(t, int64(len(data))/2)
			_, err := reg.Download(ctx, "m", &registry.DownloadOptions{Transfer: smallParts})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled Download = %v", err)
			}
			if ok, _ := reg.IsDownloaded(t.Context(), "m", nil); ok {
				t.Fatal("a cancelled download counts as downloaded")
			}
			first := s.served.Load()
			s.throttle.Store(0)
			var resumed int64
			p, err := reg.Download(t.Context(), "m", &registry.DownloadOptions{Transfer: smallParts, Progress: func(e registry.Event) {
				if e.Kind == registry.EventStart {
					resumed = e.Resumed
				}
			}})
			if err != nil {
				t.Fatal(err)
			}
			got, _ := os.ReadFile(p)
			if !bytes.Equal(got, data) {
				t.Fatal("downloaded bytes differ")
			}
			second := s.served.Load() - first
			if resumed == 0 || first+second > int64(len(data))+(512<<10) {
				t.Errorf("served %d then %d bytes of %d (resumed %d); want only the missing bytes", first, second, len(data), resumed)
			}
			assertNoTemps(t, dir)
		})
	}
}

func TestEngineDownloadErrors(t *testing.T) {
	data := bytes.Repeat([]byte("\x08x"), 50_000)
	html := []byte("<!DOCTYPE html><html><title>Quota exceeded</title></html>")
	s := newRangeServer(t, map[string][]byte{"/m.bin": data, "/quota.bin": html})
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "good.bin"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	mirror := fmt.Sprintf(`, "sha256": %q, "mirrors": [{"type": "http", "config": {"url": "%s/missing.bin"}}, {"type": "file", "config": {"path": %q}}]`,
		hexSHA(data), s.srv.URL, filepath.Join(dir, "good.bin"))
	reg, mdir := engineRegistry(t, s,
		httpEntry(s, "quota", "/quota.bin", ""),
		httpEntry(s, "wrong", "/m.bin", fmt.Sprintf(`, "sha256": %q`, strings.Repeat("0", 64))),
		httpEntry(s, "short", "/m.bin", `, "size_bytes": 10`),
		httpEntry(s, "mirrored", "/missing.bin", mirror))
	tests := []struct {
		name    string
		wantErr error
	}{
		{"quota", registry.ErrCorrupt},
		{"wrong", registry.ErrCorrupt},
		{"short", registry.ErrCorrupt},
		{"mirrored", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := reg.Download(t.Context(), tt.name, &registry.DownloadOptions{Transfer: smallParts})
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Download = %v; want %v", err, tt.wantErr)
			}
			if ok, _ := reg.IsDownloaded(t.Context(), tt.name, &registry.DownloadedOptions{Rehash: true}); ok != (tt.wantErr == nil) {
				t.Errorf("IsDownloaded = %v", ok)
			}
		})
	}
	assertNoTemps(t, mdir)
}

func TestEngineTwoRegistriesSameModel(t *testing.T) {
	data := bytes.Repeat([]byte("\x08shared "), 150_000) // 1.05 MB
	s := newRangeServer(t, map[string][]byte{"/m.bin": data})
	s.throttle.Store(int64(time.Millisecond))
	_, dir := engineRegistry(t, s, httpEntry(s, "m", "/m.bin", fmt.Sprintf(`, "sha256": %q`, hexSHA(data))))
	yes := true
	cache := t.TempDir()
	var wg sync.WaitGroup
	paths, errs := make([]string, 2), make([]error, 2)
	for i := range 2 { // two Registry values: no shared in-process state, like two processes
		reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: cache, AllowDownloads: &yes, HTTPClient: s.srv.Client()})
		if err != nil {
			t.Fatal(err)
		}
		wg.Go(func() {
			paths[i], errs[i] = reg.Download(t.Context(), "m", &registry.DownloadOptions{Transfer: smallParts})
		})
	}
	wg.Wait()
	for i := range 2 {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		if got, _ := os.ReadFile(paths[i]); !bytes.Equal(got, data) {
			t.Fatalf("downloader %d: bytes differ", i)
		}
	}
	if s.served.Load() > 2*int64(len(data)) {
		t.Errorf("served %d bytes for a %d-byte model", s.served.Load(), len(data))
	}
	assertNoTemps(t, dir)
}
