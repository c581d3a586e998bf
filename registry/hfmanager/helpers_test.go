package hfmanager_test

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/hfmanager"
	"github.com/modelreg/modelreg/registry/hfmanager/hubtest"
)

// isolate keeps the tests from the machine's Hugging Face settings.
func isolate(t *testing.T) {
	t.Helper()
	for _, k := range []string{hfmanager.EnvToken, hfmanager.EnvTokenPath, hfmanager.EnvEndpoint, hfmanager.EnvOffline, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	t.Setenv(hfmanager.EnvHome, t.TempDir())
}

// newHub starts a local Hub for the test.
func newHub(t *testing.T) *hubtest.Server {
	t.Helper()
	s := hubtest.New()
	t.Cleanup(s.Close)
	return s
}

// newManager returns a Manager for the model repo id on hub at revision.
func newManager(t *testing.T, hub *hubtest.Server, id, revision, token string) *hfmanager.Manager {
	t.Helper()
	m, err := hfmanager.New(hfmanager.Repo{ID: id, Revision: revision},
		&hfmanager.Options{Endpoint: hub.URL(), Client: hub.Client(), Token: token})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// lfs reports whether the tests store a file in LFS: all but text files,
// as the Hub's default .gitattributes does for model weights.
func lfs(p string) bool { return path.Ext(p) != ".txt" && path.Ext(p) != ".json" }

// sum returns the sha256 of b in hex.
func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// newRegistry writes a manifest holding the entries (JSON objects) to a
// new models directory and returns a registry over it, and the directory.
func newRegistry(t *testing.T, hub *hubtest.Server, entries string) (*registry.Registry, string) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(`{"models": [`+entries+`]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv(hfmanager.EnvEndpoint, hub.URL())
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: t.TempDir(), HTTPClient: hub.Client()})
	if err != nil {
		t.Fatal(err)
	}
	return reg, dir
}
