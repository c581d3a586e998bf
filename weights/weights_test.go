package weights_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/weights"
)

func writeModel(t *testing.T, data []byte) (path, sum string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "model.onnx")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256(data)
	return path, hex.EncodeToString(h[:])
}

func TestOpen(t *testing.T) {
	data := bytes.Repeat([]byte("onnx"), 4096)
	path, sum := writeModel(t, data)
	tests := []struct {
		name    string
		opts    *weights.Options
		wantErr error
	}{
		{"nil options", nil, nil},
		{"size only", &weights.Options{Size: int64(len(data))}, nil},
		{"size and digest", &weights.Options{Size: int64(len(data)), SHA256: sum}, nil},
		{"upper-case digest", &weights.Options{Size: int64(len(data)), SHA256: upper(sum)}, nil},
		{"wrong size", &weights.Options{Size: 10}, weights.ErrCorrupt},
		{"wrong digest", &weights.Options{Size: int64(len(data)), SHA256: sum[:63] + "0", Verify: weights.VerifyAlways}, weights.ErrCorrupt},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := weights.Open(path, tt.opts)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Open error = %v; want %v", err, tt.wantErr)
			}
			if err != nil {
				var de *registry.DigestError
				if !errors.As(err, &de) {
					t.Errorf("error %T is not a *registry.DigestError", err)
				}
				return
			}
			defer b.Close()
			if !bytes.Equal(b.Bytes(), data) {
				t.Error("Bytes differ from the file")
			}
			if runtime.GOOS == "linux" && !b.Mapped() {
				t.Error("Mapped() = false on linux; want true")
			}
		})
	}
}

func upper(s string) string { return string(bytes.ToUpper([]byte(s))) }

// A file damaged after it was verified must be refused, even though the
// verification stamp exists: the stamp no longer matches the file.
func TestOpenDetectsDamageAfterVerification(t *testing.T) {
	data := bytes.Repeat([]byte{7}, 1<<16)
	path, sum := writeModel(t, data)
	opts := &weights.Options{Size: int64(len(data)), SHA256: sum}
	b, err := weights.Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	damaged := bytes.Clone(data)
	damaged[100] ^= 0xff
	if err := os.WriteFile(path, damaged, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := weights.Open(path, opts); !errors.Is(err, weights.ErrCorrupt) {
		t.Fatalf("Open of a damaged file: %v; want ErrCorrupt", err)
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := weights.Open(filepath.Join(t.TempDir(), "absent.onnx"), nil)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a missing file: %v; want fs.ErrNotExist", err)
	}
}

func TestOpenEmptyFile(t *testing.T) {
	path, sum := writeModel(t, nil)
	b, err := weights.Open(path, &weights.Options{Size: 0, SHA256: sum})
	if err != nil {
		t.Fatal(err)
	}
	if b.Len() != 0 {
		t.Errorf("Len = %d; want 0", b.Len())
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCloseTwice(t *testing.T) {
	path, _ := writeModel(t, []byte("abc"))
	b, err := weights.Open(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if err := b.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if b.Bytes() != nil {
		t.Error("Bytes after Close is not nil")
	}
}

func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "weights")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.onnx")
	os.WriteFile(path, []byte("not really a model"), 0o644)

	b, err := weights.Open(path, &weights.Options{Size: 18})
	if err != nil {
		panic(err)
	}
	defer b.Close()
	fmt.Println(b.Len())
	// Output: 18
}
