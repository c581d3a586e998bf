package registry

import (
	"archive/tar"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/internal/stamp"
)

// A local copy whose bytes differ from the manifest's sha256 but whose size
// matches must not count as downloaded, whichever shape the model has and
// however the bytes were changed: Download replaces it, IsDownloaded says
// false, and with downloads off the error says the copy is corrupt.
func TestPresentCopySameSizeOtherBytes(t *testing.T) {
	single := bytesOf(4096, 3)
	a, b := bytesOf(300, 5), bytesOf(700, 6)
	arch := makeTarGz(t, []arEntry{{name: "w/", kind: tar.TypeDir}, {name: "w/model.onnx", body: string(bytesOf(2000, 7))}, {name: "w/labels.txt", body: "cat\ndog\n"}})
	shapes := []struct {
		name   string
		entry  func(store string) string
		target func(p string) string // the file to tamper with, from the model's path
	}{
		{"single file", func(store string) string {
			return entry("m", "1", "m.onnx", store, "single", fmt.Sprintf(`"size_bytes": %d, "sha256": %q`, len(single), sha(single)))
		}, func(p string) string { return p }},
		{"multi-file", func(store string) string {
			return entry("m", "1", "bundle", store, "pre", fmt.Sprintf(`"files": [{"path": "a.bin", "size_bytes": 300, "sha256": %q}, {"path": "sub/b.bin", "size_bytes": 700, "sha256": %q}]`, sha(a), sha(b)))
		}, func(p string) string { return filepath.Join(p, "sub", "b.bin") }},
		{"extracted archive", func(store string) string {
			return fmt.Sprintf(`{"base_name": "m", "version": "1", "base_filename": "w.tar.gz", "sha256": %q, "manager": {"type": %q, "config": {"store": %q, "key": "arch", "extract_archive": true, "delete_archive": true}}}`,
				sha(arch), testType, store)
		}, func(p string) string { return filepath.Join(p, "model.onnx") }},
	}
	tampers := []struct {
		name string
		do   func(t *testing.T, p string)
	}{
		{"replaced (new inode)", func(t *testing.T, p string) {
			data, _ := os.ReadFile(p)
			tmp := p + ".evil"
			if err := os.WriteFile(tmp, bytes.Repeat([]byte{'E'}, len(data)), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Rename(tmp, p); err != nil {
				t.Fatal(err)
			}
		}},
		{"rewritten in place", func(t *testing.T, p string) {
			f, err := os.OpenFile(p, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte("EVIL"), 10); err != nil {
				t.Fatal(err)
			}
		}},
		{"stamp removed and bytes replaced", func(t *testing.T, p string) {
			os.Remove(stamp.Path(p))
			data, _ := os.ReadFile(p)
			if err := os.WriteFile(p, bytes.Repeat([]byte{'E'}, len(data)), 0o644); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, sh := range shapes {
		for _, tm := range tampers {
			t.Run(sh.name+"/"+tm.name, func(t *testing.T) {
				store, s := newStore(t, map[string][]byte{"single": single, "pre/a.bin": a, "pre/sub/b.bin": b, "arch": arch})
				d := t.TempDir()
				writeManifest(t, d, sh.entry(store))
				r := newTestRegistry(t, nil, d)
				p, err := r.Download(t.Context(), "m", nil)
				if err != nil {
					t.Fatal(err)
				}
				target := sh.target(p)
				good, err := os.ReadFile(target)
				if err != nil {
					t.Fatal(err)
				}
				tm.do(t, target)
				if ok, err := r.IsDownloaded(t.Context(), "m", nil); ok || err != nil {
					t.Errorf("IsDownloaded after tampering = %v, %v; want false, nil", ok, err)
				}
				off := newTestRegistry(t, &Options{AllowDownloads: new(false)}, d)
				if _, err := off.Download(t.Context(), "m", nil); !errors.Is(err, ErrCorrupt) || !errors.Is(err, ErrDownloadsDisabled) {
					t.Errorf("Download with downloads off = %v; want ErrCorrupt and ErrDownloadsDisabled", err)
				}
				calls := s.calls.Load()
				if _, err := r.Download(t.Context(), "m", nil); err != nil {
					t.Fatal(err)
				}
				if s.calls.Load() == calls {
					t.Error("the tampered copy was returned without a new download")
				}
				if got, _ := os.ReadFile(target); !bytes.Equal(got, good) {
					t.Error("Download returned a copy with other bytes than the published ones")
				}
				if ok, err := r.IsDownloaded(t.Context(), "m", nil); !ok || err != nil {
					t.Errorf("IsDownloaded after the new download = %v, %v", ok, err)
				}
			})
		}
	}
}

// A file already in place without a stamp (copied in by hand) counts once
// hashed, and is stamped so that the next check does not hash it again.
func TestPresentCopyUnstampedIsHashedOnce(t *testing.T) {
	data := bytesOf(1000, 2)
	store, s := newStore(t, map[string][]byte{"k": data})
	d := t.TempDir()
	writeManifest(t, d, entry("m", "", "m.bin", store, "k", fmt.Sprintf(`"size_bytes": 1000, "sha256": %q`, sha(data))))
	p := filepath.Join(d, "m.bin")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	r := newTestRegistry(t, nil, d)
	if got, err := r.Download(t.Context(), "m", nil); err != nil || got != p {
		t.Fatalf("Download = %q, %v", got, err)
	}
	if s.calls.Load() != 0 {
		t.Error("a present, correct copy was downloaded again")
	}
	if !stamp.Valid(p, sha(data)) {
		t.Error("the hashed copy was not stamped")
	}
}

// The files an extraction wrote are listed with the sizes and digests it
// recorded, so that loaders verify them too.
func TestLocalFilesOfExtractedArchiveCarryDigests(t *testing.T) {
	body := bytesOf(1500, 4)
	arch := makeTarGz(t, []arEntry{{name: "x.onnx", body: string(body)}})
	store, _ := newStore(t, map[string][]byte{"k": arch})
	d := t.TempDir()
	writeManifest(t, d, fmt.Sprintf(`{"base_name": "x", "base_filename": "x.tar.gz", "manager": {"type": %q, "config": {"store": %q, "key": "k", "extract_archive": true}}}`, testType, store))
	r := newTestRegistry(t, nil, d)
	if _, err := r.Download(t.Context(), "x", nil); err != nil {
		t.Fatal(err)
	}
	lf, err := r.LocalFiles(t.Context(), "x")
	if err != nil || len(lf) != 1 || lf[0].Size != 1500 || lf[0].SHA256 != sha(body) {
		t.Fatalf("LocalFiles = %+v, %v; want x.onnx with its size and sha256", lf, err)
	}
}
