package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestHostileEditPastSizeLimit: an edit that would make a manifest larger
// than the registry reads (Options.MaxManifestSize) is refused with a
// *ManifestTooLargeError and writes nothing: written, the manifest would
// have been skipped at the next read, and every model of the directory
// with it. A manifest already past the limit is not rewritten either.
func TestHostileEditPastSizeLimit(t *testing.T) {
	body := bytesOf(80, 7)
	name, _ := newStore(t, map[string][]byte{"m": body})
	dir := t.TempDir()
	writeManifest(t, dir, entry("m", "1", "m.bin", name, "m", fmt.Sprintf(`"sha256": %q, "size_bytes": 80`, sha(body))))
	manifest := filepath.Join(dir, ManifestFile)
	before, _ := os.ReadFile(manifest)
	r := newTestRegistry(t, &Options{MaxManifestSize: int64(len(before)) + 40}, dir)
	m := &Model{BaseName: "n", BaseFilename: "n.bin", Manager: &ManagerSpec{Type: testType, Config: fmt.Appendf(nil, `{"store": %q, "key": "n"}`, name)}}
	_, err := r.Register(t.Context(), m, &RegisterOptions{Dir: dir})
	var te *ManifestTooLargeError
	if !errors.As(err, &te) || te.Path != manifest || te.Size <= te.Limit {
		t.Fatalf("Register past the limit = %v; want a *ManifestTooLargeError for %s", err, manifest)
	}
	if after, _ := os.ReadFile(manifest); !bytes.Equal(before, after) {
		t.Errorf("manifest changed:\n%s", after)
	}
	if _, err := r.Get(t.Context(), "m@1"); err != nil {
		t.Errorf("Get(m@1) after the refused edit = %v", err)
	}
	if _, err := r.SetAlias(t.Context(), "m@1", "p"); err != nil {
		t.Errorf("a small edit within the limit = %v", err)
	}
	small := newTestRegistry(t, &Options{MaxManifestSize: 10}, dir)
	now, _ := os.ReadFile(manifest)
	if _, err := small.Register(t.Context(), m, &RegisterOptions{Dir: dir}); !errors.As(err, &te) {
		t.Errorf("Register into a manifest already past the limit = %v; want a *ManifestTooLargeError", err)
	}
	if after, _ := os.ReadFile(manifest); !bytes.Equal(now, after) {
		t.Errorf("manifest past the limit rewritten:\n%s", after)
	}
}

// TestHostilePublishPastSizeLimit: Publish into a manifest that its entry
// would take past the size limit refuses before uploading anything.
func TestHostilePublishPastSizeLimit(t *testing.T) {
	name, s := newStore(t, nil)
	dir := t.TempDir()
	writeManifest(t, dir)
	manifest := filepath.Join(dir, ManifestFile)
	before, _ := os.ReadFile(manifest)
	r := newTestRegistry(t, &Options{MaxManifestSize: int64(len(before)) + 40}, dir)
	src := filepath.Join(t.TempDir(), "p.bin")
	os.WriteFile(src, bytesOf(60, 9), 0o644)
	m := &Model{BaseName: "p", BaseFilename: "p.bin", Manager: &ManagerSpec{Type: testType, Config: fmt.Appendf(nil, `{"store": %q, "key": "p"}`, name)}}
	_, err := r.Publish(t.Context(), src, m, &PublishOptions{Dir: dir})
	var te *ManifestTooLargeError
	if !errors.As(err, &te) {
		t.Fatalf("Publish past the limit = %v; want a *ManifestTooLargeError", err)
	}
	s.mu.Lock()
	n := len(s.objs)
	s.mu.Unlock()
	if n != 0 {
		t.Errorf("Publish uploaded %d objects before refusing", n)
	}
	if after, _ := os.ReadFile(manifest); !bytes.Equal(before, after) {
		t.Errorf("manifest changed:\n%s", after)
	}
}
