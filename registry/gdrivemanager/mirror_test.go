package gdrivemanager_test

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/gdrivemanager"
)

// TestMirrorFromEnvironment: a company mirror of Drive's public download
// route, set by MODELREG_GDRIVE_ANONYMOUS_URL, serves a manifest's Drive
// entry; a malformed value is a permanent error naming the variable.
func TestMirrorFromEnvironment(t *testing.T) {
	payload := []byte("weights from the mirror")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/mirror/download" || r.URL.Query().Get("id") != "1AbCdEf" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(payload)
	}))
	defer srv.Close()
	t.Setenv(gdrivemanager.EnvCredentials, "")
	t.Setenv(gdrivemanager.EnvCloudSDKConfig, t.TempDir()) // no gcloud credentials: the anonymous route
	dir := t.TempDir()
	manifest := fmt.Sprintf(`{"models": [{"base_name": "m", "base_filename": "m.bin", "size_bytes": %d,
		"manager": {"type": "gdrive", "config": {"google_drive_id": "1AbCdEf"}}}]}`, len(payload))
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}

	t.Setenv(gdrivemanager.EnvAnonymousURL, "drive-mirror.local/download")
	if _, err := reg.Download(t.Context(), "m", nil); !errors.Is(err, registry.ErrPermanent) {
		t.Errorf("Download with a malformed %s: %v; want an error wrapping ErrPermanent", gdrivemanager.EnvAnonymousURL, err)
	}

	t.Setenv(gdrivemanager.EnvAnonymousURL, srv.URL+"/mirror/download")
	p, err := reg.Download(t.Context(), "m", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(p); err != nil || string(got) != string(payload) {
		t.Errorf("downloaded %q, %v; want the mirror's bytes", got, err)
	}
}
