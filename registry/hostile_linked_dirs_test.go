package registry

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestHostileLinkedModelsDirs: a search path that reaches one manifest
// twice (a models directory that is a link to another one on the path, or
// a manifest that is a link to another's) reads it once: moving an alias
// keeps it (the move removed the old definition from "the other"
// manifest, which was the same file, so the alias vanished), removing one
// succeeds, and listing warns of no duplicates.
func TestHostileLinkedModelsDirs(t *testing.T) {
	body := bytesOf(80, 7)
	tests := []struct {
		name      string
		linkFile  bool // link the manifest, not the directory
		linkFirst bool // the link comes first on the search path
	}{
		{"directory link after", false, false},
		{"directory link first", false, true},
		{"manifest link after", true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, _ := newStore(t, map[string][]byte{"m": body})
			real := t.TempDir()
			sum := fmt.Sprintf(`"sha256": %q, "size_bytes": 80`, sha(body))
			writeManifest(t, real, entry("m", "1", "m.bin", name, "m", sum), entry("m", "2", "m.bin", name, "m", sum))
			link := filepath.Join(t.TempDir(), "link")
			if tt.linkFile {
				os.Mkdir(link, 0o755)
				if err := os.Symlink(filepath.Join(real, ManifestFile), filepath.Join(link, ManifestFile)); err != nil {
					t.Fatal(err)
				}
			} else if err := os.Symlink(real, link); err != nil {
				t.Fatal(err)
			}
			dirs := []string{real, link}
			if tt.linkFirst {
				dirs = []string{link, real}
			}
			r := newTestRegistry(t, nil, dirs...)
			if _, warns, err := r.List(t.Context(), nil); err != nil || len(warns) > 0 {
				t.Errorf("List: %v, warnings %v", err, warns)
			}
			if _, err := r.SetAlias(t.Context(), "m@1", "prod"); err != nil {
				t.Fatal(err)
			}
			if _, err := r.SetAlias(t.Context(), "m@2", "prod"); err != nil {
				t.Fatalf("moving the alias: %v", err)
			}
			if m, err := r.Get(t.Context(), "m@prod"); err != nil || m.Version != "2" {
				t.Fatalf("m@prod after the move: %v, %v; want version 2", m, err)
			}
			if _, err := r.RemoveAlias(t.Context(), "m@prod"); err != nil {
				t.Fatalf("RemoveAlias: %v", err)
			}
			if _, err := r.Get(t.Context(), "m@prod"); !errors.Is(err, ErrNotFound) {
				t.Errorf("m@prod after RemoveAlias: %v; want ErrNotFound", err)
			}
		})
	}
}
