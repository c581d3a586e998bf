package main

import (
	"bytes"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublishOCI publishes a model to the OCI registry that
// scripts/distribution.sh starts, sees the entry pinned to the manifest
// digest, and downloads it back after a flush.
func TestPublishOCI(t *testing.T) {
	host := os.Getenv("MODELREG_OCI_REGISTRY")
	if host == "" {
		const how = `no OCI registry (MODELREG_OCI_REGISTRY unset); from the repository root run: eval "$(scripts/distribution.sh start)"`
		if os.Getenv("CI") != "" {
			t.Fatal(how) // CI starts one: a missing registry is a broken setup, not a reason to skip
		}
		t.Skip(how)
	}
	dir, _, _ := fixture(t)
	body := append([]byte("\x08"), bytes.Repeat([]byte("oci"), 1000)...)
	src := filepath.Join(t.TempDir(), "fleet.bin")
	os.WriteFile(src, body, 0o644)
	ref := host + "/modelreg-test/cli-" + strings.ToLower(rand.Text()[:10]) + ":1"
	out := mustRun(t, "", "--dirs", dir, "publish", "--manager-type", "oci", "--manager-config", `{"reference": "`+ref+`"}`, "fleet@1", src)
	if !strings.Contains(out, "pinned: manager config") || !strings.Contains(out, ref+"@sha256:") {
		t.Fatalf("publish to %s:\n%s\nwant the entry pinned to the manifest digest", ref, out)
	}
	mustRun(t, "", "--dirs", dir, "flush", "fleet@1")
	path := strings.TrimSpace(mustRun(t, "", "--dirs", dir, "download", "fleet@1"))
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("download after flush: %q, %v; want the published bytes", path, err)
	}
	out = mustRun(t, "", "--dirs", dir, "delete", "--yes", "fleet@1")
	if !strings.Contains(out, "remote copy: deleted") {
		t.Fatalf("delete fleet@1:\n%s\nwant the artifact deleted from the registry", out)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("the local copy %s is still there after delete (%v)", path, err)
	}
}

// TestExportImportOCILayout moves two models through an OCI image layout
// to an offline site that cannot reach their store.
func TestExportImportOCILayout(t *testing.T) {
	dir, store, body := fixture(t)
	mustRun(t, "", "--dirs", dir, "download", "toy@1.9")
	mustRun(t, "", "--dirs", dir, "download", "toy@1.10")
	layout := filepath.Join(t.TempDir(), "layout")
	out := mustRun(t, "", "--dirs", dir, "export", "--oci-layout", layout, "toy@1.9", "toy@1.10")
	if !strings.Contains(out, "exported toy-v1.9, toy-v1.10 (2 files") {
		t.Errorf("export --oci-layout:\n%s", out)
	}
	if code, _, errs := cli(t, "", "--dirs", dir, "export", "--oci-layout", layout, "-o", "x.tar", "toy"); code != 2 || !strings.Contains(errs, "not both") {
		t.Errorf("export with -o and --oci-layout: exit %d, %q; want a usage error", code, errs)
	}
	if err := os.RemoveAll(store); err != nil {
		t.Fatal(err)
	}
	t.Setenv("MODELS_OFFLINE", "1")
	dst := filepath.Join(t.TempDir(), "site")
	out = mustRun(t, "", "--dirs", dst, "import", layout)
	if !strings.Contains(out, "added toy@1.10") || !strings.Contains(out, "imported 2 models (2 files") {
		t.Errorf("import of the layout:\n%s", out)
	}
	out = mustRun(t, "", "--dirs", dst, "download", "toy@1.9")
	if got, _ := os.ReadFile(strings.TrimSpace(out)); !bytes.Equal(got, body) {
		t.Errorf("toy@1.9 after import: %q", got)
	}
}
