package ocilayout_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	"github.com/modelreg/modelreg/registry/ocilayout"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// sum returns the hex sha256 of b.
func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// source returns a registry holding two downloaded models, "toy@1" (one
// file) and "kit@2" (two files), served by the file manager, and their
// files' bytes by model and path.
func source(t *testing.T) (*registry.Registry, map[string]map[string][]byte) {
	t.Helper()
	dir, remote := t.TempDir(), t.TempDir()
	files := map[string]map[string][]byte{
		"toy@1": {"toy.bin": bytes.Repeat([]byte("toy"), 40_000)},
		"kit@2": {"weights.bin": bytes.Repeat([]byte("w"), 90_000), "cfg/config.json": []byte(`{"classes": 80}`)},
	}
	mf := &registry.Manifest{}
	for name, fs := range files {
		ref, _ := registry.ParseRef(name)
		e := &registry.Model{BaseName: ref.Name, Version: ref.Version}
		for p, b := range fs {
			full := filepath.Join(remote, ref.Name, filepath.FromSlash(p))
			os.MkdirAll(filepath.Dir(full), 0o755)
			if err := os.WriteFile(full, b, 0o644); err != nil {
				t.Fatal(err)
			}
			n := int64(len(b))
			if len(fs) == 1 {
				e.BaseFilename, e.SizeBytes, e.SHA256 = p, &n, sum(b)
				cfg, _ := json.Marshal(map[string]string{"path": full})
				e.Manager = &registry.ManagerSpec{Type: "file", Config: cfg}
			} else {
				e.Files = append(e.Files, registry.File{Path: p, SizeBytes: &n, SHA256: sum(b)})
			}
		}
		if len(fs) > 1 {
			e.BaseFilename = ref.Name
			cfg, _ := json.Marshal(map[string]string{"path": filepath.Join(remote, ref.Name)})
			e.Manager = &registry.ManagerSpec{Type: "file", Config: cfg}
		}
		mf.Models = append(mf.Models, e)
	}
	b, err := mf.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), b, 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for name := range files {
		if _, err := r.Download(t.Context(), name, nil); err != nil {
			t.Fatalf("Download(%s): %v", name, err)
		}
	}
	return r, files
}

// offline returns an offline registry with an empty models directory.
func offline(t *testing.T) (*registry.Registry, string) {
	t.Helper()
	dir := t.TempDir()
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	return r, dir
}

// TestRoundTrip exports two models to a layout and imports them offline
// elsewhere, verified.
func TestRoundTrip(t *testing.T) {
	src, files := source(t)
	layout := filepath.Join(t.TempDir(), "layout")
	rep, err := ocilayout.Export(t.Context(), src, layout, []string{"toy@1", "kit@2"})
	if err != nil {
		t.Fatalf("Export: %v", err)
	}
	if strings.Join(rep.Refs, " ") != "toy-v1 kit-v2" || rep.Files != 3 {
		t.Errorf("Export report = %+v; want refs toy-v1 kit-v2 and 3 files", rep)
	}
	for _, f := range []string{"oci-layout", "index.json"} {
		if _, err := os.Stat(filepath.Join(layout, f)); err != nil {
			t.Errorf("the layout has no %s: %v", f, err)
		}
	}
	dst, _ := offline(t)
	ir, err := ocilayout.Import(t.Context(), dst, layout, nil)
	if err != nil {
		t.Fatalf("Import: %v", err)
	}
	if len(ir.Added) != 2 || ir.Files != 3 {
		t.Errorf("Import report = %+v; want 2 models and 3 files added", ir.ImportReport)
	}
	for name, fs := range files {
		p, err := dst.Download(t.Context(), name, nil) // offline: must be installed
		if err != nil {
			t.Fatalf("Download(%s) offline after import: %v", name, err)
		}
		for rel, want := range fs {
			full := p
			if len(fs) > 1 {
				full = filepath.Join(p, filepath.FromSlash(rel))
			}
			if got, err := os.ReadFile(full); err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s %s after import: %d bytes, %v; want the exported %d", name, rel, len(got), err, len(want))
			}
		}
	}
}

