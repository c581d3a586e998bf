package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// TestReservedAndCollidingNames: publish --filename manifest.json and
// register of a lock-file name are refused with a non-zero status, leaving
// the manifest alone; list shows colliding entries as invalid, with a
// warning naming the other entry, and the other models as usual.
func TestReservedAndCollidingNames(t *testing.T) {
	dir, store, _ := fixture(t)
	mpath := filepath.Join(dir, registry.ManifestFile)
	before, _ := os.ReadFile(mpath)
	src := filepath.Join(t.TempDir(), "w.bin")
	os.WriteFile(src, []byte("\x08weights"), 0o644)
	for _, args := range [][]string{
		{"publish", "--manager-type", "file", "--manager-config", `{"path": "remote/w.bin"}`, "--filename", "manifest.json", "w", src},
		{"register", "--url", "https://example.com/x", "--filename", ".manifest.json.lock", "x"},
		{"register", "--url", "https://example.com/x", "--filename", "toy-v1.10.onnx", "other"},
	} {
		code, _, errs := cli(t, "", append([]string{"--dirs", dir}, args...)...)
		if code == 0 || !strings.Contains(errs, "refused") && !strings.Contains(errs, "toy@1.10") {
			t.Errorf("models %s: exit %d, %q; want a refusal", strings.Join(args, " "), code, errs)
		}
	}
	if after, _ := os.ReadFile(mpath); string(after) != string(before) {
		t.Errorf("manifest changed:\n%s", after)
	}
	if _, err := os.Stat(filepath.Join(store, "remote")); err == nil {
		t.Errorf("publish uploaded before refusing")
	}

	// A hand-edited entry taking toy@1.10's file.
	data := strings.Replace(string(before), `"models": [`, `"models": [{"base_name": "b", "base_filename": "toy-v1.10.onnx", "version": null,
		"manager": {"type": "file", "config": {"path": "/nonexistent"}}},`, 1)
	os.WriteFile(mpath, []byte(data), 0o644)
	code, out, errs := cli(t, "", "--dirs", dir, "list")
	if code != 0 || !strings.Contains(errs, "toy@1.10") || !strings.Contains(errs, "model b") {
		t.Errorf("list: exit %d, warnings %q; want warnings naming b and toy@1.10", code, errs)
	}
	for _, line := range []string{"b ", "toy@1.10 ", "toy@1.9 "} {
		found := false
		for l := range strings.Lines(out) {
			if strings.HasPrefix(l, line) {
				found = true
				if want := line != "toy@1.9 "; strings.Contains(l, "invalid") != want {
					t.Errorf("list line %q: invalid %v, want %v", l, !want, want)
				}
			}
		}
		if !found {
			t.Errorf("list does not show %s:\n%s", line, out)
		}
	}
}
