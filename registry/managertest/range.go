package managertest

import (
	"fmt"
	"testing"

	"github.com/modelreg/modelreg/registry"
)

func testDownloadRange(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	rd, ok := m.(registry.RangeDownloader)
	if !ok {
		t.Skip("manager does not implement registry.RangeDownloader")
	}
	data := randomBytes(3, 1<<20)
	size := int64(len(data))
	seed(t, "obj.bin", data)
	tests := []struct {
		name   string
		off, n int64
		want   []byte
	}{
		{"start", 0, 10, data[:10]},
		{"middle", size / 2, 1000, data[size/2 : size/2+1000]},
		{"to end", size - 10, 10, data[size-10:]},
		{"rest", size - 300, -1, data[size-300:]},
		{"whole", 0, -1, data},
		{"empty", 17, 0, nil},
	}
	for _, tt := range tests {
		got, err := downloadRange(t.Context(), rd, "obj.bin", tt.off, tt.n)
		if err != nil {
			t.Errorf("%s: DownloadRange(%d, %d): %v", tt.name, tt.off, tt.n, err)
			continue
		}
		checkBytes(t, fmt.Sprintf("%s: DownloadRange(%d, %d)", tt.name, tt.off, tt.n), got, tt.want)
	}
	testRangeErrors(t, rd, size)
}

// testRangeErrors checks ranges that cannot be served: a missing key, and
// ranges that go past the end of the object.
func testRangeErrors(t *testing.T, rd registry.RangeDownloader, size int64) {
	_, err := downloadRange(t.Context(), rd, "missing.bin", 0, 10)
	checkNotFound(t, "DownloadRange(missing)", err)
	bad := []struct{ off, n int64 }{
		{size - 10, 20},
		{size + 10, -1},
	}
	for _, b := range bad {
		if _, err := downloadRange(t.Context(), rd, "obj.bin", b.off, b.n); err == nil {
			t.Errorf("DownloadRange(%d, %d) of a %d-byte object = nil error; want an error", b.off, b.n, size)
		}
	}
}

func testStat(t *testing.T, h Harness) {
	m, seed := h.MakeManager(t)
	st, ok := m.(registry.Stater)
	if !ok {
		t.Skip("manager does not implement registry.Stater")
	}
	sizes := []int{0, 5, LargeSize}
	for i, n := range sizes {
		seed(t, fmt.Sprintf("obj%d.bin", i), randomBytes(uint64(i), n))
	}
	for i, n := range sizes {
		key := fmt.Sprintf("obj%d.bin", i)
		info, err := st.Stat(t.Context(), key)
		if err != nil {
			t.Errorf("Stat(%q): %v", key, err)
		} else if info.Size != int64(n) {
			t.Errorf("Stat(%q).Size = %d; want %d", key, info.Size, n)
		}
	}
	_, err := st.Stat(t.Context(), "missing.bin")
	checkNotFound(t, "Stat(missing)", err)
}
