package ocilayout_test

import (
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	ocispec "github.com/opencontainers/image-spec/specs-go/v1"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocilayout"
)

// TestHostileExportSymlinks: an export into a layout directory whose
// index.json, oci-layout or blobs are symlinks (a layout received from
// elsewhere) writes nothing through them: the export fails with
// ErrPermanent and the files outside the layout stay as they were, or
// absent.
func TestHostileExportSymlinks(t *testing.T) {
	src, files := source(t)
	cases := []struct {
		name string
		// link is the path in the layout made a symlink to target;
		// existing makes target an existing file (else it is absent).
		link     string
		existing bool
		dir      bool
		// written: the export succeeds (replacing the link, not writing
		// through it).
		written bool
	}{
		{"dangling index.json", "index.json", false, false, false},
		{"index.json to a file", "index.json", true, false, false},
		{"dangling oci-layout", "oci-layout", false, false, false},
		{"blobs to a directory", "blobs", false, true, false},
		{"blobs/sha256 to a directory", "blobs/sha256", false, true, false},
		{"dangling blob", "blobs/sha256/" + sum(files["toy@1"]["toy.bin"]), false, false, true},
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
			if c.written && err != nil || !c.written && !errors.Is(err, registry.ErrPermanent) {
				t.Errorf("Export: %v; want success %t, else an error wrapping ErrPermanent", err, c.written)
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

// TestExportIndexRenamed: an export into an existing layout replaces
// index.json by a rename (a crash leaves the old index or the new one,
// not a truncated one that loses the layout's references), keeps the
// references it does not write, and tags each model once.
func TestExportIndexRenamed(t *testing.T) {
	src, files := source(t)
	layout := filepath.Join(t.TempDir(), "layout")
	if _, err := ocilayout.Export(t.Context(), src, layout, []string{"toy@1"}); err != nil {
		t.Fatal(err)
	}
	old, err := os.Open(filepath.Join(layout, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	before, _ := io.ReadAll(old)
	for range 2 {
		if _, err := ocilayout.Export(t.Context(), src, layout, []string{"kit@2", "toy@1"}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := old.Seek(0, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	if after, _ := io.ReadAll(old); string(after) != string(before) {
		t.Errorf("index.json was rewritten in place (%d bytes, then %d); want a new file renamed over it", len(before), len(after))
	}
	var idx ocispec.Index
	b, _ := os.ReadFile(filepath.Join(layout, "index.json"))
	if err := json.Unmarshal(b, &idx); err != nil {
		t.Fatal(err)
	}
	var refs []string
	for _, d := range idx.Manifests {
		if ref := d.Annotations[ocispec.AnnotationRefName]; ref != "" { // a replaced manifest stays, untagged
			refs = append(refs, ref)
		}
	}
	if slices.Sort(refs); strings.Join(refs, " ") != "kit-v2 toy-v1" {
		t.Errorf("index.json references: %q; want kit-v2 and toy-v1, once each", refs)
	}
	dst, err := registry.New(&registry.Options{Dirs: []string{t.TempDir()}, CacheDir: t.TempDir(), Offline: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ocilayout.Import(t.Context(), dst, layout, nil); err != nil {
		t.Fatalf("Import: %v", err)
	}
	for name := range files {
		if _, err := dst.Download(t.Context(), name, nil); err != nil {
			t.Errorf("Download(%s) offline after import: %v", name, err)
		}
	}
}
