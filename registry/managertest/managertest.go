package managertest

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// Harness makes managers for the suite.
type Harness interface {
	// MakeManager returns a new manager that holds no objects, and a Seeder
	// that stores objects in its backing store without going through the
	// manager. It releases what it allocates with t.Cleanup.
	MakeManager(t *testing.T) (registry.Manager, Seeder)
}

// Seeder stores data at key in a manager's backing store; it fails t on error.
// Seeders are not called concurrently with each other or with downloads.
type Seeder func(t *testing.T, key string, data []byte)

// HarnessFunc adapts a function to a [Harness].
type HarnessFunc func(t *testing.T) (registry.Manager, Seeder)

// MakeManager calls f.
func (f HarnessFunc) MakeManager(t *testing.T) (registry.Manager, Seeder) { return f(t) }

// LargeSize is the size of the suite's large object.
const LargeSize = 4 << 20

// Run runs the conformance suite against the managers h makes. Each test
// makes its own manager.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"Download", testDownload},
		{"NotFound", testNotFound},
		{"Permanence", testPermanence},
		{"InvalidKey", testInvalidKey},
		{"Redaction", testRedaction},
		{"DownloadRange", testDownloadRange},
		{"Stat", testStat},
		{"Upload", testUpload},
		{"UploadFailure", testUploadFailure},
		{"Delete", testDelete},
		{"Cancel", testCancel},
		{"Concurrent", testConcurrent},
		{"WriterError", testWriterError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, h) })
	}
}

// randomBytes returns n pseudo-random bytes, the same for the same seed.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n+8)
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	for i := 0; i < n; i += 8 {
		binary.LittleEndian.PutUint64(b[i:], r.Uint64())
	}
	return b[:n:n]
}

// download downloads key and returns its bytes.
func download(ctx context.Context, m registry.Manager, key string) ([]byte, error) {
	var buf bytes.Buffer
	err := m.Download(ctx, key, &buf)
	return buf.Bytes(), err
}

// downloadRange downloads a range of key and returns its bytes.
func downloadRange(ctx context.Context, rd registry.RangeDownloader, key string, off, n int64) ([]byte, error) {
	var buf bytes.Buffer
	err := rd.DownloadRange(ctx, key, off, n, &buf)
	return buf.Bytes(), err
}

// checkBytes fails t when got differs from want, saying where.
func checkBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if bytes.Equal(got, want) {
		return
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	t.Errorf("%s: got %d bytes; want %d (first difference at byte %d)", what, len(got), len(want), i)
}

// checkNotFound fails t unless err wraps registry.ErrNotFound.
func checkNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("%s: err = %v; want one wrapping registry.ErrNotFound", what, err)
	}
}

// skipUnsupported skips t when err wraps registry.ErrNotSupported.
func skipUnsupported(t *testing.T, err error) {
	t.Helper()
	if errors.Is(err, registry.ErrNotSupported) {
		t.Skipf("not supported by this manager: %v", err)
	}
}

func testDownload(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	tests := []struct {
		key  string
		data []byte
	}{
		{"empty.bin", []byte{}},
		{"small.txt", []byte("hello, model\n")},
		{"dir/sub/nested.onnx", randomBytes(1, 1000)},
		{"large.bin", randomBytes(2, LargeSize)},
	}
	for _, tt := range tests {
		seed(t, tt.key, tt.data)
	}
	for _, tt := range tests {
		got, err := download(t.Context(), m, tt.key)
		if err != nil {
			t.Errorf("Download(%q): %v", tt.key, err)
			continue
		}
		checkBytes(t, fmt.Sprintf("Download(%q)", tt.key), got, tt.data)
	}
}

func testNotFound(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	seed(t, "present.bin", []byte("x"))
	for _, key := range []string{"missing.bin", "nodir/missing.bin"} {
		got, err := download(t.Context(), m, key)
		checkNotFound(t, fmt.Sprintf("Download(%q)", key), err)
		if len(got) != 0 {
			t.Errorf("Download(%q) wrote %d bytes; want 0", key, len(got))
		}
	}
}

// testRedaction: a key can carry a credential (a signed URL's query); the
// errors of every call on it show it masked by the module's one policy
// (internal/redact), never in clear.
func testRedaction(t *testing.T, h Harness) {
	m, _ := h.MakeManager(t)
	const secret = "s3cr3tT0kenValue"
	key := "missing.bin?token=" + secret
	_, err := download(t.Context(), m, key)
	if err == nil {
		t.Fatalf("Download(%q) succeeded; want an error", key)
	}
	errs := []error{err}
	if st, ok := m.(registry.Stater); ok {
		_, err := st.Stat(t.Context(), key)
		errs = append(errs, err)
	}
	if d, ok := m.(registry.Deleter); ok {
		errs = append(errs, d.Delete(t.Context(), key))
	}
	for _, err := range errs {
		if err != nil && strings.Contains(err.Error(), secret) {
			t.Errorf("an error shows the credential in the key: %v", err)
		}
	}
}

func testInvalidKey(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	seed(t, "x.bin", []byte("secret"))
	for _, key := range []string{"", ".", "/x.bin", "../x.bin", "a/../../x.bin", `a\..\..\x.bin`, "x.bin\x00", "a//x.bin"} {
		got, err := download(t.Context(), m, key)
		if !errors.Is(err, registry.ErrInvalidEntry) || len(got) != 0 {
			t.Errorf("Download(%q) = %d bytes, %v; want an error wrapping ErrInvalidEntry (registry.CheckKey) and no bytes", key, len(got), err)
		}
	}
}

// bytesReader returns a reader of b.
func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }
