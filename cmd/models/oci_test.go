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
		t.Skip(`no OCI registry (MODELREG_OCI_REGISTRY unset); from the repository root run: eval "$(scripts/distribution.sh start)"`)
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
}