// TestImportCorruptBlob: a blob whose bytes do not match its digest fails
// the import with ErrCorrupt and installs nothing.
func TestImportCorruptBlob(t *testing.T) {
	src, files := source(t)
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := ocilayout.Export(t.Context(), src, layout, []string{"toy@1"}); err != nil {
		t.Fatal(err)
	}
	blob := filepath.Join(layout, "blobs", "sha256", sum(files["toy@1"]["toy.bin"]))
	b, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0xff
	os.Chmod(blob, 0o644)
	if err := os.WriteFile(blob, b, 0o644); err != nil {
		t.Fatal(err)
	}
	dst, dir := offline(t)
	_, err = ocilayout.Import(t.Context(), dst, layout, nil)
	if !errors.Is(err, registry.ErrCorrupt) {
		t.Fatalf("Import of a corrupt layout = %v; want an error wrapping ErrCorrupt", err)
	}
	if _, err := dst.Get(t.Context(), "toy@1"); err == nil {
		t.Errorf("toy@1 was registered from a corrupt layout")
	}
	ents, _ := os.ReadDir(dir)
	for _, e := range ents {
		if e.Name() != registry.ManifestFile {
			t.Errorf("the models directory holds %s after a failed import", e.Name())
		}
	}
}

// TestExportRefusals: a model that is not downloaded, and a missing one.
func TestExportRefusals(t *testing.T) {
	src, _ := source(t)
	if _, err := src.Flush(t.Context(), "toy@1", nil); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"toy@1", "missing@1"} {
		layout := filepath.Join(t.TempDir(), "layout")
		if _, err := ocilayout.Export(t.Context(), src, layout, []string{name}); !errors.Is(err, registry.ErrNotFound) {
			t.Errorf("Export(%s) = %v; want an error wrapping ErrNotFound", name, err)
		}
		if _, err := os.Stat(layout); err == nil {
			t.Errorf("Export(%s) failed but created %s", name, layout)
		}
	}
}

// TestOrasCopyFromLayout: oras copies an exported layout's artifact to a
// registry, and the oci manager pulls it (the air-gap crossing a site makes
// with standard tools).
func TestOrasCopyFromLayout(t *testing.T) {
	host, bin := os.Getenv("MODELREG_OCI_REGISTRY"), os.Getenv("MODELREG_ORAS_BIN")
	if host == "" || bin == "" {
		const how = `no OCI registry or oras CLI (MODELREG_OCI_REGISTRY, MODELREG_ORAS_BIN unset); from the repository root run: eval "$(scripts/distribution.sh start)"`
		if os.Getenv("CI") != "" {
			t.Fatal(how) // CI starts both: a missing one is a broken setup, not a reason to skip
		}
		t.Skip(how)
	}
	src, files := source(t)
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := ocilayout.Export(t.Context(), src, layout, []string{"toy@1"}); err != nil {
		t.Fatal(err)
	}
	ref := host + "/modelreg-test/layout-" + sum([]byte(t.TempDir()))[:12] + ":1"
	cmd := exec.CommandContext(t.Context(), bin, "cp", "--from-oci-layout", layout+":toy-v1", "--to-plain-http", ref)
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir(), "HOME="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("oras cp: %v\n%s", err, out)
	}
	m, err := src.Get(t.Context(), "toy@1")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cfg, _ := json.Marshal(ocimanager.Config{Reference: ref})
	e := *m
	e.Manager = &registry.ManagerSpec{Type: ocimanager.Type, Config: cfg}
	online, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := online.Register(t.Context(), &e, nil); err != nil {
		t.Fatal(err)
	}
	p, err := online.Download(t.Context(), "toy@1", nil)
	if err != nil {
		t.Fatalf("Download of the copied artifact: %v", err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, files["toy@1"]["toy.bin"]) {
		t.Errorf("the copied artifact's file differs from the exported one")
	}
}
