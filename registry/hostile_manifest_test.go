package registry_test

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
)

// hostileTree is a models directory inside a parent directory that must not
// change: root/models holds the manifest.
type hostileTree struct {
	root, models string
	before       map[string]int64
	allowed      []string // further directories that may change
}

func newHostileTree(t *testing.T) *hostileTree {
	t.Helper()
	root := t.TempDir()
	h := &hostileTree{root: root, models: filepath.Join(root, "models")}
	if err := os.MkdirAll(h.models, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(root, "sibling.txt"), []byte("keep"), 0o644)
	h.before = hostileSnapshot(t, root)
	return h
}

// checkOutside fails the test if anything outside the models directory was
// created, removed or resized.
func (h *hostileTree) checkOutside(t *testing.T) {
	t.Helper()
	after := hostileSnapshot(t, h.root)
	inside := func(p string) bool {
		for _, d := range append([]string{h.models}, h.allowed...) {
			if p == d || strings.HasPrefix(p, d+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
	for p, n := range after {
		if old, ok := h.before[p]; !inside(p) && (!ok || (old != n && p != h.root)) {
			t.Errorf("written outside the models directory: %s", p)
		}
	}
	for p := range h.before {
		if _, ok := after[p]; !ok && !inside(p) {
			t.Errorf("removed outside the models directory: %s", p)
		}
	}
}

// modelServer serves the same bytes at every path.
func modelServer(t *testing.T, data []byte) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
	}))
	t.Cleanup(srv.Close)
	return srv
}

// TestHostileManifestEntries loads manifests whose names try to escape the
// models directory: each entry is refused with an error wrapping
// ErrInvalidEntry (or, when the whole manifest is skipped, ErrNotFound),
// and nothing is written outside the models directory.
func TestHostileManifestEntries(t *testing.T) {
	data := hostileModel(3000)
	srv := modelServer(t, data)
	sum := fmt.Sprintf(`"sha256": %q`, hostileSHA(data))
	entryWith := func(name, file, version, extra string) string {
		return fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": %s, "manager": {"type": "http", "config": {"url": %q}}%s}`,
			name, file, version, srv.URL+"/x.onnx", extra)
	}
	tests := []struct {
		name     string
		manifest string
		model    string // the name to download
	}{
		{"dotdot base_filename", manifestOf(``, entryWith("m", "../evil.onnx", "null", ", "+sum)), "m"},
		{"deep dotdot base_filename", manifestOf(``, entryWith("m", "a/../../evil.onnx", "null", ", "+sum)), "m"},
		{"absolute base_filename", manifestOf(``, entryWith("m", "/tmp/modelreg-evil.onnx", "null", ", "+sum)), "m"},
		{"backslash base_filename", manifestOf(``, entryWith("m", `..\evil.onnx`, "null", ", "+sum)), "m"},
		{"NUL in base_filename", manifestOf(``, entryWith("m", "evil\x00.onnx", "null", ", "+sum)), "m"},
		{"dotdot version", manifestOf(``, entryWith("m", "m.onnx", `"/../../evil"`, ", "+sum)), "m"},
		{"dotdot manifest name", manifestOf(`"../escape"`, entryWith("m", "m.onnx", "null", ", "+sum)), "m"},
		{"absolute manifest name", manifestOf(`"/tmp/modelreg-abs"`, entryWith("m", "m.onnx", "null", ", "+sum)), "m"},
		{"dotdot base_name", manifestOf(``, entryWith("../m", "m.onnx", "null", ", "+sum)), "../m"},
		{"dotdot in files", manifestOf(``, entryWith("m", "bundle", "null",
			`, "files": [{"path": "ok.bin"}, {"path": "../../evil.bin"}]`)), "m"},
		{"absolute in files", manifestOf(``, entryWith("m", "bundle", "null", `, "files": [{"path": "/etc/evil.bin"}]`)), "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileTree(t)
			os.WriteFile(filepath.Join(h.models, registry.ManifestFile), []byte(tt.manifest), 0o644)
			r := newHostileRegistry(t, nil, h.models)
			_, err := r.Download(t.Context(), tt.model, nil)
			if !errors.Is(err, registry.ErrInvalidEntry) && !errors.Is(err, registry.ErrNotFound) {
				t.Errorf("Download = %v; want an error wrapping ErrInvalidEntry or ErrNotFound", err)
			}
			if _, warns, err := r.List(t.Context(), nil); err != nil || len(warns) == 0 {
				t.Errorf("List = %d warnings, %v; want a warning about the entry", len(warns), err)
			}
			h.checkOutside(t)
			if left := hostileLeftovers(t, h.models); len(left) > 0 {
				t.Errorf("left in the models directory: %v", left)
			}
		})
	}
}

