package registry

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWrongSizeBytesIgnoreSize covers entries whose size_bytes is wrong
// upstream: the strict check holds by default, IgnoreSize lets the bytes
// through only when the sha256 (if any) matches, and says so in a warning.
func TestWrongSizeBytesIgnoreSize(t *testing.T) {
	data := bytesOf(1000, 7)
	tests := []struct {
		name     string
		extra    string
		ignore   bool
		wantErr  bool
		wantWarn bool
	}{
		{name: "strict by default", extra: `"size_bytes": 4000`, wantErr: true},
		{name: "strict, stated size too small", extra: `"size_bytes": 10`, wantErr: true},
		{name: "ignored, sha256 matches", extra: fmt.Sprintf(`"size_bytes": 4000, "sha256": %q`, sha(data)), ignore: true, wantWarn: true},
		{name: "ignored, stated size too small", extra: fmt.Sprintf(`"size_bytes": 10, "sha256": %q`, sha(data)), ignore: true, wantWarn: true},
		{name: "ignored, no sha256", extra: `"size_bytes": 4000`, ignore: true, wantWarn: true},
		{name: "ignored, sha256 still checked", extra: fmt.Sprintf(`"size_bytes": 4000, "sha256": %q`, sha([]byte("other"))), ignore: true, wantErr: true},
		{name: "ignored, size right", extra: fmt.Sprintf(`"size_bytes": 1000, "sha256": %q`, sha(data)), ignore: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _ := newStore(t, map[string][]byte{"k": data})
			d := t.TempDir()
			writeManifest(t, d, entry("m", "", "m.onnx", store, "k", tt.extra))
			var logs bytes.Buffer
			r := newTestRegistry(t, &Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, d)
			_, err := r.Download(t.Context(), "m", &DownloadOptions{IgnoreSize: tt.ignore})
			var de *DigestError
			if tt.wantErr {
				if !errors.As(err, &de) || !errors.Is(err, ErrCorrupt) {
					t.Fatalf("Download = %v; want a *DigestError", err)
				}
				assertNoFiles(t, d)
				return
			}
			if err != nil {
				t.Fatalf("Download = %v", err)
			}
			warned := strings.Contains(logs.String(), "level=WARN msg=\"size check skipped")
			if warned != tt.wantWarn {
				t.Errorf("warning logged = %v; want %v\n%s", warned, tt.wantWarn, logs.String())
			}
			if tt.wantWarn && (!strings.Contains(logs.String(), "model=m ") || !strings.Contains(logs.String(), "got=1000")) {
				t.Errorf("warning does not name the entry and the sizes:\n%s", logs.String())
			}
			// A second call with IgnoreSize is a no-op; without it, the copy
			// is still held to the manifest's size.
			if _, err := r.Download(t.Context(), "m", &DownloadOptions{IgnoreSize: true}); err != nil {
				t.Errorf("second Download with IgnoreSize = %v", err)
			}
			ok, _ := r.IsDownloaded(t.Context(), "m", nil)
			if ok == tt.wantWarn {
				t.Errorf("IsDownloaded = %v with the manifest's size_bytes %s", ok, tt.extra)
			}
		})
	}
}

// TestFixSize covers DownloadOptions.FixSize: after a download that ignored
// a wrong size_bytes, the entry is corrected to the sizes that arrived (one
// member of one entry changes), so that the copy then counts as downloaded;
// a copy already in place is measured instead; nothing is corrected when a
// sha256 fails or the sizes were right.
func TestFixSize(t *testing.T) {
	data, a, b := bytesOf(1000, 7), bytesOf(100, 8), bytesOf(200, 9)
	tests := []struct {
		name    string
		file    string // base_filename
		key     string
		extra   string
		first   bool   // download with IgnoreSize before the FixSize call
		wantErr bool   // the FixSize call fails, the manifest unchanged
		from    string // the member text before; "" when nothing changes
		to      string // and after
	}{
		{name: "no sha256", file: "m.onnx", key: "k", extra: `"size_bytes": 4000`, from: `"size_bytes": 4000`, to: `"size_bytes": 1000`},
		{name: "sha256 matches", file: "m.onnx", key: "k", extra: fmt.Sprintf(`"size_bytes": 10, "sha256": %q`, sha(data)),
			from: `"size_bytes": 10,`, to: `"size_bytes": 1000,`},
		{name: "copy already in place", file: "m.onnx", key: "k", extra: `"size_bytes": 4000`, first: true,
			from: `"size_bytes": 4000`, to: `"size_bytes": 1000`},
		{name: "sha256 fails", file: "m.onnx", key: "k", extra: fmt.Sprintf(`"size_bytes": 4000, "sha256": %q`, sha([]byte("x"))), wantErr: true},
		{name: "size right", file: "m.onnx", key: "k", extra: `"size_bytes": 1000`},
		{name: "one file of a multi-file model", file: "bundle", key: "pre",
			extra: fmt.Sprintf(`"files": [{"path": "a.bin", "size_bytes": 100, "sha256": %q}, {"path": "sub/b.bin", "size_bytes": 250}]`, sha(a)),
			from:  `{"path": "sub/b.bin", "size_bytes": 250}`, to: `{"path": "sub/b.bin", "size_bytes": 200}`},
		{name: "multi-file copy already in place", file: "bundle", key: "pre", first: true,
			extra: `"files": [{"path": "a.bin", "size_bytes": 90}, {"path": "sub/b.bin", "size_bytes": 200}]`,
			from:  `{"path": "a.bin", "size_bytes": 90}`, to: `{"path": "a.bin", "size_bytes": 100}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store, _ := newStore(t, map[string][]byte{"k": data, "pre/a.bin": a, "pre/sub/b.bin": b})
			d := t.TempDir()
			writeManifest(t, d, entry("m", "1", tt.file, store, tt.key, tt.extra), entry("other", "1", "o.onnx", store, "k", `"size_bytes": 1`))
			before, err := os.ReadFile(filepath.Join(d, ManifestFile))
			if err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			r := newTestRegistry(t, &Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))}, d)
			if tt.first {
				if _, err := r.Download(t.Context(), "m@1", &DownloadOptions{IgnoreSize: true}); err != nil {
					t.Fatal(err)
				}
			}
			_, err = r.Download(t.Context(), "m@1", &DownloadOptions{FixSize: true})
			after, rerr := os.ReadFile(filepath.Join(d, ManifestFile))
			if rerr != nil {
				t.Fatal(rerr)
			}
			if tt.wantErr {
				if !errors.Is(err, ErrCorrupt) || !bytes.Equal(after, before) {
					t.Fatalf("Download = %v; manifest:\n%s", err, after)
				}
				return
			}
			if err != nil {
				t.Fatalf("Download = %v", err)
			}
			want := before
			if tt.from != "" {
				want = bytes.Replace(before, []byte(tt.from), []byte(tt.to), 1)
				if bytes.Equal(want, before) {
					t.Fatalf("test bug: %s is not in\n%s", tt.from, before)
				}
			}
			if !bytes.Equal(after, want) {
				t.Errorf("manifest:\n%s\nwant:\n%s", after, want)
			}
			if fixed := strings.Contains(logs.String(), `msg="size_bytes corrected in the manifest"`); fixed != (tt.from != "") {
				t.Errorf("correction logged = %v:\n%s", fixed, logs.String())
			}
			r2 := newTestRegistry(t, nil, d)
			if ok, err := r2.IsDownloaded(t.Context(), "m@1", nil); !ok || err != nil {
				t.Errorf("IsDownloaded after FixSize = %v, %v", ok, err)
			}
		})
	}
}
