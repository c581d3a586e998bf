package gdrivemanager_test

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/gdrivemanager"
)

type failingTransport struct{ t *testing.T }

func (f failingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f.t.Errorf("request to %s", req.URL)
	return nil, errors.New("no network in this test")
}

// TestDeleteDriveEntryWithoutCredentials covers an ETA entry stored on
// Google Drive, deleted without Drive credentials: the local copy and the
// entry go, the remote copy is left and the report says why, with no
// request to Drive.
func TestDeleteDriveEntryWithoutCredentials(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("CLOUDSDK_CONFIG", home)
	t.Setenv(gdrivemanager.EnvCredentials, "")
	dir := t.TempDir()
	manifest := fmt.Sprintf(`{"models": [{"base_name": "d", "base_filename": "d.onnx", "version": null,
		"manager": {"type": %q, "config": {"google_drive_id": "1AbCdEfGhIjKlMnOpQrStUvWxYz012345"}}}]}`, registry.ETAManagerType)
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	local := filepath.Join(dir, "d.onnx")
	if err := os.WriteFile(local, []byte("\x08drive model"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), HTTPClient: &http.Client{Transport: failingTransport{t}}})
	if err != nil {
		t.Fatal(err)
	}
	var plan *registry.DeletePlan
	rep, err := r.Delete(t.Context(), "d", &registry.DeleteOptions{Confirm: func(p *registry.DeletePlan) bool { plan = p; return true }})
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if !rep.EntryRemoved || rep.Remote != registry.RemoteLeft || !strings.Contains(rep.RemoteReason, "needs credentials") {
		t.Errorf("report = %+v", rep)
	}
	if len(plan.Remote) != 0 || !strings.Contains(plan.KeepReason, "needs credentials") {
		t.Errorf("plan = %+v; want the remote copy listed as left", plan)
	}
	if _, err := os.Stat(local); !os.IsNotExist(err) {
		t.Errorf("local copy: %v; want it removed", err)
	}
}
