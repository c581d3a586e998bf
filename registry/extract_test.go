package registry

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

type arEntry struct {
	name string
	body string
	kind byte // tar type flag; 0 = regular file
	link string
}

func makeTarGz(t *testing.T, entries []arEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg, Linkname: e.link}
		if e.kind != 0 {
			h.Typeflag, h.Size = e.kind, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

func makeZip(t *testing.T, entries []arEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		if e.kind == tar.TypeSymlink {
			h.SetMode(os.ModeSymlink | 0o777)
		}
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e.body + e.link))
	}
	zw.Close()
	return buf.Bytes()
}

func TestExtractArchive(t *testing.T) {
	tests := []struct {
		name, file, version string
		data                func(t *testing.T) []byte
		want                map[string]string // path under the model dir → content
	}{
		{"tar.gz with own top dir", "m.tar.gz", "2", func(t *testing.T) []byte {
			return makeTarGz(t, []arEntry{{name: "m/", kind: tar.TypeDir}, {name: "m/saved_model.pb", body: "graph"}, {name: "m/variables/v.data", body: "vars"}})
		}, map[string]string{"saved_model.pb": "graph", "variables/v.data": "vars"}},
		{"tar.gz without top dir", "w.tgz", "", func(t *testing.T) []byte {
			return makeTarGz(t, []arEntry{{name: "./a.txt", body: "A"}, {name: "b/c.bin", body: "C"}})
		}, map[string]string{"a.txt": "A", "b/c.bin": "C"}},
		{"zip", "z.zip", "1.0", func(t *testing.T) []byte {
			return makeZip(t, []arEntry{{name: "other/", body: ""}, {name: "other/x.onnx", body: "onnx"}})
		}, map[string]string{"other/x.onnx": "onnx"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			store, _ := newStore(t, map[string][]byte{"k": data})
			d := t.TempDir()
			cfg := fmt.Sprintf(`{"store": %q, "key": "k", "extract_archive": true, "delete_archive": true}`, store)
			ver := "null"
			if tt.version != "" {
				ver = fmt.Sprintf("%q", tt.version)
			}
			writeManifest(t, d, fmt.Sprintf(`{"base_name": "a", "base_filename": %q, "version": %s, "sha256": %q, "manager": {"type": %q, "config": %s}}`,
				tt.file, ver, sha(data), testType, cfg))
			r := newTestRegistry(t, nil, d)
			p, err := r.Download(t.Context(), "a", nil)
			if err != nil {
				t.Fatal(err)
			}
			for rel, body := range tt.want {
				got, err := os.ReadFile(filepath.Join(p, filepath.FromSlash(rel)))
				if err != nil || string(got) != body {
					t.Errorf("%s = %q, %v; want %q", rel, got, err, body)
				}
			}
			if _, err := os.Stat(filepath.Join(d, VersionedFilename(tt.file, tt.version))); !os.IsNotExist(err) {
				t.Errorf("archive kept despite delete_archive: %v", err)
			}
			if ok, err := r.IsDownloaded(t.Context(), "a", &DownloadedOptions{Rehash: true}); !ok || err != nil {
				t.Errorf("IsDownloaded = %v, %v", ok, err)
			}
			lf, err := r.LocalFiles(t.Context(), "a")
			if err != nil || len(lf) != len(tt.want) {
				t.Errorf("LocalFiles = %+v, %v", lf, err)
			}
			// A forced download replaces the tree: stale files go.
			os.WriteFile(filepath.Join(p, "stale"), nil, 0o644)
			if _, err := r.Download(t.Context(), "a", &DownloadOptions{Force: true}); err != nil {
				t.Fatal(err)
			}
			if _, err := os.Stat(filepath.Join(p, "stale")); !os.IsNotExist(err) {
				t.Error("stale file survived a forced re-extraction")
			}
			os.Remove(filepath.Join(p, markerFile))
			if ok, _ := r.IsDownloaded(t.Context(), "a", nil); ok {
				t.Error("extraction without marker counts as downloaded")
			}
		})
	}
}

func TestExtractRefusesHostileArchives(t *testing.T) {
	big := string(bytes.Repeat([]byte("z"), 5000))
	tests := []struct {
		name string
		file string
		data func(t *testing.T) []byte
	}{
		{"zip slip", "h.tar.gz", func(t *testing.T) []byte { return makeTarGz(t, []arEntry{{name: "../evil", body: "x"}}) }},
		{"deep zip slip", "h.tar.gz", func(t *testing.T) []byte { return makeTarGz(t, []arEntry{{name: "a/../../evil", body: "x"}}) }},
		{"absolute", "h.tar.gz", func(t *testing.T) []byte { return makeTarGz(t, []arEntry{{name: "/tmp/evil", body: "x"}}) }},
		{"symlink", "h.tar.gz", func(t *testing.T) []byte {
			return makeTarGz(t, []arEntry{{name: "l", kind: tar.TypeSymlink, link: "/etc/passwd"}})
		}},
		{"hard link", "h.tar.gz", func(t *testing.T) []byte {
			return makeTarGz(t, []arEntry{{name: "l", kind: tar.TypeLink, link: "../x"}})
		}},
		{"device", "h.tar.gz", func(t *testing.T) []byte { return makeTarGz(t, []arEntry{{name: "d", kind: tar.TypeChar}}) }},
		{"zip slip in zip", "h.zip", func(t *testing.T) []byte { return makeZip(t, []arEntry{{name: "../../evil", body: "x"}}) }},
		{"symlink in zip", "h.zip", func(t *testing.T) []byte {
			return makeZip(t, []arEntry{{name: "l", kind: tar.TypeSymlink, link: "/etc/passwd"}})
		}},
		{"bomb", "h.tar.gz", func(t *testing.T) []byte { return makeTarGz(t, []arEntry{{name: "big", body: big}}) }},
		{"not an archive", "h.zip", func(t *testing.T) []byte { return []byte("\x00\x01 definitely not a zip") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.data(t)
			store, _ := newStore(t, map[string][]byte{"k": data})
			root := t.TempDir()
			d := filepath.Join(root, "models")
			cfg := fmt.Sprintf(`{"store": %q, "key": "k", "extract_archive": true}`, store)
			writeManifest(t, d, fmt.Sprintf(`{"base_name": "h", "base_filename": %q, "manager": {"type": %q, "config": %s}}`, tt.file, testType, cfg))
			r := newTestRegistry(t, &Options{MaxExtractSize: 1000}, d)
			_, err := r.Download(t.Context(), "h", nil)
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Download = %v; want ErrCorrupt", err)
			}
			assertNoFiles(t, d)
			if _, err := os.Stat(filepath.Join(root, "evil")); !os.IsNotExist(err) {
				t.Error("an entry escaped the target")
			}
		})
	}
}

