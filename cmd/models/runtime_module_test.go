package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/loader"
)

// npmCachedORT is where npm's cache keeps onnxruntime-node 1.30.0's
// tarball, relative to the home directory (scripts/install-ort.sh puts it
// there; loader/install's TestRuntimeRealNPMTarball uses it too).
const npmCachedORT = ".npm/_cacache/content-v2/sha512/b7/08/6cd42d82fc1164cf5c9ce4e634288536194aba0d444eee10f86f1e50d90cb79c0309c115d6f31537355733136f5503d96894b3987a9a03f1f8d318e7c8ab"

// TestRuntimeInstallFromAnotherModule does what a user of this module
// does: in a new module that requires this one (replaced by this checkout),
// "go run github.com/modelreg/modelreg/cmd/models runtime install" installs
// ONNX Runtime 1.30.0 from an npm registry (a local server serving the real
// onnxruntime-node tarball from npm's cache), and loader.Find then finds
// the library in the directory it searches. Offline: GOPROXY=off with the
// current module cache.
func TestRuntimeInstallFromAnotherModule(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command in a new module and unpacks 113 MB")
	}
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Skip("the cached tarball is checked on linux/amd64")
	}
	home, _ := os.UserHomeDir()
	tarball := filepath.Join(home, npmCachedORT)
	if _, err := os.Stat(tarball); err != nil {
		skipOrFail(t, "no onnxruntime-node 1.30.0 in npm's cache (scripts/install-ort.sh puts it there): %v", err)
	}
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command")
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/onnxruntime-node/-/onnxruntime-node-1.30.0.tgz" {
			http.NotFound(w, r)
			return
		}
		http.ServeFile(w, r, tarball)
	}))
	defer srv.Close()

	checkout, err := filepath.Abs(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	mod := t.TempDir()
	gomod := "module example.com/app\n\ngo 1.26.0\n\nrequire github.com/modelreg/modelreg v0.0.0\n\nreplace github.com/modelreg/modelreg => " + checkout + "\n"
	sums, err := os.ReadFile(filepath.Join(checkout, "go.sum"))
	if err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string][]byte{"go.mod": []byte(gomod), "go.sum": sums} {
		if err := os.WriteFile(filepath.Join(mod, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ortDir := filepath.Join(t.TempDir(), "ort")
	t.Setenv(loader.EnvInstallDir, ortDir)
	t.Setenv(loader.EnvLibraryPath, "")

	cmd := exec.CommandContext(t.Context(), goBin, "run", "github.com/modelreg/modelreg/cmd/models", "runtime", "install", "--registry", srv.URL)
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod", "GOPROXY=off", "GOSUMDB=off", "GOWORK=off", "GOTOOLCHAIN=local",
		loader.EnvInstallDir+"="+ortDir, loader.EnvLibraryPath+"=")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("go run .../cmd/models runtime install: %v\n%s%s", err, stdout.String(), stderr.String())
	}
	installed := strings.TrimSpace(stdout.String())
	if filepath.Dir(installed) != ortDir {
		t.Fatalf("installed at %q; want a file in %s\nstderr: %s", installed, ortDir, stderr.String())
	}
	found, err := loader.Find(nil)
	if err != nil {
		t.Fatalf("loader.Find after the install: %v", err)
	}
	if found != installed {
		t.Errorf("loader.Find = %s; want the installed %s", found, installed)
	}
	t.Logf("%s", strings.TrimSpace(stderr.String()))
}

// skipOrFail skips the test, except in CI (CI set), which provides what it
// needs: there a missing component fails it.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf(format+" (CI provides it: scripts/test.sh runs npm cache add onnxruntime-node@1.30.0)", args...)
	}
	t.Skipf(format, args...)
}
