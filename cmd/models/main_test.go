package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// cli runs the command in-process and returns its exit status and output.
func cli(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(t.Context(), args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// fixture makes a models dir with a registered file-managed model.
func fixture(t *testing.T) (dir, store string, body []byte) {
	t.Helper()
	for _, k := range []string{registry.EnvDirs, registry.EnvAllowDownloads, registry.EnvMaxVersionsToKeep, registry.EnvOffline} {
		t.Setenv(k, "")
	}
	root := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, "cache"))
	dir, store = filepath.Join(root, "models"), filepath.Join(root, "store")
	body = []byte("\x08\x02toy model weights")
	if err := os.MkdirAll(store, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"1.9", "1.10"} {
		if err := os.WriteFile(filepath.Join(store, "toy-"+v+".onnx"), body, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mustRun(t, "", "init", dir)
	for _, v := range []string{"1.9", "1.10"} {
		cfg := fmt.Sprintf(`{"path": %q}`, filepath.Join(store, "toy-"+v+".onnx"))
		mustRun(t, "", "--dirs", dir, "register", "--manager-type", "file", "--manager-config", cfg,
			"--filename", "toy.onnx", "--size", fmt.Sprint(len(body)), "--tags", "demo,onnx", "toy@"+v)
	}
	return dir, store, body
}

func mustRun(t *testing.T, stdin string, args ...string) string {
	t.Helper()
	code, out, errs := cli(t, stdin, args...)
	if code != 0 {
		t.Fatalf("models %s: exit %d\n%s%s", strings.Join(args, " "), code, out, errs)
	}
	return out
}

func TestListInfoFindDownloadVerify(t *testing.T) {
	dir, _, _ := fixture(t)
	out := mustRun(t, "", "--dirs", dir, "list")
	if !strings.Contains(out, "toy@1.10") || !strings.Contains(out, "toy@1.9") || !strings.Contains(out, "no") {
		t.Errorf("list:\n%s", out)
	}
	out = mustRun(t, "", "list", "--dirs", dir, "--json", "--search", "TOY@1.1", "--tags", "demo")
	var recs []struct {
		Name       string
		Downloaded *bool
	}
	if err := json.Unmarshal([]byte(out), &recs); err != nil || len(recs) != 1 || recs[0].Name != "toy@1.10" || *recs[0].Downloaded {
		t.Fatalf("list --json = %s (%v)", out, err)
	}
	want := filepath.Join(dir, "toy-v1.10.onnx")
	if out := mustRun(t, "", "--dirs", dir, "find", "toy"); strings.TrimSpace(out) != want {
		t.Errorf("find = %q; want %q", out, want)
	}
	code, out, errs := cli(t, "", "--dirs", dir, "download", "toy")
	if code != 0 || strings.TrimSpace(out) != want || !strings.Contains(errs, "verified") {
		t.Fatalf("download: %d %q %q", code, out, errs)
	}
	out = mustRun(t, "", "--dirs", dir, "info", "toy")
	if !strings.Contains(out, `"downloaded": true`) || !strings.Contains(out, `"base_filename": "toy.onnx"`) {
		t.Errorf("info:\n%s", out)
	}
	if out := mustRun(t, "", "--dirs", dir, "verify"); !strings.Contains(out, "ok    toy@1.10") {
		t.Errorf("verify:\n%s", out)
	}
	os.WriteFile(want, []byte("short"), 0o644)
	code, out, errs = cli(t, "", "--dirs", dir, "verify", "toy@1.10")
	if code != 1 || !strings.Contains(out, "FAIL  toy@1.10") || strings.Count(errs, "\n") != 1 {
		t.Errorf("verify of a corrupt copy: %d %q %q", code, out, errs)
	}
}

func TestExitCodes(t *testing.T) {
	dir, _, _ := fixture(t)
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{}, 0, ""},
		{[]string{"frobnicate"}, 2, "unknown command"},
		{[]string{"--dirs", dir, "find"}, 2, "wrong number of arguments"},
		{[]string{"--dirs", dir, "list", "--bogus"}, 2, "flag provided but not defined"},
		{[]string{"--dirs", dir, "flush"}, 2, "exactly one of"},
		{[]string{"--dirs", dir, "find", "toi"}, 1, `models: registry: model "toi" not found (did you mean "toy"?)` + "\n"},
		{[]string{"--dirs", dir, "init", dir}, 1, "is a models directory already"},
		{[]string{"help"}, 0, ""},
	}
	for _, tt := range tests {
		code, _, errs := cli(t, "", tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.err) {
			t.Errorf("models %v: exit %d, stderr %q; want %d, %q", tt.args, code, errs, tt.code, tt.err)
		}
		if code == 1 && strings.Count(errs, "\n") != 1 {
			t.Errorf("models %v: stderr is not one line: %q", tt.args, errs)
		}
	}
}

