package registry

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// bundleSource is a registry with three downloaded models: a single file
// (manifest without sha256), a multi-file model and an extracted archive.
type bundleSource struct {
	r     *Registry
	dir   string
	store *testStore
	toy   []byte
	a, b  []byte
}

func newBundleSource(t *testing.T) *bundleSource {
	t.Helper()
	s := &bundleSource{dir: t.TempDir(), toy: bytesOf(300, 1), a: bytesOf(100, 2), b: bytesOf(50, 3)}
	arch := makeTarGz(t, []arEntry{{name: "arch/weights.bin", body: "archived weights"}, {name: "arch/cfg/labels.txt", body: "cat\ndog\n"}})
	var name string
	name, s.store = newStore(t, map[string][]byte{"toy": s.toy, "pre/a.bin": s.a, "pre/sub/b.bin": s.b, "arch": arch})
	writeManifest(t, s.dir,
		entry("toy", "1.10", "toy.onnx", name, "toy", `"size_bytes": 300, "tags": ["demo"]`),
		entry("multi", "2", "bundle", name, "pre", `"files": [{"path": "a.bin"}, {"path": "sub/b.bin", "size_bytes": 50}]`),
		fmt.Sprintf(`{"base_name": "arch", "base_filename": "arch.tar.gz", "version": "2", "sha256": %q,
			"manager": {"type": %q, "config": {"store": %q, "key": "arch", "extract_archive": true, "delete_archive": true}}}`,
			sha(arch), testType, name))
	s.r = newTestRegistry(t, nil, s.dir)
	for _, n := range []string{"toy", "multi", "arch"} {
		if _, err := s.r.Download(t.Context(), n, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func (s *bundleSource) export(t *testing.T, opts *ExportOptions, names ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := s.r.Export(t.Context(), &buf, names, opts); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestBundleRoundTrip(t *testing.T) {
	for _, gz := range []bool{false, true} {
		t.Run(fmt.Sprintf("gzip=%v", gz), func(t *testing.T) {
			src := newBundleSource(t)
			var buf bytes.Buffer
			rep, err := src.r.Export(t.Context(), &buf, []string{"toy", "multi@2", "arch", "toy@1.10"}, &ExportOptions{Gzip: gz})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(rep.Models, []string{"toy@1.10", "multi@2", "arch@2"}) || rep.Files != 5 {
				t.Errorf("export report = %+v", rep)
			}
			dst := filepath.Join(t.TempDir(), "models")
			r := newTestRegistry(t, &Options{Offline: true}, dst)
			irep, err := r.Import(t.Context(), &buf, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(irep.Added) != 3 || irep.Files != 5 || irep.Bytes != rep.Bytes || irep.Dir != dst {
				t.Errorf("import report = %+v; export = %+v", irep, rep)
			}
			calls := src.store.calls.Load()
			for _, n := range []string{"toy", "multi", "arch"} {
				if err := r.Verify(t.Context(), n); err != nil {
					t.Errorf("Verify(%s) after import = %v", n, err)
				}
				if _, err := r.Download(t.Context(), n, nil); err != nil {
					t.Errorf("offline Download(%s) after import = %v", n, err)
				}
			}
			if src.store.calls.Load() != calls {
				t.Error("the imported models were fetched from the manager")
			}
			assertFile(t, filepath.Join(dst, "toy-v1.10.onnx"), src.toy)
			assertFile(t, filepath.Join(dst, "bundle-v2", "sub", "b.bin"), src.b)
			assertFile(t, filepath.Join(dst, "arch-v2", "cfg", "labels.txt"), []byte("cat\ndog\n"))
			m := mustGet(t, r, "toy")
			if m.SHA256 != sha(src.toy) || m.Manager == nil || m.Manager.Type != testType || !m.HasTags("demo") {
				t.Errorf("imported entry = %+v", m)
			}
			assertNoTemps(t, dst)
		})
	}
}

func assertFile(t *testing.T, p string, want []byte) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("%s = %q, %v; want %q", p, got, err, want)
	}
}

// assertNoTemps checks that no staging directory or temp file is left in
// dir (recursively).
func assertNoTemps(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && strings.Contains(d.Name(), ".tmp-") {
			t.Errorf("left behind: %s", p)
		}
		return nil
	})
}

// assertEmptyDir checks that dir is absent or holds nothing at all.
func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		t.Errorf("left behind: %s", filepath.Join(dir, e.Name()))
	}
}

