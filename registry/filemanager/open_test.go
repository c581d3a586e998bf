package filemanager_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"testing/fstest"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/filemanager"
)

// openEntry opens config through the registered OpenFunc, with the manifest
// in dir (on disk) or, when dir is "", in fsys.
func openEntry(t *testing.T, config, dir string, fsys fstest.MapFS) (registry.Manager, string, error) {
	t.Helper()
	env := &registry.ManagerEnv{Type: filemanager.Type, Config: json.RawMessage(config), Dir: dir}
	if dir != "" {
		env.FS = os.DirFS(dir)
	} else if fsys != nil {
		env.FS = fsys
	}
	return filemanager.Open(t.Context(), env)
}

// mustJSON returns v as JSON.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// writeFile writes data to dir/rel, creating directories.
func writeFile(t *testing.T, dir, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestOpenOnDisk(t *testing.T) {
	dir := t.TempDir()
	abs := writeFile(t, dir, "weights/toy.onnx", []byte("toy weights"))
	fileURL := "file://" + filepath.ToSlash(abs)
	if runtime.GOOS == "windows" {
		fileURL = "file:///" + filepath.ToSlash(abs)
	}
	tests := []struct {
		name, config string
	}{
		{"relative", `{"path": "weights/toy.onnx"}`},
		{"dot relative", `{"path": "./weights/../weights/toy.onnx", "extract_archive": false}`},
		{"absolute", mustJSON(t, map[string]string{"path": abs})},
		{"url", mustJSON(t, map[string]string{"url": fileURL})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, key, err := openEntry(t, tt.config, dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkDownload(t, m, key, "toy weights")
			if _, ok := m.(registry.Uploader); !ok {
				t.Error("on-disk manager is not an Uploader")
			}
		})
	}
}

func TestOpenEmbedded(t *testing.T) {
	fsys := fstest.MapFS{"weights/toy.onnx": {Data: []byte("embedded toy")}}
	m, key, err := openEntry(t, `{"path": "weights/toy.onnx"}`, "", fsys)
	if err != nil {
		t.Fatal(err)
	}
	checkDownload(t, m, key, "embedded toy")
	err = m.(registry.Uploader).Upload(t.Context(), key, bytes.NewReader(nil), 0)
	if !errors.Is(err, registry.ErrNotSupported) {
		t.Errorf("Upload to an embedded catalog: err = %v; want one wrapping registry.ErrNotSupported", err)
	}
}

// checkDownload fails t unless key downloads from m as want.
func checkDownload(t *testing.T, m registry.Manager, key, want string) {
	t.Helper()
	var buf bytes.Buffer
	if err := m.Download(t.Context(), key, &buf); err != nil {
		t.Fatalf("Download(%q): %v", key, err)
	}
	if buf.String() != want {
		t.Errorf("Download(%q) = %q; want %q", key, buf.String(), want)
	}
}

func TestOpenInvalid(t *testing.T) {
	tests := []struct {
		name, config, dir string
	}{
		{"escape", `{"path": "../outside.onnx"}`, t.TempDir()},
		{"escape inside", `{"path": "a/../../outside.onnx"}`, t.TempDir()},
		{"escape embedded", `{"path": "../outside.onnx"}`, ""},
		{"dot", `{"path": "."}`, t.TempDir()},
		{"empty", `{}`, t.TempDir()},
		{"both", `{"path": "a", "url": "file:///a"}`, t.TempDir()},
		{"relative url", `{"url": "file:a/b"}`, t.TempDir()},
		{"remote host url", `{"url": "file://example.com/a/b"}`, t.TempDir()},
		{"http url", `{"url": "https://example.com/a"}`, t.TempDir()},
		{"root", `{"path": "/"}`, t.TempDir()},
		{"not json", `"just a string"`, t.TempDir()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := openEntry(t, tt.config, tt.dir, fstest.MapFS{})
			if !errors.Is(err, registry.ErrInvalidEntry) {
				t.Errorf("open(%s): err = %v; want one wrapping registry.ErrInvalidEntry", tt.config, err)
			}
		})
	}
}
