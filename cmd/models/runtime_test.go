package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
)

// npmLikeTarball is a gzipped tarball laid out like npm's onnxruntime-node,
// with lib as this platform's library.
func npmLikeTarball(t *testing.T, lib string) []byte {
	t.Helper()
	b, err := npmLikeTarballBytes(lib)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func npmLikeTarballBytes(lib string) ([]byte, error) {
	dirs := map[string]string{"linux": "linux", "darwin": "darwin", "windows": "win32", "amd64": "x64", "arm64": "arm64"}
	name := map[string]string{"linux": "libonnxruntime.so.1", "darwin": "libonnxruntime.9.9.9.dylib", "windows": "onnxruntime.dll"}[runtime.GOOS]
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range []struct{ name, body string }{
		{"package/package.json", "{}"},
		{path.Join("package/bin/napi-v6", dirs[runtime.GOOS], dirs[runtime.GOARCH], name), lib},
		{path.Join("package/bin/napi-v6", dirs[runtime.GOOS], dirs[runtime.GOARCH], "DirectML.dll"), "dml"},
	} {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f.body))}); err != nil {
			return nil, err
		}
		tw.Write([]byte(f.body))
	}
	if err := tw.Close(); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func TestRuntimeInstallCommand(t *testing.T) {
	body := npmLikeTarball(t, "library bytes")
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		if r.URL.Path != "/onnxruntime-node/-/onnxruntime-node-9.9.9.tgz" {
			http.NotFound(w, r)
			return
		}
		w.Write(body)
	}))
	defer srv.Close()
	s := sha256.Sum256(body)
	sum := hex.EncodeToString(s[:])
	dir := filepath.Join(t.TempDir(), "ort")
	args := []string{"runtime", "install", "--version", "9.9.9", "--registry", srv.URL, "--dir", dir}

	tests := []struct {
		name     string
		args     []string
		code     int
		stdout   string // substring
		stderr   string // substring
		requests int32  // total after this step
	}{
		{"wrong sha256", append(args, "--sha256", strings.Repeat("0", 64)), 1, "", "sha256 mismatch", 1},
		{"install", append(args, "--sha256", sum), 0, dir, "fetching onnxruntime", 2},
		{"no-op rerun", append(args, "--sha256", sum), 0, dir, "already installed", 2},
		{"gpu from npm", append(args, "--sha256", sum, "--gpu"), 1, "", "--url", 2},
		{"url without sha256", append(args, "--url", srv.URL+"/x.tgz"), 1, "", "--sha256", 2},
		{"no verb", []string{"runtime"}, 2, "", "runtime install", 2},
		{"extra argument", append(args, "extra"), 2, "", "wrong number of arguments", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.name == "gpu from npm" && runtime.GOOS != "linux" {
				t.Skip("npm lacks a GPU build on Linux only")
			}
			code, out, errs := cli(t, "", tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(errs, tt.stderr) || requests.Load() != tt.requests {
				t.Fatalf("models %s: exit %d, %d requests\nstdout: %s\nstderr: %s\nwant exit %d, %d requests, %q, %q",
					strings.Join(tt.args, " "), code, requests.Load(), out, errs, tt.code, tt.requests, tt.stdout, tt.stderr)
			}
		})
	}
	if b, err := os.ReadFile(strings.TrimSpace(mustRun(t, "", append(args, "--sha256", sum)...))); err != nil || string(b) != "library bytes" {
		t.Errorf("installed library: %q, %v", b, err)
	}
}

// TestDoctorReportsTheInstalledLibrary runs doctor with the real library.
func TestDoctorReportsTheInstalledLibrary(t *testing.T) {
	orttest.Require(t)
	lib, err := loader.Find(nil)
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	t.Setenv(loader.EnvLibraryPath, lib)
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, "cache"))
	t.Setenv("MODELS_DIRS", "")
	if err := os.MkdirAll(filepath.Join(root, "cache", "modelreg", "models", "toy"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "cache", "modelreg", "models", "toy", "w.onnx"), make([]byte, 3000), 0o644); err != nil {
		t.Fatal(err)
	}
	models := filepath.Join(root, "models")
	mustRun(t, "", "init", models)
	out := mustRun(t, "", "--dirs", models+string(filepath.ListSeparator)+filepath.Join(root, "missing"), "doctor")
	for _, want := range []string{
		"onnxruntime:       " + lib,
		"ort version:       " + loader.Version,
		"CPUExecutionProvider",
		"go:                " + runtime.Version(),
		"module:            github.com/modelreg/modelreg",
		models + " (manifest.json)",
		filepath.Join(root, "missing") + " (missing)",
		filepath.Join(root, "cache", "modelreg", "models") + " (2.9 KiB in 1 file)",
		filepath.Join(root, "cache", "modelreg", "derived") + " (absent)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not print %q:\n%s", want, out)
		}
	}
	if runtime.GOARCH == "amd64" && !strings.Contains(out, "AVX2 ") {
		t.Errorf("doctor does not report AVX2:\n%s", out)
	}
}

// TestDoctorNeverFailsHard covers the class "doctor reports every
// problem and exits 0": no library, no cache directory.
func TestDoctorNeverFailsHard(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("HOME and XDG_CACHE_HOME are the cache's variables on Linux")
	}
	missing := filepath.Join(t.TempDir(), "libonnxruntime.so.1")
	t.Setenv(loader.EnvLibraryPath, missing)
	t.Setenv(loader.EnvInstallDir, "")
	t.Setenv("XDG_CACHE_HOME", "")
	t.Setenv("HOME", "")
	t.Setenv("MODELS_DIRS", "")
	code, out, errs := cli(t, "", "--no-catalog", "doctor")
	if code != 0 {
		t.Fatalf("doctor: exit %d\n%s%s", code, out, errs)
	}
	for _, want := range []string{"onnxruntime:       not found", loader.InstallCommand, "ort install dir:   none", "cache:             none", "go:"} {
		if !strings.Contains(out, want) {
			t.Errorf("doctor does not print %q:\n%s", want, out)
		}
	}
}
