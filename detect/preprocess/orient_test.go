package preprocess

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"math/rand/v2"
	"testing"
)

func TestOrientGray(t *testing.T) {
	// a b c
	// d e f
	src := &image.Gray{Pix: []byte("abcdef"), Stride: 3, Rect: image.Rect(0, 0, 3, 2)}
	tests := []struct {
		o    Orientation
		w    int
		want string // rows concatenated
	}{
		{Upright, 3, "abcdef"},
		{FlipH, 3, "cbafed"},
		{Rotate180, 3, "fedcba"},
		{FlipV, 3, "defabc"},
		{Transpose, 2, "adbecf"},
		{Rotate90CW, 2, "daebfc"},
		{Transverse, 2, "fcebda"},
		{Rotate90CCW, 2, "cfbead"},
		{9, 3, "abcdef"},
	}
	for _, tt := range tests {
		got := Orient(src, tt.o).(*image.Gray)
		if got.Rect.Dx() != tt.w || string(got.Pix) != tt.want {
			t.Errorf("Orient(%d) = %dx%d %q; want width %d, %q", tt.o, got.Rect.Dx(), got.Rect.Dy(), got.Pix, tt.w, tt.want)
		}
	}
}

// TestOrientTypes checks every source type against At on a random image
// with an offset origin.
func TestOrientTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	r := image.Rect(2, 3, 9, 7)
	for _, img := range syntheticImages(rng, r) {
		for o := FlipH; o <= Rotate90CCW; o++ {
			got := Orient(img, o)
			x0, ax, bx, y0, ay, by := orientMap(o, r.Dx(), r.Dy())
			gb := got.Bounds()
			for y := range gb.Dy() {
				for x := range gb.Dx() {
					sx, sy := x0+ax*x+bx*y, y0+ay*x+by*y
					want := refAt(img, sx, sy)
					g := color.NRGBAModel.Convert(got.At(x, y)).(color.NRGBA)
					if int64(g.R) != want[0] || int64(g.G) != want[1] || int64(g.B) != want[2] {
						t.Fatalf("%T orientation %d: (%d,%d) = %v; want %v", img, o, x, y, g, want)
					}
				}
			}
		}
	}
}

// exifJPEG returns a small JPEG with an APP1 Exif segment whose IFD0 holds
// a dummy tag and then the orientation, in byte order bo.
func exifJPEG(t *testing.T, bo binary.ByteOrder, o uint16) []byte {
	t.Helper()
	var enc bytes.Buffer
	if err := jpeg.Encode(&enc, image.NewGray(image.Rect(0, 0, 4, 2)), nil); err != nil {
		t.Fatal(err)
	}
	tiff := make([]byte, 8+2+2*12+4)
	if bo == binary.LittleEndian {
		copy(tiff, "II")
	} else {
		copy(tiff, "MM")
	}
	bo.PutUint16(tiff[2:], 42)
	bo.PutUint32(tiff[4:], 8)
	bo.PutUint16(tiff[8:], 2)
	e := tiff[10:]
	bo.PutUint16(e[0:], 0x010F) // Make, ASCII, pointing nowhere useful
	bo.PutUint16(e[2:], 2)
	e = tiff[22:]
	bo.PutUint16(e[0:], tagOrientation)
	bo.PutUint16(e[2:], 3)
	bo.PutUint32(e[4:], 1)
	bo.PutUint16(e[8:], o)
	return splice(enc.Bytes(), 0xE1, append([]byte("Exif\x00\x00"), tiff...))
}

// splice inserts a segment right after SOI.
func splice(jpg []byte, marker byte, payload []byte) []byte {
	seg := []byte{0xFF, marker, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	out := append([]byte{}, jpg[:2]...)
	out = append(append(out, seg...), payload...)
	return append(out, jpg[2:]...)
}

func TestReadOrientation(t *testing.T) {
	for _, bo := range []binary.ByteOrder{binary.LittleEndian, binary.BigEndian} {
		for o := uint16(1); o <= 8; o++ {
			data := exifJPEG(t, bo, o)
			// An XMP APP1 segment first must be skipped.
			data = splice(data, 0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x/>"))
			got, err := ReadOrientation(data)
			if err != nil || got != Orientation(o) {
				t.Errorf("%v %d: ReadOrientation = %d, %v", bo, o, got, err)
			}
			img, err := jpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("spliced JPEG does not decode: %v", err)
			}
			if b := Orient(img, got).Bounds(); (o >= 5) != (b.Dx() == 2) {
				t.Errorf("%v %d: oriented size %v", bo, o, b)
			}
		}
	}
}

func TestReadOrientationErrors(t *testing.T) {
	var plain bytes.Buffer
	if err := jpeg.Encode(&plain, image.NewGray(image.Rect(0, 0, 2, 2)), nil); err != nil {
		t.Fatal(err)
	}
	good := exifJPEG(t, binary.BigEndian, 6)
	badValue := exifJPEG(t, binary.LittleEndian, 9)
	tests := []struct {
		name string
		data []byte
		want Orientation
		err  error
	}{
		{"no exif", plain.Bytes(), Upright, nil},
		{"png", []byte("\x89PNG\r\n\x1a\n"), Upright, ErrNotJPEG},
		{"empty", nil, Upright, ErrNotJPEG},
		{"truncated segment", good[:30], Upright, ErrNotJPEG},
		{"bad byte order", splice(plain.Bytes(), 0xE1, []byte("Exif\x00\x00XX\x00\x2a\x00\x00\x00\x08")), Upright, ErrBadExif},
		{"truncated IFD", splice(plain.Bytes(), 0xE1, []byte("Exif\x00\x00MM\x00\x2a\x00\x00\x00\x08\x00\x05")), Upright, ErrBadExif},
		{"value 9", badValue, Upright, ErrBadExif},
	}
	for _, tt := range tests {
		got, err := ReadOrientation(tt.data)
		if got != tt.want || !errors.Is(err, tt.err) || (tt.err == nil && err != nil) {
			t.Errorf("%s: ReadOrientation = %d, %v; want %d, %v", tt.name, got, err, tt.want, tt.err)
		}
	}
}
