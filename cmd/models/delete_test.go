package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDeleteSaysWhatItDeletes checks that the prompt lists the entry, the
// local copy and the remote copy by path, that --keep-remote keeps the
// source file, and that the output says what happened to each.
func TestDeleteSaysWhatItDeletes(t *testing.T) {
	dir, store, _ := fixture(t)
	mustRun(t, "", "--dirs", dir, "download", "toy@1.10")
	local := filepath.Join(dir, "toy-v1.10.onnx")
	remote := filepath.Join(store, "toy-1.10.onnx")
	code, _, errs := cli(t, "n\n", "--dirs", dir, "delete", "toy@1.10")
	for _, want := range []string{"entry in " + filepath.Join(dir, "manifest.json"), "local copy " + local, "remote copy " + remote} {
		if code != 1 || !strings.Contains(errs, want) {
			t.Errorf("declined delete: exit %d, prompt lacks %q:\n%s", code, want, errs)
		}
	}
	out := mustRun(t, "y\n", "--dirs", dir, "delete", "--keep-remote", "toy@1.10")
	for _, want := range []string{"removed toy@1.10 from", "removed " + local, "remote copy left: kept on request"} {
		if !strings.Contains(out, want) {
			t.Errorf("delete --keep-remote: output lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(remote); err != nil {
		t.Errorf("--keep-remote removed the source file: %v", err)
	}
	out = mustRun(t, "", "--dirs", dir, "delete", "--yes", "toy@1.9")
	if !strings.Contains(out, "deleted remote "+filepath.Join(store, "toy-1.9.onnx")) || !strings.Contains(out, "remote copy: deleted") {
		t.Errorf("delete --yes:\n%s", out)
	}
}