func manifestOf(name string, entries ...string) string {
	if name == "" {
		name = "null"
	}
	return `{"models": [` + strings.Join(entries, ",") + `], "name": ` + name + `, "url": null}`
}

// TestDuplicateNames: within one manifest the first entry wins and the
// second is reported; across directories the first directory wins.
func TestDuplicateNames(t *testing.T) {
	a, b := hostileModel(1000), hostileModel(2000)
	srvA, srvB := modelServer(t, a), modelServer(t, b)
	h := newHostileTree(t)
	other := filepath.Join(h.root, "models2")
	ea := hostileEntry("m", "m.onnx", srvA.URL+"/m.onnx", fmt.Sprintf(`"sha256": %q`, hostileSHA(a)))
	eb := hostileEntry("m", "m.onnx", srvB.URL+"/m.onnx", fmt.Sprintf(`"sha256": %q`, hostileSHA(b)))
	writeHostileManifest(t, h.models, ea, eb)
	writeHostileManifest(t, other, eb)
	allow := true
	r, err := registry.New(&registry.Options{Dirs: []string{h.models, other}, CacheDir: t.TempDir(), AllowDownloads: &allow})
	if err != nil {
		t.Fatal(err)
	}
	_, warns, err := r.List(t.Context(), nil)
	if err != nil || len(warns) != 2 {
		t.Errorf("List: %v warnings, %v; want 2 duplicate warnings", warns, err)
	}
	p, err := r.Download(t.Context(), "m", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, a) || filepath.Dir(p) != h.models {
		t.Errorf("Download installed %d bytes at %s; want the first entry's %d bytes in %s", len(got), p, len(a), h.models)
	}
	if _, err := os.Stat(filepath.Join(other, "m.onnx")); !os.IsNotExist(err) {
		t.Errorf("the shadowed entry was downloaded too: %v", err)
	}
}

