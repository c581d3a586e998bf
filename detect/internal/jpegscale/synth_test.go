package jpegscale

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"testing"
)

// pattern returns a smooth test value at (x, y) for channel ch, with a
// little deterministic texture.
func pattern(x, y, ch int) uint8 {
	v := 40 + (x*5+y*3+ch*50)%170 + (x*y+ch)%7
	return uint8(v)
}

// encodeRGB encodes a w×h color pattern with image/jpeg (4:2:0).
func encodeRGB(tb testing.TB, w, h int) []byte {
	tb.Helper()
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{pattern(x, y, 0), pattern(x, y, 1), pattern(x, y, 2), 255})
		}
	}
	return encode(tb, m)
}

// encodeGray encodes a w×h pattern as a grayscale JPEG.
func encodeGray(tb testing.TB, w, h, ch int) []byte {
	tb.Helper()
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.SetGray(x, y, color.Gray{pattern(x, y, ch)})
		}
	}
	return encode(tb, m)
}

// encode encodes m with image/jpeg at quality 90.
func encode(tb testing.TB, m image.Image) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, m, &jpeg.Options{Quality: 90}); err != nil {
		tb.Fatal(err)
	}
	return buf.Bytes()
}

// sizes are odd image sizes that leave partial MCUs.
var sizes = [][2]int{{1, 1}, {7, 5}, {8, 8}, {17, 9}, {33, 65}, {100, 37}}

func TestEncodedRGB(t *testing.T) {
	for _, sz := range sizes {
		b := encodeRGB(t, sz[0], sz[1])
		compare(t, fmt.Sprintf("rgb %dx%d", sz[0], sz[1]), b, synthLimits)
	}
}

func TestEncodedGray(t *testing.T) {
	for _, sz := range sizes {
		b := encodeGray(t, sz[0], sz[1], 0)
		compare(t, fmt.Sprintf("gray %dx%d", sz[0], sz[1]), b, synthLimits)
	}
}

// segments splits an image/jpeg-encoded grayscale file into its DQT and
// DHT payloads and its entropy-coded data.
func segments(tb testing.TB, b []byte) (dqt, dht, data []byte) {
	tb.Helper()
	for i := 2; i+4 <= len(b); {
		m, n := b[i+1], int(b[i+2])<<8|int(b[i+3])
		p := b[i+4 : i+2+n]
		switch m {
		case markerDQT:
			dqt = p
		case markerDHT:
			dht = append(dht, p...)
		case markerSOS:
			return dqt, dht, b[i+2+n : len(b)-2]
		}
		i += 2 + n
	}
	tb.Fatal("no SOS in encoded file")
	return nil, nil, nil
}

// appendSegment appends marker m and its payload p.
func appendSegment(b []byte, m byte, p []byte) []byte {
	n := len(p) + 2
	return append(append(b, 0xFF, m, byte(n>>8), byte(n)), p...)
}

// multiScan builds a 3-component w×h JPEG with luma sampling factors
// (hy, vy) and 1×1 chroma, one non-interleaved scan per component, from
// grayscale encodings of each plane at its own size.
func multiScan(tb testing.TB, w, h, hy, vy int) []byte {
	tb.Helper()
	cw, ch := (w+hy-1)/hy, (h+vy-1)/vy
	dqt, dht, y := segments(tb, encodeGray(tb, w, h, 0))
	_, _, cb := segments(tb, encodeGray(tb, cw, ch, 1))
	_, _, cr := segments(tb, encodeGray(tb, cw, ch, 2))
	b := []byte{0xFF, markerSOI}
	b = appendSegment(b, markerDQT, dqt)
	b = appendSegment(b, markerDHT, dht)
	b = appendSegment(b, markerSOF0, []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3,
		1, byte(hy<<4 | vy), 0, 2, 0x11, 0, 3, 0x11, 0})
	for i, data := range [][]byte{y, cb, cr} {
		b = appendSegment(b, markerSOS, []byte{1, byte(i + 1), 0, 0, 63, 0})
		b = append(b, data...)
	}
	return append(b, 0xFF, markerEOI)
}

func TestSubsampling(t *testing.T) {
	tests := []struct {
		name   string
		hy, vy int
	}{
		{"444", 1, 1}, {"422", 2, 1}, {"440", 1, 2}, {"420", 2, 2}, {"411", 4, 1}, {"410", 4, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, sz := range sizes {
				compare(t, fmt.Sprintf("%s %dx%d", tt.name, sz[0], sz[1]), multiScan(t, sz[0], sz[1], tt.hy, tt.vy), synthLimits)
			}
		})
	}
}
