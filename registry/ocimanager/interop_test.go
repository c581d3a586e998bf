package ocimanager_test

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// orasCLI runs the oras CLI in dir with a Docker config directory of its own
// and returns its output; it fails t on error.
func orasCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	bin := needEnv(t, "MODELREG_ORAS_BIN", "oras CLI")
	cmd := exec.CommandContext(t.Context(), bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DOCKER_CONFIG="+t.TempDir(), "HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("oras %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestOrasInterop: a multi-file model pushed by the oras CLI (one titled
// layer per file) downloads as an entry with files, and a model published
// here pulls with oras pull under its file name.
func TestOrasInterop(t *testing.T) {
	repo := uniqueRepo(registryHost(t))
	needEnv(t, "MODELREG_ORAS_BIN", "oras CLI")
	src := t.TempDir()
	files := map[string][]byte{"weights.bin": []byte(strings.Repeat("w", 70_000)), "cfg/config.json": []byte(`{"classes": 80}`)}
	var entryFiles []registry.File
	for _, name := range []string{"weights.bin", "cfg/config.json"} {
		p := filepath.Join(src, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			t.Fatal(err)
		}
		size := int64(len(files[name]))
		entryFiles = append(entryFiles, registry.File{Path: name, SizeBytes: &size, SHA256: sha256Hex(files[name])})
	}
	orasCLI(t, src, "push", "--plain-http", "--artifact-type", "application/vnd.cncf.model.manifest.v1+json", repo+":kit-1",
		"weights.bin:application/vnd.cncf.model.weight.v1.raw", "cfg/config.json:application/vnd.cncf.model.weight.config.v1.raw")

	r, _ := newRegistry(t, false)
	e := &registry.Model{BaseName: "kit", Version: "1", BaseFilename: "kit", Files: entryFiles, Manager: ociSpec(repo + ":kit-1")}
	if _, err := r.Register(t.Context(), e, nil); err != nil {
		t.Fatal(err)
	}
	p, err := r.Download(t.Context(), "kit@1", nil)
	if err != nil {
		t.Fatalf("Download of the oras-pushed model: %v", err)
	}
	for name, want := range files {
		checkFile(t, filepath.Join(p, filepath.FromSlash(name)), want)
	}

	// The other way: publish here, pull with oras.
	f, data, _ := writeFile(t, "detector.onnx.bin", 50_000)
	if _, err := r.Publish(t.Context(), f, &registry.Model{BaseName: "detector", Version: "2", Manager: ociSpec(repo + ":detector-2")}, nil); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	orasCLI(t, out, "pull", "--plain-http", "-o", out, repo+":detector-2")
	checkFile(t, filepath.Join(out, "detector.onnx.bin"), data)
	if m := orasCLI(t, out, "manifest", "fetch", "--plain-http", repo+":detector-2"); !strings.Contains(m, "application/vnd.cncf.model.manifest.v1+json") {
		t.Errorf("oras manifest fetch: %s; want the ModelPack artifact type", m)
	}
}

// TestDockerConfigAuth: the credentials docker login writes
// (DOCKER_CONFIG/config.json) open a registry with htpasswd auth; a wrong
// password or none is a permanent error that does not show the password.
func TestDockerConfigAuth(t *testing.T) {
	const user, password = "fleet", "pa55-w0rd-right"
	host, _ := startRegistry(t, htpasswdConfig(t, user, password), true)
	repo := uniqueRepo(host)
	f, data, _ := writeFile(t, "auth.bin", 100_000)
	tests := []struct {
		name, password string
		ok             bool
	}{
		{"right password", password, true},
		{"wrong password", "wrong-s3cret-value", false},
		{"no credentials", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dc := t.TempDir()
			cfg := `{"auths": {}}`
			if tt.password != "" {
				auth := base64.StdEncoding.EncodeToString([]byte(user + ":" + tt.password))
				cfg = fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, host, auth)
			}
			if err := os.WriteFile(filepath.Join(dc, "config.json"), []byte(cfg), 0o600); err != nil {
				t.Fatal(err)
			}
			t.Setenv("DOCKER_CONFIG", dc)
			r, _ := newRegistry(t, false)
			m := &registry.Model{BaseName: "auth", Version: "1", Manager: ociSpec(repo + ":1")}
			_, err := r.Publish(t.Context(), f, m, &registry.PublishOptions{Force: true})
			if tt.ok {
				if err != nil {
					t.Fatalf("Publish: %v", err)
				}
				if _, err := r.Flush(t.Context(), "auth@1", nil); err != nil {
					t.Fatal(err)
				}
				p, err := r.Download(t.Context(), "auth@1", nil)
				if err != nil {
					t.Fatalf("Download: %v", err)
				}
				checkFile(t, p, data)
				return
			}
			if !errors.Is(err, registry.ErrPermanent) || errors.Is(err, registry.ErrNotFound) {
				t.Errorf("Publish = %v; want a permanent error, not ErrNotFound", err)
			}
			if err != nil && tt.password != "" && strings.Contains(err.Error(), tt.password) {
				t.Errorf("the error shows the password: %v", err)
			}
			t.Logf("refused: %v", err)
		})
	}
}