// Archive bombs stop at the compression-ratio limit or the size cap, with an
// error naming the limit, and leave nothing behind; sparse tar entries are
// refused as what they are.
func TestExtractLimits(t *testing.T) {
	zeros := string(make([]byte, 4<<20)) // 4 MiB of zeros gzip to about 4 KiB
	bomb := makeTarGz(t, []arEntry{{name: "zeros", body: zeros}})
	text := makeTarGz(t, []arEntry{{name: "labels.txt", body: string(bytes.Repeat([]byte("person\n"), 20000))}})
	tests := []struct {
		name    string
		file    string
		data    []byte
		opts    *Options
		wantErr string // "" for success
		ratio   bool
	}{
		{"ratio limit (default)", "b.tar.gz", bomb, nil, "--max-extract-ratio", true},
		{"ratio limit (set)", "b.tar.gz", bomb, &Options{MaxExtractRatio: 10}, "--max-extract-ratio", true},
		{"size cap", "b.tar.gz", bomb, &Options{MaxExtractSize: 1 << 20, MaxExtractRatio: -1}, "--max-extract-size", false},
		{"ratio limit off", "b.tar.gz", bomb, &Options{MaxExtractRatio: -1}, "", false},
		{"small text archive under the 1 MiB floor", "t.tar.gz", text, nil, "", false},
		{"GNU sparse entry", "s.tar", gnuSparseTar(), nil, "sparse file", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _ := newStore(t, map[string][]byte{"k": tt.data})
			d := t.TempDir()
			cfg := fmt.Sprintf(`{"store": %q, "key": "k", "extract_archive": true}`, store)
			writeManifest(t, d, fmt.Sprintf(`{"base_name": "b", "base_filename": %q, "manager": {"type": %q, "config": %s}}`, tt.file, testType, cfg))
			r := newTestRegistry(t, tt.opts, d)
			_, err := r.Download(t.Context(), "b", nil)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Download = %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Download = %v; want ErrCorrupt naming %q", err, tt.wantErr)
			}
			if le, ok := errors.AsType[*ExtractLimitError](err); tt.wantErr != "sparse file" && (!ok || le.Ratio != tt.ratio || !errors.Is(err, ErrExtractLimit)) {
				t.Errorf("error %v: want an *ExtractLimitError with Ratio %v", err, tt.ratio)
			}
			assertNoFiles(t, d)
		})
	}
}

// gnuSparseTar returns a tar holding one old-GNU sparse entry ('S'), which
// archive/tar reads but cannot write: 5 stored bytes of a 1000-byte file.
func gnuSparseTar() []byte {
	h := make([]byte, 512)
	field := func(off int, v string) { copy(h[off:], v) }
	field(0, "s.bin")
	field(100, "0000644\x00")
	field(108, "0000000\x00")
	field(116, "0000000\x00")
	field(124, fmt.Sprintf("%011o\x00", 5))
	field(136, fmt.Sprintf("%011o\x00", 0))
	h[156] = tar.TypeGNUSparse
	field(257, "ustar  \x00")
	field(386, fmt.Sprintf("%011o\x00%011o\x00", 0, 5)) // one sparse entry: offset 0, 5 bytes
	field(483, fmt.Sprintf("%011o\x00", 1000))          // real size
	field(148, "        ")
	sum := 0
	for _, b := range h {
		sum += int(b)
	}
	field(148, fmt.Sprintf("%06o\x00 ", sum))
	data := make([]byte, 512)
	copy(data, "hello")
	return append(append(h, data...), make([]byte, 1024)...)
}

// TestExtractNotThroughLinks: the extraction directory reached through a
// symbolic link to elsewhere (a directory swapped for a link while the
// archive extracts) receives nothing: every file is made through an os.Root
// on the extraction directory.
func TestExtractNotThroughLinks(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, name := range []string{"sub/w.bin", "sub/deeper/x.bin"} {
		tw.WriteHeader(&tar.Header{Name: name, Typeflag: tar.TypeReg, Mode: 0o644, Size: 3})
		tw.Write([]byte("abc"))
	}
	tw.Close()
	src := filepath.Join(t.TempDir(), "a.tar")
	if err := os.WriteFile(src, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := extractArchive(t.Context(), src, ".tar", dir, extractLimit{max: 1 << 20}); err == nil {
		t.Error("extraction through a link out of its directory succeeded")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("written through the link: %v", ents)
	}
}
