package ocimanager_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/ocimanager"
)

// TestHostileBlobRedirects: a registry that redirects a blob to a URL that
// is not http or https (file:, ftp:) or in a loop fails the download at
// once with a permanent error wrapping ErrRedirect (it was retried as a
// transient failure), asking for the blob once, and installs nothing.
func TestHostileBlobRedirects(t *testing.T) {
	data := []byte("\x08weights behind a redirect")
	self := "/v2/hostile/blobs/" + digest.FromBytes(data).String()
	for _, c := range []struct {
		name, to string
		asks     int // blob requests of one attempt
	}{
		{"file", "file:///etc/passwd", 1},
		{"ftp", "ftp://127.0.0.1/blob", 1},
		{"no scheme host", "gopher:blob", 1},
		{"loop", self, 10},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := newHostileOCI(t, data, "toy.bin", func(h *hostileOCI) { h.redirect = c.to })
			dir := t.TempDir()
			entry := fmt.Sprintf(`{"models": [{"base_name": "toy", "base_filename": "toy.bin", "version": null,
				"manager": {"type": "oci", "config": {"reference": %q}}}]}`, h.repo()+":v1")
			if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(entry), 0o644); err != nil {
				t.Fatal(err)
			}
			r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = r.Download(t.Context(), "toy", nil)
			if !errors.Is(err, registry.ErrPermanent) || !errors.Is(err, ocimanager.ErrRedirect) {
				t.Errorf("Download: %v; want a permanent error wrapping ErrRedirect", err)
			}
			h.mu.Lock()
			asks := len(h.auth)
			h.mu.Unlock()
			if asks > c.asks {
				t.Errorf("the blob was asked for %d times; want %d (no retry)", asks, c.asks)
			}
			if _, err := os.Stat(filepath.Join(dir, "toy.bin")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("toy.bin after the failed download: %v; want none", err)
			}
		})
	}
}