// TestHostileManifestFiles feeds malformed manifest files to the registry:
// each is skipped with a warning (never a panic), and the other directories
// on the search path keep working.
func TestHostileManifestFiles(t *testing.T) {
	good := hostileModel(500)
	srv := modelServer(t, good)
	big := func() string {
		var b strings.Builder
		b.WriteString(`{"models": [`)
		for i := 0; b.Len() < 10<<20; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			fmt.Fprintf(&b, `{"base_name": "big%d", "base_filename": "big%d.onnx", "version": null, "description": %q, "manager": {"type": "http", "config": {"url": "http://127.0.0.1:1/x"}}}`,
				i, i, strings.Repeat("x", 200))
		}
		b.WriteString(`], "name": null, "url": null}`)
		return b.String()
	}
	tests := []struct {
		name    string
		content string
		usable  bool // the manifest itself loads
	}{
		{"json array", `[{"base_name": "m"}]`, false},
		{"null", `null`, false},
		{"empty", ``, false},
		{"deeply nested", `{"models": ` + strings.Repeat("[", 100000) + strings.Repeat("]", 100000) + `}`, false},
		{"deeply nested unclosed", strings.Repeat("[", 100000), false},
		{"deeply nested entry", `{"models": [{"base_name": "m", "tags": ` + strings.Repeat("[", 100000) + `}]}`, false},
		{"invalid utf-8 name", "{\"models\": [{\"base_name\": \"m\xff\xfe\", \"base_filename\": \"m.onnx\"}]}", true},
		{"invalid utf-8 everywhere", "{\"models\": [], \"url\": \"\xc3\x28\", \"\xff\": \"\xfe\"}", true},
		{"10 MB manifest", big(), true},
		{"models not a list", `{"models": {"base_name": "m"}}`, false},
		{"entries of the wrong type", `{"models": [1, "two", null, [], {"base_name": 5}]}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHostileTree(t)
			os.WriteFile(filepath.Join(h.models, registry.ManifestFile), []byte(tt.content), 0o644)
			second := filepath.Join(h.root, "models2")
			h.allowed = append(h.allowed, second)
			writeHostileManifest(t, second, hostileEntry("ok", "ok.onnx", srv.URL+"/ok.onnx", ""))
			allow := true
			r, err := registry.New(&registry.Options{Dirs: []string{h.models, second}, CacheDir: t.TempDir(), AllowDownloads: &allow})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			ms, warns, err := r.List(t.Context(), nil)
			t.Logf("List: %d models, %d warnings in %v", len(ms), len(warns), time.Since(start).Round(time.Millisecond))
			if err != nil {
				t.Fatalf("List = %v; want warnings, not an error", err)
			}
			if !tt.usable && len(warns) == 0 {
				t.Error("a malformed manifest loaded without a warning")
			}
			for _, w := range warns {
				if len(w.String()) > 4096 {
					t.Errorf("warning of %d bytes; want a short message", len(w.String()))
				}
			}
			if _, err := r.Download(t.Context(), "ok", nil); err != nil {
				t.Errorf("a healthy directory stopped working: %v", err)
			}
			h.checkOutside(t)
		})
	}
}

// archive entry kinds for the hostile archives.
type hzEntry struct {
	name string
	body []byte
	kind byte // tar type flag; 0 = regular file
	link string
}

func hzTar(t *testing.T, gz bool, entries ...hzEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	var w = &buf
	var zw *gzip.Writer
	tw := tar.NewWriter(w)
	if gz {
		zw = gzip.NewWriter(w)
		tw = tar.NewWriter(zw)
	}
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, Linkname: e.link}
		if e.kind != 0 {
			h.Typeflag, h.Size = e.kind, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		tw.Write(e.body)
	}
	tw.Close()
	if zw != nil {
		zw.Close()
	}
	return buf.Bytes()
}

func hzZip(t *testing.T, entries ...hzEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.kind == tar.TypeSymlink {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write(append(e.body, e.link...))
	}
	zw.Close()
	return buf.Bytes()
}

// TestHostileArchives downloads archives with extract_archive through the
// http manager: links, escaping names and bombs give ErrCorrupt, nothing is
// installed and nothing is written outside the models directory.
func TestHostileArchives(t *testing.T) {
	x := []byte("x")
	zeros := make([]byte, 8<<20) // compresses to a few KiB
	small := make([]byte, 300<<10)
	tests := []struct {
		name, file string
		data       func(t *testing.T) []byte
	}{
		{"tar dotdot", "h.tar", func(t *testing.T) []byte { return hzTar(t, false, hzEntry{name: "../evil", body: x}) }},
		{"tar dot-slash dotdot", "h.tar", func(t *testing.T) []byte { return hzTar(t, false, hzEntry{name: "./../evil", body: x}) }},
		{"tar absolute", "h.tar", func(t *testing.T) []byte { return hzTar(t, false, hzEntry{name: "/tmp/modelreg-evil", body: x}) }},
		{"tar symlink", "h.tar", func(t *testing.T) []byte {
			return hzTar(t, false, hzEntry{name: "l", kind: tar.TypeSymlink, link: "../../"})
		}},
		{"tar symlink then write through it", "h.tar", func(t *testing.T) []byte {
			return hzTar(t, false, hzEntry{name: "d", kind: tar.TypeSymlink, link: ".."}, hzEntry{name: "d/evil", body: x})
		}},
		{"tar hard link", "h.tar", func(t *testing.T) []byte {
			return hzTar(t, false, hzEntry{name: "ok", body: x}, hzEntry{name: "l", kind: tar.TypeLink, link: "/etc/passwd"})
		}},
		{"tar fifo", "h.tar", func(t *testing.T) []byte { return hzTar(t, false, hzEntry{name: "f", kind: tar.TypeFifo}) }},
		{"tar.gz dotdot", "h.tar.gz", func(t *testing.T) []byte { return hzTar(t, true, hzEntry{name: "a/../../evil", body: x}) }},
		{"tar.gz hard link", "h.tar.gz", func(t *testing.T) []byte {
			return hzTar(t, true, hzEntry{name: "l", kind: tar.TypeLink, link: "../sibling.txt"})
		}},
		{"tar.gz bomb", "h.tar.gz", func(t *testing.T) []byte { return hzTar(t, true, hzEntry{name: "big", body: zeros}) }},
		{"tar.gz many files over the limit", "h.tgz", func(t *testing.T) []byte {
			var es []hzEntry
			for i := range 8 {
				es = append(es, hzEntry{name: fmt.Sprintf("f%d", i), body: small})
			}
			return hzTar(t, true, es...)
		}},
		{"tar.gz truncated", "h.tar.gz", func(t *testing.T) []byte {
			b := hzTar(t, true, hzEntry{name: "a", body: hostileModel(50000)})
			return b[:len(b)/2]
		}},
		{"zip dotdot", "h.zip", func(t *testing.T) []byte { return hzZip(t, hzEntry{name: "../../evil", body: x}) }},
		{"zip absolute", "h.zip", func(t *testing.T) []byte { return hzZip(t, hzEntry{name: "/tmp/modelreg-evil", body: x}) }},
		{"zip backslash dotdot", "h.zip", func(t *testing.T) []byte { return hzZip(t, hzEntry{name: `..\evil`, body: x}) }},
		{"zip symlink", "h.zip", func(t *testing.T) []byte {
			return hzZip(t, hzEntry{name: "l", kind: tar.TypeSymlink, link: "/etc/passwd"})
		}},
		{"zip bomb", "h.zip", func(t *testing.T) []byte { return hzZip(t, hzEntry{name: "big", body: zeros}) }},
		{"zip truncated", "h.zip", func(t *testing.T) []byte {
			b := hzZip(t, hzEntry{name: "a", body: hostileModel(50000)})
			return b[:len(b)-30]
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			srv := modelServer(t, data)
			h := newHostileTree(t)
			e := fmt.Sprintf(`{"base_name": "h", "base_filename": %q, "version": null, "sha256": %q,
				"manager": {"type": "http", "config": {"url": %q, "extract_archive": true}}}`, tt.file, hostileSHA(data), srv.URL+"/"+tt.file)
			writeHostileManifest(t, h.models, e)
			r := newHostileRegistry(t, &registry.Options{MaxExtractSize: 1 << 20}, h.models)
			ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
			defer cancel()
			_, err := r.Download(ctx, "h", nil)
			if !errors.Is(err, registry.ErrCorrupt) {
				t.Errorf("Download = %v; want an error wrapping ErrCorrupt", err)
			}
			assertNothingInstalled(t, r, h.models, "h", false)
			h.checkOutside(t)
			if _, err := os.Lstat("/tmp/modelreg-evil"); err == nil {
				t.Error("an entry was written to /tmp/modelreg-evil")
			}
		})
	}
}
