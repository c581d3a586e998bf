package ocilayout_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocilayout"
)

// TestHostileExportSymlinks: an export into a layout directory whose
// index.json, oci-layout or blobs are symlinks (a layout received from
// elsewhere) writes nothing through them: the export fails with
// ErrPermanent and the files outside the layout stay as they were, or
// absent.
func TestHostileExportSymlinks(t *testing.T) {
	src, _ := source(t)
	cases := []struct {
		name string
		// link is the path in the layout made a symlink to target;
		// existing makes target an existing file (else it is absent).
		link     string
		existing bool
		dir      bool
	}{
		{"dangling index.json", "index.json", false, false},
		{"index.json to a file", "index.json", true, false},
		{"dangling oci-layout", "oci-layout", false, false},
		{"blobs to a directory", "blobs", false, true},
		{"blobs/sha256 to a directory", "blobs/sha256", false, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			outside := t.TempDir()
			target := filepath.Join(outside, "victim")
			const victim = `{"schemaVersion": 2, "manifests": []}`
			switch {
			case c.dir:
				os.MkdirAll(target, 0o755)
			case c.existing:
				os.WriteFile(target, []byte(victim), 0o644)
			}
			layout := filepath.Join(t.TempDir(), "layout")
			link := filepath.Join(layout, filepath.FromSlash(c.link))
			os.MkdirAll(filepath.Dir(link), 0o755)
			if err := os.Symlink(target, link); err != nil {
				t.Skip(err)
			}
			_, err := ocilayout.Export(t.Context(), src, layout, []string{"toy@1"})
			if !errors.Is(err, registry.ErrPermanent) {
				t.Errorf("Export: %v; want an error wrapping ErrPermanent", err)
			}
			switch b, rerr := os.ReadFile(target); {
			case c.dir:
				if ents, _ := os.ReadDir(target); len(ents) > 0 {
					t.Errorf("the export wrote %d entries into the symlinked directory outside the layout", len(ents))
				}
			case c.existing && string(b) != victim:
				t.Errorf("the export overwrote the file outside the layout: %q", b)
			case !c.existing && rerr == nil:
				t.Errorf("the export created the file outside the layout: %q", b)
			}
		})
	}
}