func TestFlushAndDelete(t *testing.T) {
	dir, store, _ := fixture(t)
	mustRun(t, "", "--dirs", dir, "download", "toy@1.9")
	mustRun(t, "", "--dirs", dir, "download", "toy@1.10")
	out := mustRun(t, "", "--dirs", dir, "flush", "--old", "--keep", "1", "--dry-run")
	if !strings.Contains(out, "would remove "+filepath.Join(dir, "toy-v1.9.onnx")) {
		t.Errorf("flush --old --dry-run:\n%s", out)
	}
	mustRun(t, "", "--dirs", dir, "flush", "--old", "--keep", "1")
	if _, err := os.Stat(filepath.Join(dir, "toy-v1.9.onnx")); !os.IsNotExist(err) {
		t.Error("old version still present")
	}
	code, _, errs := cli(t, "no\n", "--dirs", dir, "delete", "toy")
	if code != 1 || !strings.Contains(errs, "nothing deleted") {
		t.Errorf("declined delete: %d %q", code, errs)
	}
	out = mustRun(t, "y\n", "--dirs", dir, "delete", "toy")
	if !strings.Contains(out, "remote copy: deleted") {
		t.Errorf("delete:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(store, "toy-1.10.onnx")); !os.IsNotExist(err) {
		t.Error("remote copy (file manager) still present")
	}
	out = mustRun(t, "", "--dirs", dir, "list")
	if strings.Contains(out, "toy@1.10") || !strings.Contains(out, "toy@1.9") {
		t.Errorf("list after delete:\n%s", out)
	}
	out = mustRun(t, "", "--dirs", dir, "flush", "--all")
	if !strings.Contains(out, "removed 0 models") {
		t.Errorf("flush --all:\n%s", out)
	}
}

func TestPublish(t *testing.T) {
	dir, _, _ := fixture(t)
	src := filepath.Join(t.TempDir(), "new.onnx")
	os.WriteFile(src, []byte("\x08new weights"), 0o644)
	out := mustRun(t, "", "--dirs", dir, "publish", "--manager-type", "file", "--manager-config", `{"path": "remote/new.onnx"}`, "new@1", src)
	if !strings.Contains(out, "uploaded new@1") || !strings.Contains(out, "12 bytes") {
		t.Errorf("publish:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "remote", "new.onnx")); err != nil {
		t.Errorf("uploaded copy: %v", err)
	}
	if out := mustRun(t, "", "--dirs", dir, "verify", "new"); !strings.Contains(out, "ok    new") {
		t.Errorf("verify:\n%s", out)
	}
	code, _, errs := cli(t, "", "--dirs", dir, "register", "--dry-run", "--url", "https://example.com/x.onnx", "--filename", "toy.onnx", "toy")
	if code != 1 || !strings.Contains(errs, "versioned models of that name exist") {
		t.Errorf("register clash: %d %q", code, errs)
	}
}
