package filemanager_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"testing/iotest"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/filemanager"
	"github.com/modelreg/modelreg/registry/managertest"
)

func TestConformanceDir(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		dir := t.TempDir()
		return filemanager.New(dir), func(t *testing.T, key string, data []byte) {
			t.Helper()
			p := filepath.Join(dir, filepath.FromSlash(key))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}))
}

func TestConformanceFS(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		fsys := fstest.MapFS{}
		var mu sync.Mutex
		return filemanager.NewFS(fsys), func(t *testing.T, key string, data []byte) {
			mu.Lock()
			defer mu.Unlock()
			fsys[key] = &fstest.MapFile{Data: data, Mode: 0o644}
			for d := path.Dir(key); d != "."; d = path.Dir(d) {
				fsys[d] = &fstest.MapFile{Mode: os.ModeDir | 0o755}
			}
		}
	}))
}

// TestUploadLeavesNoTemp checks that a failed upload leaves no temporary file.
func TestUploadLeavesNoTemp(t *testing.T) {
	dir := t.TempDir()
	m := filemanager.New(dir)
	errBoom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errBoom))
	if err := m.Upload(t.Context(), "m.onnx", r, -1); !errors.Is(err, errBoom) {
		t.Fatalf("Upload from a failing reader: err = %v; want one wrapping %v", err, errBoom)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if atomicfile.IsTemp(e.Name()) || e.Name() == "m.onnx" {
			t.Errorf("after a failed Upload, %s exists", e.Name())
		}
	}
}

// TestUploadReclaimsKilledUpload: a publish killed mid-upload leaves a
// temporary file in the store; the next upload of that key removes it.
func TestUploadReclaimsKilledUpload(t *testing.T) {
	dir := t.TempDir()
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Skip("no process to take a dead pid from:", err)
	}
	own := atomicfile.OwnerTag()
	host := strings.SplitN(own, ".", 3)[1]
	left := filepath.Join(dir, atomicfile.TempPrefix("m.onnx")+fmt.Sprintf("p%d.%s.", dead.Process.Pid, host)+"123")
	if err := os.WriteFile(left, make([]byte, 1<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	m := filemanager.New(dir)
	if err := m.Upload(t.Context(), "m.onnx", strings.NewReader("model"), 5); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the killed upload's temporary file is still there (err = %v)", err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "m.onnx")); err != nil || string(b) != "model" {
		t.Errorf("m.onnx = %q, %v; want \"model\"", b, err)
	}
}

func TestDeleteDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	m := filemanager.New(dir)
	if err := m.Delete(t.Context(), "sub"); err == nil {
		t.Error("Delete of a directory succeeded")
	}
	if _, err := os.Stat(filepath.Join(dir, "sub")); err != nil {
		t.Errorf("directory gone after a refused Delete: %v", err)
	}
}

func TestKeyBelowAFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "file"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	err := filemanager.New(dir).Download(t.Context(), "file/below", io.Discard)
	if !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("Download(file/below): err = %v; want one wrapping registry.ErrNotFound", err)
	}
}
