package jpegscale

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"testing"
)

// patched returns a copy of b with the byte at the first occurrence of
// marker m (0xFF m) plus off replaced by v.
func patched(tb testing.TB, b []byte, m byte, off int, v byte) []byte {
	tb.Helper()
	i := bytes.Index(b, []byte{0xFF, m})
	if i < 0 {
		tb.Fatalf("marker %#x not found", m)
	}
	c := bytes.Clone(b)
	c[i+off] = v
	return c
}

// replaceRST returns b with its first restart marker turned into EOI.
func replaceRST(tb testing.TB, b []byte) []byte {
	tb.Helper()
	sos := bytes.Index(b, []byte{0xFF, markerSOS})
	i := bytes.Index(b[sos:], []byte{0xFF, markerRST0})
	if sos < 0 || i < 0 {
		tb.Fatal("no restart marker")
	}
	c := bytes.Clone(b)
	c[sos+i+1] = markerEOI
	return c
}

// withSegment returns b with the segment (m, p) inserted after SOI.
func withSegment(b []byte, m byte, p []byte) []byte {
	c := appendSegment([]byte{0xFF, markerSOI}, m, p)
	return append(c, b[2:]...)
}

func TestUnsupported(t *testing.T) {
	rgb := encodeRGB(t, 17, 9)
	gray := encodeGray(t, 17, 9, 0)
	// SOF0 payload offsets from the marker: 4 precision, 9 component count,
	// 10+3i id, 11+3i sampling factors.
	tests := []struct {
		name string
		b    []byte
	}{
		{"progressive", patched(t, rgb, markerSOF0, 1, 0xC2)},
		{"lossless", patched(t, rgb, markerSOF0, 1, 0xC3)},
		{"hierarchical", patched(t, rgb, markerSOF0, 1, 0xC5)},
		{"arithmetic", patched(t, rgb, markerSOF0, 1, 0xC9)},
		{"12-bit", patched(t, patched(t, rgb, markerSOF0, 1, 0xC1), markerSOF1, 4, 12)},
		{"sampling 3x1", patched(t, rgb, markerSOF0, 11, 0x31)},
		{"chroma 2x2 luma 1x1", patched(t, patched(t, rgb, markerSOF0, 11, 0x11), markerSOF0, 14, 0x22)},
		{"RGB transform", withSegment(rgb, markerAPPE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))},
		{"DNL height", patched(t, patched(t, gray, markerSOF0, 5, 0), markerSOF0, 6, 0)},
		{"two components", patched(t, rgb, markerSOF0, 9, 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tt.b), 1)
			if !errors.Is(err, ErrUnsupported) {
				t.Errorf("Decode: %v; want ErrUnsupported", err)
			}
		})
	}
}

func TestFormatErrors(t *testing.T) {
	rgb := encodeRGB(t, 17, 9)
	garbage := make([]byte, 1000)
	for i := range garbage {
		garbage[i] = byte(rand.N(256))
	}
	tests := []struct {
		name string
		b    []byte
	}{
		{"garbage", garbage},
		{"PNG signature", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR")},
		{"no SOF", withSegment([]byte{0xFF, markerSOI, 0xFF, markerEOI}, markerCOM, []byte("x"))},
		{"zero width", patched(t, patched(t, rgb, markerSOF0, 7, 0), markerSOF0, 8, 0)},
		{"too wide", patched(t, rgb, markerSOF0, 7, 0xA0)},
		{"bad sampling", patched(t, rgb, markerSOF0, 11, 0x50)},
		{"bad DQT", patched(t, rgb, markerDQT, 4, 0x27)},
		{"bad DHT", patched(t, rgb, markerDHT, 4, 0x25)},
		{"bad scan component", patched(t, rgb, markerSOS, 5, 9)},
		{"bad spectral selection", patched(t, rgb, markerSOS, 12, 5)},
		{"restart marker replaced", replaceRST(t, readPhoto(t, "dog.jpg"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tt.b), 2)
			var fe FormatError
			if !errors.As(err, &fe) {
				t.Errorf("Decode: %v; want a FormatError", err)
			}
		})
	}
}

func TestTruncated(t *testing.T) {
	tests := []struct {
		name string
		b    []byte
		cuts int // how many cut points to try, evenly spaced
	}{
		{"rgb", encodeRGB(t, 33, 65), 5000},
		{"gray", encodeGray(t, 17, 9, 0), 5000},
		{"multi", multiScan(t, 33, 17, 2, 1), 5000},
		{"dog.jpg", readPhoto(t, "dog.jpg"), 300},
		{"vehicle.jpg", readPhoto(t, "vehicle.jpg"), 30},
	}
	if testing.Short() {
		tests = tests[:3]
	}
	for _, tt := range tests {
		step := max(1, len(tt.b)/tt.cuts)
		for n := 0; n < len(tt.b); n += step {
			for _, scale := range []int{1, 8} {
				_, err := Decode(bytes.NewReader(tt.b[:n]), scale)
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("%s cut at %d of %d, scale %d: %v; want io.ErrUnexpectedEOF", tt.name, n, len(tt.b), scale, err)
				}
			}
		}
	}
}

func TestCorrupt(t *testing.T) {
	b := readPhoto(t, "person.jpg")
	start := bytes.Index(b, []byte{0xFF, markerSOS}) + 20
	for i := range 300 {
		c := bytes.Clone(b)
		for range 1 + i%4 {
			c[start+rand.N(len(c)-start)] ^= byte(1 + rand.N(255))
		}
		if _, err := Decode(bytes.NewReader(c), 1<<(i%4)); err != nil && !isKnown(err) {
			t.Fatalf("Decode of corrupt data: %v (%T)", err, err)
		}
	}
}

// isKnown reports whether err is one of the documented error kinds.
func isKnown(err error) bool {
	var fe FormatError
	return errors.As(err, &fe) || errors.Is(err, ErrUnsupported) || errors.Is(err, io.ErrUnexpectedEOF)
}

func TestInvalidScale(t *testing.T) {
	b := encodeGray(t, 8, 8, 0)
	for _, scale := range []int{-1, 0, 3, 5, 16} {
		if _, err := Decode(bytes.NewReader(b), scale); err == nil || isKnown(err) {
			t.Errorf("Decode(scale %d): %v; want an invalid scale error", scale, err)
		}
	}
}

func TestReadError(t *testing.T) {
	want := errors.New("read failed")
	_, err := Decode(io.MultiReader(bytes.NewReader(encodeGray(t, 8, 8, 0)[:10]), errReader{want}), 1)
	if !errors.Is(err, want) {
		t.Errorf("Decode: %v; want %v", err, want)
	}
}

// errReader fails every read with err.
type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }
