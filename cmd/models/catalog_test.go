package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The bundled catalog is searched after the search path, its models install
// into the (here private) user cache, and --no-catalog leaves it out.
func TestBundledCatalog(t *testing.T) {
	dir, _, _ := fixture(t)
	out := mustRun(t, "", "--dirs", dir, "list")
	for _, name := range []string{"toy@1.10", "yolox-nano-coco", "picodet-s-320-coco"} {
		if !strings.Contains(out, name) {
			t.Errorf("list does not show %s:\n%s", name, out)
		}
	}
	out = mustRun(t, "", "--dirs", dir, "--no-catalog", "list")
	if strings.Contains(out, "yolox-nano-coco") {
		t.Errorf("list --no-catalog shows the bundled catalog:\n%s", out)
	}
	path := strings.TrimSpace(mustRun(t, "", "--dirs", dir, "download", "yolox-nano-coco"))
	cache := filepath.Join(filepath.Dir(dir), "cache")
	if !strings.HasPrefix(path, cache) {
		t.Errorf("bundled model downloaded to %s; want under the user cache %s", path, cache)
	}
	mustRun(t, "", "--dirs", dir, "verify", "yolox-nano-coco")
}
