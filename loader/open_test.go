package loader

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unsafe"
)

// installed returns the path of the installed library. Without it the test
// fails in CI (env CI set) and is skipped elsewhere.
func installed(t *testing.T) string {
	t.Helper()
	p, err := Find(nil)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skipf("ONNX Runtime not installed (run %s): %v", InstallCommand, err)
	}
	return p
}

func TestOpen(t *testing.T) {
	p := installed(t)
	l, err := Open(p)
	if err != nil {
		t.Fatal(err)
	}
	if l.Version() != Version || l.APIVersion() != MaxAPIVersion || l.API() == nil {
		t.Errorf("Open(%s): version %q, API %d (%p); want %s, %d", p, l.Version(), l.APIVersion(), l.API(), Version, MaxAPIVersion)
	}
	again, err := Open(filepath.Join(filepath.Dir(p), ".", filepath.Base(p)))
	if err != nil || again != l {
		t.Errorf("second Open = %p, %v; want the same *Library %p", again, err, l)
	}
	if sym, err := l.Lookup("OrtGetApiBase"); err != nil || sym == 0 {
		t.Errorf("Lookup(OrtGetApiBase) = %#x, %v", sym, err)
	}
	if _, err := l.Lookup("NoSuchSymbol"); err == nil {
		t.Error("Lookup(NoSuchSymbol) succeeded")
	}
}

func TestOpenErrors(t *testing.T) {
	tmp := t.TempDir()
	text := filepath.Join(tmp, "libonnxruntime.so.1")
	if err := os.WriteFile(text, []byte("not a shared library\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		path string
		also error // besides ErrOpen
	}{
		{"missing", filepath.Join(tmp, "missing.so"), fs.ErrNotExist},
		{"not a shared library", text, nil},
		{"directory", tmp, nil},
	}
	if libc := "/lib/x86_64-linux-gnu/libc.so.6"; fileExists(libc) {
		tests = append(tests, struct {
			name string
			path string
			also error
		}{"not onnxruntime", libc, nil})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Open(tt.path)
			var oe *OpenError
			if l != nil || !errors.Is(err, ErrOpen) || !errors.As(err, &oe) || !strings.Contains(err.Error(), tt.path) {
				t.Fatalf("Open = %v, %v; want an *OpenError naming the path", l, err)
			}
			if tt.also != nil && !errors.Is(err, tt.also) {
				t.Errorf("Open = %v; want it to wrap %v", err, tt.also)
			}
			t.Log(err)
		})
	}
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

func TestVersionError(t *testing.T) {
	err := error(&VersionError{Path: "/x/libonnxruntime.so", Version: "1.16.3", Want: MinAPIVersion})
	if !errors.Is(err, ErrVersion) {
		t.Errorf("%v does not wrap ErrVersion", err)
	}
	for _, s := range []string{"1.16.3", "/x/libonnxruntime.so", "1.17", InstallCommand} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("%q does not mention %s", err, s)
		}
	}
}

// TestAPIBaseLayout checks apiBase against struct OrtApiBase: two function
// pointers, GetApi first.
func TestAPIBaseLayout(t *testing.T) {
	var b apiBase
	ptrSize := unsafe.Sizeof(uintptr(0))
	if unsafe.Sizeof(b) != 2*ptrSize || unsafe.Offsetof(b.getAPI) != 0 || unsafe.Offsetof(b.getVersionString) != ptrSize {
		t.Errorf("apiBase: size %d, offsets %d %d; want %d, 0, %d", unsafe.Sizeof(b),
			unsafe.Offsetof(b.getAPI), unsafe.Offsetof(b.getVersionString), 2*ptrSize, ptrSize)
	}
}
