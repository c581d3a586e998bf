package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestResolveLatestAcrossDirs(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	writeManifest(t, d1, entry("toy", "1.9", "toy.onnx", "s", "k", ""), entry("toy", "", "toy.onnx", "s", "k0", ""))
	writeManifest(t, d2, entry("toy", "1.10", "toy.onnx", "s", "k", ""), entry("yolox-nano-coco", "", "y.onnx", "s", "y", ""))
	r := newTestRegistry(t, nil, d1, d2)
	tests := []struct {
		name, wantName, wantPath string
	}{
		{"toy", "toy@1.10", filepath.Join(d2, "toy-v1.10.onnx")},
		{"toy@1.9", "toy@1.9", filepath.Join(d1, "toy-v1.9.onnx")},
		{"yolox-nano-coco", "yolox-nano-coco", filepath.Join(d2, "y.onnx")},
	}
	for _, tt := range tests {
		m := mustGet(t, r, tt.name)
		if m.Name() != tt.wantName || m.Path() != tt.wantPath {
			t.Errorf("Get(%q) = %s at %s; want %s at %s", tt.name, m.Name(), m.Path(), tt.wantName, tt.wantPath)
		}
		if p, err := r.Find(t.Context(), tt.name); err != nil || p != tt.wantPath {
			t.Errorf("Find(%q) = %q, %v", tt.name, p, err)
		}
	}
}

func TestNotFoundSuggests(t *testing.T) {
	d := t.TempDir()
	writeManifest(t, d, entry("yolox-nano-coco", "", "y.onnx", "s", "y", ""), entry("toy", "1", "t.onnx", "s", "t", ""))
	r := newTestRegistry(t, nil, d)
	tests := []struct{ name, want string }{
		{"yolox-nan", `registry: model "yolox-nan" not found (did you mean "yolox-nano-coco"?)`},
		{"ty", `registry: model "ty" not found (did you mean "toy"?)`},
		{"yolox-nao", `registry: model "yolox-nao" not found (did you mean "yolox-nano-coco"?)`},
		{"yolx-nano", `registry: model "yolx-nano" not found (did you mean "yolox-nano-coco"?)`},
		{"YOLOX-NANO-CCO", `registry: model "YOLOX-NANO-CCO" not found (did you mean "yolox-nano-coco"?)`},
		{"yolo", `registry: model "yolo" not found (did you mean "yolox-nano-coco"?)`},
		{"picodet", `registry: model "picodet" not found`},
		{"zolaz-nbno", `registry: model "zolaz-nbno" not found`},
		{"toy@2", `registry: model "toy@2" not found (versions of "toy": 1)`},
		{"zzzzzzzzzz", `registry: model "zzzzzzzzzz" not found`},
	}
	for _, tt := range tests {
		_, err := r.Get(t.Context(), tt.name)
		if !errors.Is(err, ErrNotFound) || err.Error() != tt.want {
			t.Errorf("Get(%q) error = %v; want %q", tt.name, err, tt.want)
		}
	}
}