func TestExportErrors(t *testing.T) {
	src := newBundleSource(t)
	ctx := t.Context()
	if _, err := src.r.Export(ctx, io.Discard, nil, nil); err == nil {
		t.Error("Export of no models succeeded")
	}
	if _, err := src.r.Export(ctx, io.Discard, []string{"nope"}, nil); !errors.Is(err, ErrNotFound) {
		t.Errorf("Export(nope) = %v; want ErrNotFound", err)
	}
	if _, err := src.r.Flush(ctx, "toy", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := src.r.Export(ctx, io.Discard, []string{"toy"}, nil); !errors.Is(err, ErrNotDownloaded) {
		t.Errorf("Export of a flushed model = %v; want ErrNotDownloaded", err)
	}
	// A local copy that no longer matches its manifest is not exported.
	p := filepath.Join(src.dir, "bundle-v2", "sub", "b.bin")
	if err := os.WriteFile(p, bytesOf(50, 9), 0o644); err != nil {
		t.Fatal(err)
	}
	var de *DigestError
	if _, err := src.r.Export(ctx, io.Discard, []string{"multi"}, nil); err != nil {
		t.Errorf("Export without sha256 in the manifest = %v", err)
	}
	writeManifest(t, src.dir, entry("multi", "2", "bundle", "x", "pre",
		fmt.Sprintf(`"files": [{"path": "sub/b.bin", "size_bytes": 50, "sha256": %q}]`, sha(src.b))))
	src.r = newTestRegistry(t, nil, src.dir)
	if _, err := src.r.Export(ctx, io.Discard, []string{"multi"}, nil); !errors.As(err, &de) {
		t.Errorf("Export of a changed file = %v; want *DigestError", err)
	}
}

func TestExportPathClash(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"k": bytesOf(10, 1)})
	d1, d2 := t.TempDir(), t.TempDir()
	writeManifest(t, d1, entry("a", "1", "same.bin", store, "k", ""))
	writeManifest(t, d2, entry("b", "1", "same.bin", store, "k", ""))
	r := newTestRegistry(t, nil, d1, d2)
	for _, n := range []string{"a", "b"} {
		if _, err := r.Download(t.Context(), n, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Export(t.Context(), io.Discard, []string{"a", "b"}, nil); !errors.Is(err, ErrExists) {
		t.Errorf("Export of two models at one bundle path = %v; want ErrExists", err)
	}
}

// rawTar builds a tar stream from entries, in order.
func rawTar(t *testing.T, entries []arEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, Linkname: e.link}
		if e.kind != 0 {
			h.Typeflag, h.Size = e.kind, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func bundleManifestJSON(name, file, body string) string {
	return fmt.Sprintf(`{"models": [{"base_name": %q, "base_filename": %q, "version": null, "size_bytes": %d, "sha256": %q,
		"manager": {"type": %q, "config": {"store": "none", "key": "k"}}}]}`, name, file, len(body), sha([]byte(body)), testType)
}

func TestImportRefusesBadBundles(t *testing.T) {
	body := "\x08weights"
	good := bundleManifestJSON("m", "m.bin", body)
	src := newBundleSource(t)
	full := src.export(t, nil, "toy", "multi")
	tampered := bytes.Clone(full)
	i := bytes.Index(tampered, src.b)
	tampered[i+10] ^= 0xff
	tests := []struct {
		name   string
		bundle []byte
		digest bool // a *DigestError is expected
	}{
		{"tampered", tampered, true},
		{"truncated mid-file", full[:bytes.Index(full, src.b)+20], false},
		{"truncated at an entry", rawTar(t, []arEntry{{name: ManifestFile, body: good}}), false},
		{"empty", nil, false},
		{"not a tar", []byte("hello, this is not a bundle at all"), false},
		{"manifest not first", rawTar(t, []arEntry{{name: "m.bin", body: body}, {name: ManifestFile, body: good}}), false},
		{"bad manifest", rawTar(t, []arEntry{{name: ManifestFile, body: "{"}}), false},
		{"dot-dot", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "../m.bin", body: body}}), false},
		{"absolute", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "/tmp/m.bin", body: body}}), false},
		{"symlink", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "m.bin", kind: tar.TypeSymlink, link: "/etc/passwd"}}), false},
		{"hard link", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "m.bin", kind: tar.TypeLink, link: ManifestFile}}), false},
		{"unlisted", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "m.bin", body: body}, {name: "x.bin", body: body}}), false},
		{"duplicate", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "m.bin", body: body}, {name: "m.bin", body: body}}), false},
		{"size differs", rawTar(t, []arEntry{{name: ManifestFile, body: good}, {name: "m.bin", body: body + "x"}}), true},
		{"no sha256", rawTar(t, []arEntry{{name: ManifestFile, body: strings.Replace(good, sha([]byte(body)), "", 1)}, {name: "m.bin", body: body}}), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			dst := filepath.Join(root, "models")
			r := newTestRegistry(t, nil, dst)
			_, err := r.Import(t.Context(), bytes.NewReader(tt.bundle), nil)
			var de *DigestError
			if !errors.Is(err, ErrCorrupt) || tt.digest != errors.As(err, &de) {
				t.Errorf("Import = %v; want ErrCorrupt (DigestError: %v)", err, tt.digest)
			}
			assertEmptyDir(t, dst)
			if ents, _ := os.ReadDir(root); len(ents) != 0 {
				t.Errorf("Import left %d entries beside the models dir", len(ents))
			}
		})
	}
}

