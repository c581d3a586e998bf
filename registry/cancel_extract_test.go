package registry

import (
	"archive/tar"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// TestCancelledExtractionKeepsArchive cancels a download while it extracts
// the archive it has just downloaded and verified: Download returns the
// context's error, and the next Download extracts the archive it kept
// instead of downloading it again, then deletes it if the entry says so.
func TestCancelledExtractionKeepsArchive(t *testing.T) {
	for _, del := range []bool{false, true} {
		t.Run(fmt.Sprint("delete_archive=", del), func(t *testing.T) {
			data := makeTarGz(t, []arEntry{{name: "m/", kind: tar.TypeDir}, {name: "m/model.onnx", body: "graph"}})
			store, s := newStore(t, map[string][]byte{"k": data})
			d := t.TempDir()
			cfg := fmt.Sprintf(`{"store": %q, "key": "k", "extract_archive": true, "delete_archive": %v}`, store, del)
			writeManifest(t, d, fmt.Sprintf(`{"base_name": "m", "base_filename": "m.tar.gz", "version": null, "sha256": %q, "manager": {"type": %q, "config": %s}}`,
				sha(data), testType, cfg))
			r := newTestRegistry(t, nil, d)
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			_, err := r.Download(ctx, "m", &DownloadOptions{Progress: func(e Event) {
				if e.Kind == EventExtract {
					cancel()
				}
			}})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("Download cancelled during extraction = %v; want context.Canceled", err)
			}
			p, err := r.Download(t.Context(), "m", nil)
			if err != nil {
				t.Fatal(err)
			}
			if n := s.calls.Load(); n != 1 {
				t.Errorf("the archive was downloaded %d times; want once, the cancelled extraction keeping it", n)
			}
			if got, err := os.ReadFile(filepath.Join(p, "model.onnx")); err != nil || string(got) != "graph" {
				t.Errorf("model.onnx = %q, %v; want %q", got, err, "graph")
			}
			_, err = os.Stat(mustGet(t, r, "m").filePath())
			if kept := err == nil; kept == del {
				t.Errorf("archive kept = %v after the extraction; want %v (delete_archive %v)", kept, !del, del)
			}
		})
	}
}