// TestBadEntriesDoNotPoison checks that bad entries are refused with a
// clear error and listed as warnings while their neighbours keep working,
// that a non-JSON manifest is skipped with a warning, and that duplicates
// resolve to the first directory.
func TestBadEntriesDoNotPoison(t *testing.T) {
	d1, d2, d3 := t.TempDir(), t.TempDir(), t.TempDir()
	writeManifest(t, d1,
		entry("good", "", "good.onnx", "s", "g", ""),
		entry("escape", "", "../../evil.onnx", "s", "e", ""),
		`{"base_name": "nomgr", "base_filename": "n.onnx", "manager": {"type": "s3", "config": {}}}`,
		entry("badver", "1 0", "b.onnx", "s", "b", ""),
		`{"base_name": "drive", "base_filename": "d.pb", "manager": {"type": "eta.core.models.ETAModelManager", "config": {"google_drive_id": "abc"}}}`,
	)
	writeManifest(t, d2, entry("good", "", "other.onnx", "s", "g", ""))
	if err := os.WriteFile(filepath.Join(d3, ManifestFile), []byte("<html>quota</html>"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, nil, d1, d2, d3)
	if m := mustGet(t, r, "good"); m.Path() != filepath.Join(d1, "good.onnx") {
		t.Errorf("good resolved to %s; want the first dir", m.Path())
	}
	if _, err := r.Get(t.Context(), "escape"); !errors.Is(err, ErrInvalidEntry) {
		t.Errorf("Get(escape) = %v; want ErrInvalidEntry", err)
	}
	// Entries whose manager type this program did not register resolve (their
	// files may be present), and downloading them says what is missing.
	for name, want := range map[string]error{"nomgr": ErrInvalidEntry, "drive": ErrNotSupported} {
		if _, err := r.Get(t.Context(), name); err != nil {
			t.Errorf("Get(%q) = %v; want the entry", name, err)
		}
		if _, err := r.Download(t.Context(), name, nil); !errors.Is(err, want) {
			t.Errorf("Download(%q) = %v; want %v", name, err, want)
		}
	}
	_, err := r.Download(t.Context(), "nomgr", nil)
	if err == nil || !strings.Contains(err.Error(), `unknown manager type "s3" (forgotten import?)`) {
		t.Errorf("error = %v", err)
	}
	_, err = r.Download(t.Context(), "drive", nil)
	if err == nil || !strings.Contains(err.Error(), "Google Drive") {
		t.Errorf("error = %v", err)
	}
	models, warns, err := r.List(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(models) != 5 {
		t.Errorf("List returned %d models; want 5", len(models))
	}
	text := ""
	for _, w := range warns {
		text += w.String() + "\n"
	}
	for _, want := range []string{"escape", "nomgr", "drive", "duplicate model name", filepath.Join(d3, ManifestFile) + ": skipped: not a valid manifest"} {
		if !strings.Contains(text, want) {
			t.Errorf("warnings lack %q:\n%s", want, text)
		}
	}
}

func TestETAAliasUsesURLScheme(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"m/toy.onnx": bytesOf(300, 1)})
	d := t.TempDir()
	writeManifest(t, d, `{"base_name": "toy", "base_filename": "toy.onnx",
		"manager": {"type": "eta.core.models.ETAModelManager", "config": {"url": "regtest://`+store+`/m/toy.onnx"}}}`)
	r := newTestRegistry(t, nil, d)
	p, err := r.Download(t.Context(), "toy", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); len(got) != 300 {
		t.Errorf("downloaded %d bytes; want 300", len(got))
	}
}

