package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublishRefusesAnotherEntrysObject checks that publish names the entry
// that owns the remote object and overwrites it only with --force.
func TestPublishRefusesAnotherEntrysObject(t *testing.T) {
	dir, _, _ := fixture(t)
	tmp := t.TempDir()
	for i, body := range []string{"\x08one", "\x08two"} {
		os.WriteFile(filepath.Join(tmp, string(rune('1'+i))), []byte(body), 0o644)
	}
	cfg := `{"path": "remote/c.onnx"}`
	mustRun(t, "", "--dirs", dir, "publish", "--manager-type", "file", "--manager-config", cfg, "c@1", filepath.Join(tmp, "1"))
	code, _, errs := cli(t, "", "--dirs", dir, "publish", "--manager-type", "file", "--manager-config", cfg, "c@2", filepath.Join(tmp, "2"))
	if code != 1 || !strings.Contains(errs, "belongs to c@1") {
		t.Errorf("publish over c@1: exit %d, %q", code, errs)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "remote", "c.onnx")); string(got) != "\x08one" {
		t.Errorf("c@1's object = %q", got)
	}
	out := mustRun(t, "", "--dirs", dir, "publish", "--force", "--manager-type", "file", "--manager-config", cfg, "c@2", filepath.Join(tmp, "2"))
	if !strings.Contains(out, "uploaded c@2") {
		t.Errorf("publish --force:\n%s", out)
	}
}
