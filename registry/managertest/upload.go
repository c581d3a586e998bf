package managertest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

// uploader returns m as an Uploader, or skips t.
func uploader(t *testing.T, m registry.Manager) registry.Uploader {
	t.Helper()
	up, ok := m.(registry.Uploader)
	if !ok {
		t.Skip("manager does not implement registry.Uploader")
	}
	return up
}

// checkContent fails t unless key downloads as want.
func checkContent(t *testing.T, m registry.Manager, key string, want []byte) {
	t.Helper()
	got, err := download(t.Context(), m, key)
	if err != nil {
		t.Errorf("Download(%q): %v", key, err)
		return
	}
	checkBytes(t, fmt.Sprintf("Download(%q)", key), got, want)
}

func testUpload(t *testing.T, h Harness) {
	m, _ := h.MakeManager(t)
	up := uploader(t, m)
	first := randomBytes(4, LargeSize)
	err := up.Upload(t.Context(), "up/model.bin", bytes.NewReader(first), int64(len(first)))
	skipUnsupported(t, err)
	if err != nil {
		t.Fatalf("Upload: %v", err)
	}
	checkContent(t, m, "up/model.bin", first)
	second := []byte("shorter replacement")
	// A reader that hides its length, with size unknown.
	if err := up.Upload(t.Context(), "up/model.bin", io.MultiReader(bytes.NewReader(second)), -1); err != nil {
		t.Fatalf("Upload (overwrite, size -1): %v", err)
	}
	checkContent(t, m, "up/model.bin", second)
	if st, ok := m.(registry.Stater); ok {
		info, err := st.Stat(t.Context(), "up/model.bin")
		if err != nil || info.Size != int64(len(second)) {
			t.Errorf("Stat after Upload = %+v, %v; want size %d", info, err, len(second))
		}
	}
	if err := up.Upload(t.Context(), "empty.bin", bytes.NewReader(nil), 0); err != nil {
		t.Fatalf("Upload (empty): %v", err)
	}
	checkContent(t, m, "empty.bin", []byte{})
}

// failingReader returns data, then err.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func testUploadFailure(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	up := uploader(t, m)
	old := []byte("previous version")
	seed(t, "kept.bin", old)
	errBoom := errors.New("managertest: reader failed")
	for _, key := range []string{"kept.bin", "new.bin"} {
		err := up.Upload(t.Context(), key, &failingReader{randomBytes(5, 100_000), errBoom}, -1)
		skipUnsupported(t, err)
		if !errors.Is(err, errBoom) {
			t.Errorf("Upload(%q) with a failing reader: err = %v; want one wrapping %v", key, err, errBoom)
		}
	}
	checkContent(t, m, "kept.bin", old)
	_, err := download(t.Context(), m, "new.bin")
	checkNotFound(t, "Download after a failed Upload", err)
	// A size that does not match the reader stores nothing.
	if err := up.Upload(t.Context(), "sized.bin", bytes.NewReader([]byte("abc")), 10); err == nil {
		t.Errorf("Upload of 3 bytes with size 10 = nil error; want an error")
	}
	_, err = download(t.Context(), m, "sized.bin")
	checkNotFound(t, "Download after a short Upload", err)
}

func testDelete(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	del, ok := m.(registry.Deleter)
	if !ok {
		t.Skip("manager does not implement registry.Deleter")
	}
	seed(t, "gone.bin", []byte("soon gone"))
	seed(t, "stays.bin", []byte("stays"))
	err := del.Delete(t.Context(), "gone.bin")
	skipUnsupported(t, err)
	if err != nil {
		t.Fatalf("Delete: %v", err)
	}
	_, err = download(t.Context(), m, "gone.bin")
	checkNotFound(t, "Download after Delete", err)
	checkNotFound(t, "Delete again", del.Delete(t.Context(), "gone.bin"))
	checkContent(t, m, "stays.bin", []byte("stays"))
}