func TestCatalogDownloadsToCache(t *testing.T) {
	store, _ := newStore(t, map[string][]byte{"k": bytesOf(50, 2)})
	fsys := fstest.MapFS{ManifestFile: {Data: []byte(`{"models": [` + entry("cat", "2", "c.bin", store, "k", "") + `], "name": "zoo/v1"}`)}}
	cache := t.TempDir()
	r := newTestRegistry(t, &Options{Catalogs: []Catalog{{Name: "builtin", FS: fsys}}, CacheDir: cache})
	p, err := r.Download(t.Context(), "cat", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(cache, "builtin", "zoo", "v1", "c-v2.bin"); p != want {
		t.Errorf("path = %s; want %s", p, want)
	}
	if _, err := r.Delete(t.Context(), "cat", &DeleteOptions{Force: true}); !errors.Is(err, ErrNotSupported) {
		t.Errorf("Delete from catalog = %v; want ErrNotSupported", err)
	}
}

func TestManifestCacheReloads(t *testing.T) {
	d := t.TempDir()
	writeManifest(t, d, entry("a", "", "a.bin", "s", "a", ""))
	r := newTestRegistry(t, nil, d)
	mustGet(t, r, "a")
	time.Sleep(10 * time.Millisecond)
	writeManifest(t, d, entry("b", "", "b.bin", "s", "b", ""), entry("a", "", "a.bin", "s", "a", ""))
	mustGet(t, r, "b")
}

func TestOptionsFromEnv(t *testing.T) {
	d1, d2 := t.TempDir(), t.TempDir()
	t.Setenv(EnvDirs, d1+string(os.PathListSeparator)+d2)
	t.Setenv(EnvAllowDownloads, "no")
	t.Setenv(EnvMaxVersionsToKeep, "3")
	t.Setenv(EnvOffline, "1")
	r, err := New(&Options{CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Dirs(); len(got) != 2 || got[0] != d1 || r.cfg.allowDownloads || r.cfg.maxKeep != 3 || !r.cfg.offline {
		t.Errorf("config = %+v", r.cfg)
	}
	t.Setenv(EnvAllowDownloads, "maybe")
	if _, err := New(nil); err == nil || !strings.Contains(err.Error(), EnvAllowDownloads) {
		t.Errorf("New with a bad %s = %v", EnvAllowDownloads, err)
	}
}

func TestManagerLessModel(t *testing.T) {
	d := t.TempDir()
	writeManifest(t, d, `{"base_name": "hosted", "base_filename": null, "manager": null}`)
	r := newTestRegistry(t, nil, d)
	m := mustGet(t, r, "hosted")
	if m.HasManager() || m.Path() != "" {
		t.Errorf("manager-less model: HasManager %v, Path %q", m.HasManager(), m.Path())
	}
	if _, err := r.Download(t.Context(), "hosted", nil); !errors.Is(err, ErrNotManaged) {
		t.Errorf("Download = %v; want ErrNotManaged", err)
	}
	if ok, err := r.IsDownloaded(t.Context(), "hosted", nil); ok || !errors.Is(err, ErrNotManaged) {
		t.Errorf("IsDownloaded = %v, %v", ok, err)
	}
	if rep, err := r.Flush(t.Context(), "hosted", nil); err != nil || len(rep.Files) != 0 {
		t.Errorf("Flush = %+v, %v", rep, err)
	}
}

// TestUnregisteredManagerDownloaded is the air-gapped site: the program
// links no manager for the entries' types (an S3 bucket, Google Drive), but
// their files are present, so the models resolve, verify and load.
func TestUnregisteredManagerDownloaded(t *testing.T) {
	d := t.TempDir()
	data := []byte("weights of a model fetched elsewhere")
	sum := sha256.Sum256(data)
	for _, f := range []string{"s3.onnx", "drive.pb"} {
		if err := os.WriteFile(filepath.Join(d, f), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	integrity := fmt.Sprintf(`"size_bytes": %d, "sha256": %q`, len(data), hex.EncodeToString(sum[:]))
	writeManifest(t, d,
		`{"base_name": "bucket", "base_filename": "s3.onnx", "manager": {"type": "s3", "config": {"url": "s3://b/m.onnx"}}, `+integrity+`}`,
		`{"base_name": "drive", "base_filename": "drive.pb", "manager": {"type": "eta.core.models.ETAModelManager", "config": {"google_drive_id": "abc"}}, `+integrity+`}`,
	)
	r := newTestRegistry(t, nil, d)
	for _, name := range []string{"bucket", "drive"} {
		if _, err := r.Download(t.Context(), name, nil); err != nil {
			t.Errorf("Download(%q) of a present model = %v", name, err)
		}
		if err := r.Verify(t.Context(), name); err != nil {
			t.Errorf("Verify(%q) = %v", name, err)
		}
		files, err := r.LocalFiles(t.Context(), name)
		if err != nil || len(files) != 1 {
			t.Errorf("LocalFiles(%q) = %v, %v", name, files, err)
		}
	}
	ms, _, err := r.List(t.Context(), &ListOptions{Downloaded: true})
	if err != nil || len(ms) != 2 {
		t.Errorf("List(Downloaded) = %d models, %v; want 2", len(ms), err)
	}
}
