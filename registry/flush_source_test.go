package registry_test

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
)

// TestFlushKeepsOwnSource: a model whose "file" manager reads its own
// local copy keeps it through Flush, FlushDir and FlushAll (it is the only
// copy), while a model copied from elsewhere is flushed; Delete removes
// both.
func TestFlushKeepsOwnSource(t *testing.T) {
	dir := t.TempDir()
	data := []byte("weights")
	sum := sha256.Sum256(data)
	for _, p := range []string{"self-v1/w.bin", "src/w.bin", "copy-v1/w.bin"} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	entry := func(name, source string) string {
		return fmt.Sprintf(`{"base_name": %q, "version": "1", "base_filename": %q,
			"files": [{"path": "w.bin", "size_bytes": %d, "sha256": %q}],
			"manager": {"type": "file", "config": {"path": %q}}}`, name, name, len(data), hex.EncodeToString(sum[:]), source)
	}
	manifest := `{"models": [` + entry("self", "self-v1") + `, ` + entry("copy", "src") + `]}`
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	flushes := []struct {
		name      string
		flush     func() (*registry.FlushReport, error)
		flushCopy bool // whether the flush reaches copy@1
	}{
		{"Flush", func() (*registry.FlushReport, error) { return reg.Flush(ctx, "self@1", nil) }, false},
		{"FlushDir", func() (*registry.FlushReport, error) { return reg.FlushDir(ctx, dir, nil) }, true},
		{"FlushAll", func() (*registry.FlushReport, error) { return reg.FlushAll(ctx, nil) }, true},
	}
	for _, tc := range flushes {
		if _, err := reg.Download(ctx, "copy@1", nil); err != nil {
			t.Fatal(err)
		}
		rep, err := tc.flush()
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(rep.Sources, []string{"self@1"}) || slices.Contains(rep.Models, "self@1") {
			t.Errorf("%s: sources %v, flushed %v; want self@1 kept", tc.name, rep.Sources, rep.Models)
		}
		if ok, err := reg.IsDownloaded(ctx, "self@1", &registry.DownloadedOptions{Rehash: true}); !ok || err != nil {
			t.Errorf("%s: self@1 downloaded = %v, %v; want its copy kept", tc.name, ok, err)
		}
		if ok, _ := reg.IsDownloaded(ctx, "copy@1", nil); ok == tc.flushCopy {
			t.Errorf("%s: copy@1 downloaded = %v afterwards; want %v", tc.name, ok, !tc.flushCopy)
		}
	}
	if _, err := reg.Delete(ctx, "self@1", &registry.DeleteOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "self-v1")); !os.IsNotExist(err) {
		t.Errorf("Delete left %s (%v)", filepath.Join(dir, "self-v1"), err)
	}
}
