package registry

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestImportRefusesReservedAndCollidingNames: a bundle entry whose file name
// is reserved for the registry, or whose file is that of another entry
// (in the target manifest or in the bundle), is refused before anything is
// placed; the target manifest and files stay as they were.
func TestImportRefusesReservedAndCollidingNames(t *testing.T) {
	body := "\x08weights"
	two := fmt.Sprintf(`{"models": [{"base_name": "a", "base_filename": "m.bin", "version": null, "size_bytes": %d, "sha256": %q,
		"manager": {"type": %q, "config": {"store": "none", "key": "k"}}},
		{"base_name": "b", "base_filename": "M.bin", "version": null, "size_bytes": %d, "sha256": %q,
		"manager": {"type": %q, "config": {"store": "none", "key": "k"}}}]}`,
		len(body), sha([]byte(body)), testType, len(body), sha([]byte(body)), testType)
	tests := []struct {
		name      string
		bundle    []byte
		collision bool
	}{
		{"manifest lock", rawTar(t, []arEntry{{name: ManifestFile, body: bundleManifestJSON("m", ".manifest.json.lock", body)},
			{name: ".manifest.json.lock", body: body}}), false},
		{"marker", rawTar(t, []arEntry{{name: ManifestFile, body: bundleManifestJSON("m", ".modelreg-complete", body)},
			{name: ".modelreg-complete", body: body}}), false},
		{"file of an existing entry", rawTar(t, []arEntry{{name: ManifestFile, body: bundleManifestJSON("new", "old.bin", body)},
			{name: "old.bin", body: body}}), true},
		{"two entries of the bundle", rawTar(t, []arEntry{{name: ManifestFile, body: two},
			{name: "m.bin", body: body}, {name: "M.bin", body: body}}), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			old := bytesOf(50, 3)
			writeManifest(t, dst, entry("old", "", "old.bin", "none", "k", fmt.Sprintf(`"sha256": %q, "size_bytes": 50`, sha(old))))
			os.WriteFile(filepath.Join(dst, "old.bin"), old, 0o644)
			before, _ := os.ReadFile(filepath.Join(dst, ManifestFile))
			r := newTestRegistry(t, nil, dst)
			_, err := r.Import(t.Context(), bytes.NewReader(tt.bundle), nil)
			var ce *CollisionError
			if !errors.Is(err, ErrInvalidEntry) || tt.collision != errors.As(err, &ce) {
				t.Errorf("Import = %v; want ErrInvalidEntry (CollisionError: %v)", err, tt.collision)
			}
			if after, _ := os.ReadFile(filepath.Join(dst, ManifestFile)); !bytes.Equal(before, after) {
				t.Errorf("manifest changed:\n%s", after)
			}
			if got, _ := os.ReadFile(filepath.Join(dst, "old.bin")); !bytes.Equal(got, old) {
				t.Errorf("old.bin changed")
			}
			ents, _ := os.ReadDir(dst)
			if len(ents) != 2 {
				t.Errorf("the models directory holds %d entries, want the manifest and old.bin", len(ents))
			}
		})
	}
}
