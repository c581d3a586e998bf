package registry_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// TestHTTPDownloadsThroughETAManifest serves models over HTTP to entries
// written in ETA's format, with the real http and file managers.
func TestHTTPDownloadsThroughETAManifest(t *testing.T) {
	model := []byte("\x08\x01binary model bytes, not a web page")
	sum := sha256.Sum256(model)
	hexSum := hex.EncodeToString(sum[:])
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/model.onnx":
			w.Write(model)
		case "/quota.onnx":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<!DOCTYPE html><html><title>Google Drive - Quota exceeded</title></html>"))
		case "/short.onnx":
			w.Write(model[:10])
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "mirror"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "mirror", "m.onnx"), model, 0o644); err != nil {
		t.Fatal(err)
	}
	eta := func(name, path, extra string) string {
		return fmt.Sprintf(`{"base_name": %q, "base_filename": "%s.onnx", "version": null,
			"manager": {"type": "eta.core.models.ETAModelManager", "config": {"url": "%s%s"}},
			"default_deployment_config_dict": null, "date_added": "2019-04-11 12:01:29"%s}`, name, name, srv.URL, path, extra)
	}
	manifest := `{"models": [` + strings.Join([]string{
		eta("good", "/model.onnx", fmt.Sprintf(`, "sha256": %q`, hexSum)),
		eta("quota", "/quota.onnx", ""),
		eta("short", "/short.onnx", fmt.Sprintf(`, "size_bytes": %d`, len(model))),
		eta("wrong", "/model.onnx", fmt.Sprintf(`, "sha256": %q`, strings.Repeat("0", 64))),
		eta("mirrored", "/missing.onnx", `, "mirrors": [{"type": "file", "config": {"path": "mirror/m.onnx"}}]`),
	}, ",") + `], "name": null, "url": null}`
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	yes := true
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), AllowDownloads: &yes, HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		wantErr error
	}{
		{"good", nil},
		{"quota", registry.ErrCorrupt},
		{"short", registry.ErrCorrupt},
		{"wrong", registry.ErrCorrupt},
		{"mirrored", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := reg.Download(t.Context(), tt.name, nil)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Download = %q, %v; want %v", p, err, tt.wantErr)
			}
			ok, _ := reg.IsDownloaded(t.Context(), tt.name, &registry.DownloadedOptions{Rehash: true})
			if ok != (tt.wantErr == nil) {
				t.Errorf("IsDownloaded = %v", ok)
			}
			if ok {
				got, _ := os.ReadFile(p)
				if string(got) != string(model) {
					t.Errorf("content = %q", got)
				}
			}
		})
	}
}
