package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// gc lists a dead process's temp file in a dry run and removes it; it keeps
// the models.
func TestGCVerb(t *testing.T) {
	dir, _, body := fixture(t)
	mustRun(t, "", "--dirs", dir, "download", "toy")
	// A temp file named for a process that cannot exist on this host (pid
	// above the kernel's maximum is never alive).
	tmp := filepath.Join(dir, ".toy-v1.10.onnx.tmp-p2147483647."+hostTag(t)+".123")
	if err := os.WriteFile(tmp, []byte("partial"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "", "--dirs", dir, "gc", "--dry-run")
	if !strings.Contains(out, "would remove "+tmp+" (temporary file") {
		t.Errorf("gc --dry-run:\n%s", out)
	}
	if _, err := os.Stat(tmp); err != nil {
		t.Fatal("a dry run removed the temp file")
	}
	out = mustRun(t, "", "--dirs", dir, "gc")
	if !strings.Contains(out, "removed "+tmp) || !strings.Contains(out, ".manifest.json.lock (lock file") {
		t.Errorf("gc:\n%s", out)
	}
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Error("gc kept the dead process's temp file")
	}
	if got, err := os.ReadFile(filepath.Join(dir, "toy-v1.10.onnx")); err != nil || string(got) != string(body) {
		t.Errorf("gc harmed the model: %v", err)
	}
}

// hostTag returns the host part of this host's temp-file owner tags.
func hostTag(t *testing.T) string {
	t.Helper()
	parts := strings.Split(atomicfile.OwnerTag(), ".")
	if len(parts) < 2 {
		t.Fatalf("owner tag %q", atomicfile.OwnerTag())
	}
	return parts[1]
}
