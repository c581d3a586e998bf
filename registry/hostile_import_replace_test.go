package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestHostileImportReplaceKeepsOld: an import that replaces a model
// (ImportOptions.Overwrite) and then fails (the manifest cannot be written,
// or a later entry of the bundle cannot be placed) puts the replaced
// model's local copy back: the manifest, the old bytes and the model's
// verification stay as they were, and nothing the bundle brought is left
// in the models directory. Not parallel: it replaces the manifest writer.
func TestHostileImportReplaceKeepsOld(t *testing.T) {
	old, neu := bytesOf(70, 3), bytesOf(90, 4)
	single := func(name, file string, b []byte) string {
		return fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": null, "size_bytes": %d, "sha256": %q,
			"manager": {"type": %q, "config": {"store": "none", "key": "k"}}}`, name, file, len(b), sha(b), testType)
	}
	multi := func(name, file string, b []byte) string {
		return fmt.Sprintf(`{"base_name": %q, "base_filename": %q, "version": null, "files": [{"path": "w.bin", "size_bytes": %d, "sha256": %q}],
			"manager": {"type": %q, "config": {"store": "none", "key": "k"}}}`, name, file, len(b), sha(b), testType)
	}
	tests := []struct {
		name    string
		entry   func(name, file string, b []byte) string
		file    string // the local copy of a, relative to the models directory
		rofs    bool   // the manifest cannot be written
		linkedB bool   // b's directory is a symbolic link: b cannot be placed
		wantErr error
	}{
		{"single file, manifest not written", single, "a.bin", true, false, syscall.EROFS},
		{"single file, next entry refused", single, "a.bin", false, true, ErrSymlink},
		{"files, manifest not written", multi, "a/w.bin", true, false, syscall.EROFS},
		{"files, next entry refused", multi, "a/w.bin", false, true, ErrSymlink},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			name, _ := newStore(t, map[string][]byte{"k": old, "k/w.bin": old})
			oldEntry := fmt.Sprintf(`{"base_name": "a", "base_filename": %q, "version": null, "manager": {"type": %q, "config": {"store": %q, "key": "k"}}, `,
				filepath.Dir(tt.file), testType, name)
			if tt.file == "a.bin" {
				oldEntry = entry("a", "", "a.bin", name, "k", fmt.Sprintf(`"sha256": %q, "size_bytes": 70`, sha(old)))
			} else {
				oldEntry += fmt.Sprintf(`"files": [{"path": "w.bin", "size_bytes": 70, "sha256": %q}]}`, sha(old))
			}
			writeManifest(t, dst, oldEntry)
			r := newTestRegistry(t, nil, dst)
			if _, err := r.Download(t.Context(), "a", nil); err != nil {
				t.Fatal(err)
			}
			outside := t.TempDir()
			if tt.linkedB {
				os.Symlink(outside, filepath.Join(dst, "sub"))
			}
			before, _ := os.ReadFile(filepath.Join(dst, ManifestFile))
			snap := dirSnapshot(t, dst)
			bundle := rawTar(t, []arEntry{
				{name: ManifestFile, body: fmt.Sprintf(`{"models": [%s, %s]}`, tt.entry("a", filepath.Dir(tt.file), neu), single("b", "sub/b.bin", []byte("\x08b")))},
				{name: tt.file, body: string(neu)}, {name: "sub/b.bin", body: "\x08b"}})
			if tt.file == "a.bin" {
				bundle = rawTar(t, []arEntry{
					{name: ManifestFile, body: fmt.Sprintf(`{"models": [%s, %s]}`, single("a", "a.bin", neu), single("b", "sub/b.bin", []byte("\x08b")))},
					{name: "a.bin", body: string(neu)}, {name: "sub/b.bin", body: "\x08b"}})
			}
			if tt.rofs {
				r.manifestWriter = func(p string, _ []byte, _ fs.FileMode) error {
					return &os.PathError{Op: "open", Path: p, Err: syscall.EROFS}
				}
			}
			_, err := r.Import(t.Context(), bytes.NewReader(bundle), &ImportOptions{Overwrite: true})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Import = %v; want %v", err, tt.wantErr)
			}
			if after, _ := os.ReadFile(filepath.Join(dst, ManifestFile)); !bytes.Equal(before, after) {
				t.Errorf("manifest changed:\n%s", after)
			}
			if got, _ := os.ReadFile(filepath.Join(dst, tt.file)); !bytes.Equal(got, old) {
				t.Errorf("the local copy of a holds %d bytes, not its old %d", len(got), len(old))
			}
			if err := r.Verify(t.Context(), "a"); err != nil {
				t.Errorf("Verify(a) after the failed import = %v", err)
			}
			if got := dirSnapshot(t, dst); got != snap {
				t.Errorf("models directory after the failed import:\n%s\nwant:\n%s", got, snap)
			}
			if ents, _ := os.ReadDir(outside); len(ents) > 0 {
				t.Errorf("%d files written through the link", len(ents))
			}
		})
	}
}

// dirSnapshot lists the files under dir with their sizes, lock files
// aside.
func dirSnapshot(t *testing.T, dir string) string {
	t.Helper()
	var b bytes.Buffer
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || p == dir || filepath.Ext(p) == ".lock" {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		info, _ := d.Info()
		fmt.Fprintf(&b, "%s %v %d\n", rel, d.Type(), info.Size())
		return nil
	})
	return b.String()
}