func TestImportTooLarge(t *testing.T) {
	src := newBundleSource(t)
	b := src.export(t, nil, "toy")
	r := newTestRegistry(t, nil, t.TempDir())
	if _, err := r.Import(t.Context(), bytes.NewReader(b), &ImportOptions{MaxSize: 299}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("Import over MaxSize = %v; want ErrCorrupt", err)
	}
}

func TestImportConflicts(t *testing.T) {
	src := newBundleSource(t)
	bundle := src.export(t, nil, "toy", "multi")
	other := bytesOf(300, 7)
	ostore, _ := newStore(t, map[string][]byte{"toy": other})
	dst := t.TempDir()
	writeManifest(t, dst, entry("toy", "1.10", "toy.onnx", ostore, "toy", fmt.Sprintf(`"size_bytes": 300, "sha256": %q`, sha(other))),
		entry("keep", "", "keep.bin", ostore, "toy", ""))
	r := newTestRegistry(t, nil, dst)
	if _, err := r.Download(t.Context(), "toy", nil); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dst, ManifestFile))
	if _, err := r.Import(t.Context(), bytes.NewReader(bundle), nil); !errors.Is(err, ErrExists) {
		t.Fatalf("Import over a different toy@1.10 = %v; want ErrExists", err)
	}
	after, _ := os.ReadFile(filepath.Join(dst, ManifestFile))
	if !bytes.Equal(before, after) {
		t.Error("a refused import changed the manifest")
	}
	assertFile(t, filepath.Join(dst, "toy-v1.10.onnx"), other)
	if _, err := os.Stat(filepath.Join(dst, "bundle-v2")); err == nil {
		t.Error("a refused import placed files")
	}
	rep, err := r.Import(t.Context(), bytes.NewReader(bundle), &ImportOptions{Overwrite: true})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Replaced, []string{"toy@1.10"}) || !slices.Equal(rep.Added, []string{"multi@2"}) {
		t.Errorf("Overwrite report = %+v", rep)
	}
	assertFile(t, filepath.Join(dst, "toy-v1.10.onnx"), src.toy)
	if err := r.Verify(t.Context(), "toy"); err != nil {
		t.Error(err)
	}
	if m := mustGet(t, r, "keep"); m.BaseFilename != "keep.bin" {
		t.Errorf("unrelated entry changed: %+v", m)
	}
	// The same bundle again: everything is already there.
	rep, err = r.Import(t.Context(), bytes.NewReader(bundle), nil)
	if err != nil || len(rep.Skipped) != 2 || rep.Files != 0 {
		t.Errorf("re-import = %+v, %v; want 2 skipped, no files", rep, err)
	}
	// Same content, local copy missing: the entry stays, the files return.
	if _, err := r.Flush(t.Context(), "multi", nil); err != nil {
		t.Fatal(err)
	}
	rep, err = r.Import(t.Context(), bytes.NewReader(bundle), nil)
	if err != nil || len(rep.Skipped) != 2 || rep.Files != 2 {
		t.Errorf("re-import after flush = %+v, %v; want 2 skipped, 2 files", rep, err)
	}
	if err := r.Verify(t.Context(), "multi"); err != nil {
		t.Error(err)
	}
	assertNoTemps(t, dst)
}

func TestImportIntoNamedManifest(t *testing.T) {
	src := newBundleSource(t)
	bundle := src.export(t, nil, "toy")
	dst := t.TempDir()
	if err := os.WriteFile(filepath.Join(dst, ManifestFile), []byte(`{"models": [], "name": "team/vision"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, &Options{Offline: true}, dst)
	if _, err := r.Import(t.Context(), bytes.NewReader(bundle), &ImportOptions{Dir: dst}); err != nil {
		t.Fatal(err)
	}
	p, err := r.Download(t.Context(), "toy", nil)
	if err != nil || p != filepath.Join(dst, "team", "vision", "toy-v1.10.onnx") {
		t.Errorf("Download = %s, %v", p, err)
	}
}

func TestImportNoDir(t *testing.T) {
	r := newTestRegistry(t, &Options{Dirs: []string{}})
	if _, err := r.Import(t.Context(), bytes.NewReader(nil), nil); err == nil || !strings.Contains(err.Error(), EnvDirs) {
		t.Errorf("Import without a models dir = %v", err)
	}
}

func TestImportCancelled(t *testing.T) {
	src := newBundleSource(t)
	bundle := src.export(t, nil, "toy", "multi")
	dst := t.TempDir()
	r := newTestRegistry(t, nil, dst)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := r.Import(ctx, bytes.NewReader(bundle), nil); !errors.Is(err, context.Canceled) {
		t.Errorf("Import with a cancelled context = %v; want context.Canceled", err)
	}
	assertEmptyDir(t, dst)
}
