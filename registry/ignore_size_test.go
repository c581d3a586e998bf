package registry

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
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
