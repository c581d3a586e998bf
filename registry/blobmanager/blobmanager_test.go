package blobmanager_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"gocloud.dev/blob"
	"gocloud.dev/blob/memblob"

	"github.com/modelreg/modelreg/registry"
	"github.com/modelreg/modelreg/registry/blobmanager"
	"github.com/modelreg/modelreg/registry/managertest"
)

// closeOnCleanup closes m when t ends.
func closeOnCleanup(t *testing.T, m *blobmanager.Manager) {
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
}

// bucketSeeder returns a Seeder that writes through b.
func bucketSeeder(b *blob.Bucket) managertest.Seeder {
	return func(t *testing.T, key string, data []byte) {
		t.Helper()
		if err := b.WriteAll(context.Background(), key, data, nil); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConformanceMem(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		b := memblob.OpenBucket(nil)
		m := blobmanager.New(b)
		closeOnCleanup(t, m)
		return m, bucketSeeder(b)
	}))
}

// fileURL returns the file:// URL of the directory dir.
func fileURL(dir string) string {
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(dir)}).String()
}

// TestConformanceFile runs the suite over fileblob, with the bucket opened
// lazily from its URL and seeded by writing files directly.
func TestConformanceFile(t *testing.T) {
	managertest.Run(t, managertest.HarnessFunc(func(t *testing.T) (registry.Manager, managertest.Seeder) {
		dir := t.TempDir()
		m, err := blobmanager.Open(t.Context(), fileURL(dir))
		if err != nil {
			t.Fatal(err)
		}
		closeOnCleanup(t, m)
		return m, func(t *testing.T, key string, data []byte) {
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

func TestStatAndContentType(t *testing.T) {
	b := memblob.OpenBucket(nil)
	m := blobmanager.New(b)
	closeOnCleanup(t, m)
	// Bytes that sniff as text/html must still be stored as octet-stream.
	data := []byte("<html><body>not a model, but stored as bytes</body></html>")
	if err := m.Upload(t.Context(), "m.onnx", bytes.NewReader(data), -1); err != nil {
		t.Fatal(err)
	}
	a, err := b.Attributes(t.Context(), "m.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if a.ContentType != blobmanager.ContentType {
		t.Errorf("ContentType = %q; want %q", a.ContentType, blobmanager.ContentType)
	}
	info, err := m.Stat(t.Context(), "m.onnx")
	if err != nil {
		t.Fatal(err)
	}
	if info.Size != int64(len(data)) || info.ETag == "" || info.ETag != a.ETag || !info.ModTime.Equal(a.ModTime) {
		t.Errorf("Stat = %+v; want size %d, ETag %q, ModTime %v", info, len(data), a.ETag, a.ModTime)
	}
}

func TestRangeEdges(t *testing.T) {
	b := memblob.OpenBucket(nil)
	m := blobmanager.New(b)
	closeOnCleanup(t, m)
	if err := b.WriteAll(t.Context(), "obj", []byte("0123456789"), nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		off, n  int64
		want    string
		wantErr bool
	}{
		{10, -1, "", false},
		{10, 0, "", false},
		{11, 0, "", true},
		{-1, 2, "", true},
		{9, 2, "", true},
		{3, 4, "3456", false},
	}
	for _, tt := range tests {
		var buf bytes.Buffer
		err := m.DownloadRange(t.Context(), "obj", tt.off, tt.n, &buf)
		if (err != nil) != tt.wantErr || buf.String() != tt.want {
			t.Errorf("DownloadRange(%d, %d) = %q, %v; want %q, error %v", tt.off, tt.n, buf.String(), err, tt.want, tt.wantErr)
		}
	}
}

func TestUploadFailureKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	m, err := blobmanager.Open(t.Context(), fileURL(dir))
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, m)
	if err := m.Upload(t.Context(), "m.onnx", strings.NewReader("v1"), 2); err != nil {
		t.Fatal(err)
	}
	errBoom := errors.New("boom")
	r := io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(errBoom))
	if err := m.Upload(t.Context(), "m.onnx", r, -1); !errors.Is(err, errBoom) {
		t.Fatalf("Upload from a failing reader: err = %v; want one wrapping %v", err, errBoom)
	}
	got, err := os.ReadFile(filepath.Join(dir, "m.onnx"))
	if err != nil || string(got) != "v1" {
		t.Errorf("after a failed Upload, file = %q, %v; want %q", got, err, "v1")
	}
}

func TestClose(t *testing.T) {
	m, err := blobmanager.Open(t.Context(), "mem://")
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("Close of an unused manager: %v", err)
	}
	if err := m.Download(t.Context(), "x", io.Discard); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Download after Close: err = %v; want one wrapping os.ErrClosed", err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestNotFoundBucket(t *testing.T) {
	m, err := blobmanager.Open(t.Context(), fileURL(filepath.Join(t.TempDir(), "absent")))
	if err != nil {
		t.Fatal(err)
	}
	closeOnCleanup(t, m)
	err = m.Download(t.Context(), "x", io.Discard)
	if err == nil {
		t.Fatal("Download from a bucket whose directory is missing succeeded")
	}
	// A second call tries to open the bucket again.
	err2 := m.Download(t.Context(), "x", io.Discard)
	if err2 == nil || !strings.Contains(err2.Error(), "open bucket") {
		t.Errorf("second Download: err = %v; want the bucket to be opened again", err2)
	}
}
