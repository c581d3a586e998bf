package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

func TestExportImport(t *testing.T) {
	for _, name := range []string{"bundle.tar", "bundle.tgz"} {
		t.Run(name, func(t *testing.T) {
			dir, store, body := fixture(t)
			mustRun(t, "", "--dirs", dir, "download", "toy@1.9")
			mustRun(t, "", "--dirs", dir, "download", "toy@1.10")
			bundle := filepath.Join(t.TempDir(), name)
			out := mustRun(t, "", "--dirs", dir, "export", "toy@1.9", "toy", "-o", bundle)
			if !strings.Contains(out, "exported toy@1.9, toy@1.10 (2 files") {
				t.Errorf("export:\n%s", out)
			}
			if data, _ := os.ReadFile(bundle); (data[0] == 0x1f) != strings.HasSuffix(name, ".tgz") {
				t.Errorf("%s: gzip magic %x", name, data[:2])
			}
			// The site has no network and no access to the store.
			if err := os.RemoveAll(store); err != nil {
				t.Fatal(err)
			}
			t.Setenv(registry.EnvOffline, "1")
			dst := filepath.Join(t.TempDir(), "site")
			out = mustRun(t, "", "--dirs", dst, "import", bundle)
			if !strings.Contains(out, "added toy@1.10") || !strings.Contains(out, "imported 2 models (2 files") {
				t.Errorf("import:\n%s", out)
			}
			out = mustRun(t, "", "--dirs", dst, "download", "toy")
			if got, _ := os.ReadFile(strings.TrimSpace(out)); !bytes.Equal(got, body) {
				t.Errorf("download after import = %q: %q", out, got)
			}
			if out := mustRun(t, "", "--dirs", dst, "verify"); strings.Count(out, "ok ") != 2 {
				t.Errorf("verify after import:\n%s", out)
			}
			out = mustRun(t, "", "--dirs", dst, "import", bundle)
			if !strings.Contains(out, "skipped toy@1.9 (already there)") || !strings.Contains(out, "imported 0 models") {
				t.Errorf("second import:\n%s", out)
			}
		})
	}
}

func TestImportFromStdinAndDir(t *testing.T) {
	dir, _, _ := fixture(t)
	mustRun(t, "", "--dirs", dir, "download", "toy")
	code, bundle, errs := cli(t, "", "--dirs", dir, "export", "-o", "-", "toy")
	if code != 0 || !strings.Contains(errs, "exported toy@1.10") {
		t.Fatalf("export -o -: %d %q", code, errs)
	}
	dst := t.TempDir()
	out := mustRun(t, bundle, "import", "--dir", dst, "-")
	if !strings.Contains(out, "into "+dst) {
		t.Errorf("import --dir:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dst, "toy-v1.10.onnx")); err != nil {
		t.Error(err)
	}
}

func TestBundleErrors(t *testing.T) {
	dir, _, _ := fixture(t)
	mustRun(t, "", "--dirs", dir, "download", "toy")
	tmp := t.TempDir()
	bundle := filepath.Join(tmp, "b.tar")
	mustRun(t, "", "--dirs", dir, "export", "-o", bundle, "toy")
	data, _ := os.ReadFile(bundle)
	i := bytes.Index(data, []byte("toy model weights"))
	data[i] ^= 0xff
	tampered := filepath.Join(tmp, "tampered.tar")
	os.WriteFile(tampered, data, 0o644)
	conflict := t.TempDir()
	mustRun(t, "", "init", conflict)
	mustRun(t, "", "--dirs", conflict, "register", "--url", "https://example.com/toy.onnx", "--filename", "toy.onnx", "--size", "3", "toy@1.10")
	tests := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"--dirs", dir, "export", "toy"}, 2, "-o FILE is required"},
		{[]string{"--dirs", dir, "export", "-o", bundle}, 2, "wrong number of arguments"},
		{[]string{"--dirs", dir, "import"}, 2, "wrong number of arguments"},
		{[]string{"--dirs", dir, "export", "-o", filepath.Join(tmp, "x.tar"), "toy@1.9"}, 1, "not downloaded"},
		{[]string{"--dirs", dir, "export", "-o", filepath.Join(tmp, "x.tar"), "nope"}, 1, `model "nope" not found`},
		{[]string{"--dirs", t.TempDir(), "import", filepath.Join(tmp, "absent.tar")}, 1, "no such file"},
		{[]string{"--dirs", t.TempDir(), "import", tampered}, 1, "sha256"},
		{[]string{"--dirs", conflict, "import", bundle}, 1, "--overwrite"},
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
	if _, err := os.Stat(filepath.Join(tmp, "x.tar")); !os.IsNotExist(err) {
		t.Error("a failed export left a bundle")
	}
	out := mustRun(t, "", "--dirs", conflict, "import", "--overwrite", bundle)
	if !strings.Contains(out, "replaced toy@1.10") {
		t.Errorf("import --overwrite:\n%s", out)
	}
	mustRun(t, "", "--dirs", conflict, "verify", "toy")
}
