package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// Secrets in manager configs (a URL's password, a token in its query, a
// SAS signature in a mirror) appear in no output of any verb: records,
// listings, errors, prompts.
func TestCLINeverPrintsSecrets(t *testing.T) {
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	secrets := []string{"s3cretPassw0rd", "t0kenValue42", "Sig+Value%3D99", "Sig+Value=99", "gdriveKey77"}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "denied", http.StatusForbidden)
	}))
	defer srv.Close()
	root := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, "cache"))
	dir := filepath.Join(root, "models")
	host := strings.TrimPrefix(srv.URL, "http://")
	secretURL := fmt.Sprintf("http://alice:s3cretPassw0rd@%s/m.onnx?token=t0kenValue42&v=1", host)
	mirror := fmt.Sprintf("http://%s/m2.onnx?sv=2022&sig=Sig+Value%%3D99&key=gdriveKey77", host)
	manifest := fmt.Sprintf(`{"models": [
		{"base_name": "sec", "base_filename": "m.onnx", "version": "1", "size_bytes": 10,
		 "manager": {"type": "http", "config": {"url": %q, "password": "s3cretPassw0rd"}},
		 "mirrors": [{"type": "http", "config": {"url": %q}}]},
		{"base_name": "bad", "base_filename": "../escape.onnx", "manager": {"type": "http", "config": {"url": %q}}}
	]}`, secretURL, mirror, secretURL)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, registry.ManifestFile), []byte(manifest), 0o644); err != nil {
		t.Fatal(err)
	}
	verbs := []struct {
		stdin string
		args  []string
		code  int // wanted exit status
	}{
		{"", []string{"list"}, 0},
		{"", []string{"list", "--json"}, 0},
		{"", []string{"info", "sec"}, 0},
		{"", []string{"info", "bad"}, 1},
		{"", []string{"find", "sec"}, 0},
		{"", []string{"download", "sec"}, 1},
		{"", []string{"verify", "sec"}, 1},
		{"", []string{"flush", "--dry-run", "sec"}, 0},
		{"n\n", []string{"delete", "sec"}, 1},
		{"", []string{"export", "-o", filepath.Join(root, "b.tar"), "sec"}, 1},
		{"", []string{"gc", "--dry-run"}, 0},
	}
	for _, v := range verbs {
		args := append([]string{"--no-catalog", "--dirs", dir}, v.args...)
		code, out, errs := cli(t, v.stdin, args...)
		if code != v.code {
			t.Errorf("models %s: exit %d, want %d\n%s%s", strings.Join(v.args, " "), code, v.code, out, errs)
		}
		for _, s := range secrets {
			if strings.Contains(out+errs, s) {
				t.Errorf("models %s printed the secret %q:\n%s%s", strings.Join(v.args, " "), s, out, errs)
			}
		}
		if v.args[0] == "info" && v.code == 0 && !strings.Contains(out, host) {
			t.Errorf("info hides where the model comes from:\n%s", out)
		}
	}
}
