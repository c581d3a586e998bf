package detect_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"runtime"
	"testing"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"github.com/modelreg/modelreg/internal/cmykjpeg"
)

// gradient returns a w×h RGBA image with some structure.
func gradient(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			m.Set(x, y, color.RGBA{uint8(x * 255 / max(w, 1)), uint8(y * 255 / max(h, 1)), uint8(x ^ y), 255})
		}
	}
	return m
}

func encodeJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodeCMYK(t testing.TB, img image.Image, opts *cmykjpeg.Options) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := cmykjpeg.Encode(&b, img, opts); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// jpegClaiming returns a valid small JPEG whose frame header claims w×h.
func jpegClaiming(t testing.TB, w, h int) []byte {
	t.Helper()
	b := encodeJPEG(t, gradient(16, 16))
	i := bytes.Index(b, []byte{0xFF, 0xC0})
	if i < 0 {
		t.Fatal("no SOF0 in the JPEG")
	}
	binary.BigEndian.PutUint16(b[i+5:], uint16(h))
	binary.BigEndian.PutUint16(b[i+7:], uint16(w))
	return b
}

// pngClaiming returns a valid small PNG whose IHDR claims w×h (with a
// correct CRC, so that only the size is wrong).
func pngClaiming(t testing.TB, w, h int) []byte {
	t.Helper()
	b := encodePNG(t, gradient(16, 16))
	const ihdr = 8 // signature
	binary.BigEndian.PutUint32(b[ihdr+8:], uint32(w))
	binary.BigEndian.PutUint32(b[ihdr+12:], uint32(h))
	binary.BigEndian.PutUint32(b[ihdr+8+13:], crc32.ChecksumIEEE(b[ihdr+4:ihdr+8+13]))
	return b
}

// exifJPEG returns a w×h JPEG with an EXIF orientation tag.
func exifJPEG(t testing.TB, w, h int, orientation uint16) []byte {
	t.Helper()
	body := encodeJPEG(t, gradient(w, h))
	tiff := []byte("MM\x00\x2a\x00\x00\x00\x08\x00\x01\x01\x12\x00\x03\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00")
	binary.BigEndian.PutUint16(tiff[18:], orientation)
	seg := append([]byte("Exif\x00\x00"), tiff...)
	app1 := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(app1[2:], uint16(len(seg)+2))
	out := append([]byte{0xFF, 0xD8}, app1...)
	out = append(out, seg...)
	return append(out, body[2:]...)
}

func TestDecodeImage(t *testing.T) {
	jpg := encodeJPEG(t, gradient(64, 48))
	pngb := encodePNG(t, gradient(64, 48))
	tests := []struct {
		name   string
		data   []byte
		opts   *detect.DecodeOptions
		want   error  // nil: success
		format string // on success
		typ    string // on success: the image's type
	}{
		{"jpeg", jpg, nil, nil, "jpeg", "*image.YCbCr"},
		{"png", pngb, nil, nil, "png", "*image.RGBA"},
		{"cmyk jpeg", encodeCMYK(t, gradient(64, 48), nil), nil, nil, "jpeg", "*image.CMYK"},
		{"1x1 png", encodePNG(t, gradient(1, 1)), nil, nil, "png", "*image.RGBA"},
		{"cmyk jpeg without Adobe marker", encodeCMYK(t, gradient(64, 48), &cmykjpeg.Options{NoAdobe: true}), nil, detect.ErrDecode, "", ""},
		{"jpeg claiming 30000x30000", jpegClaiming(t, 30000, 30000), nil, detect.ErrImageTooLarge, "", ""},
		{"jpeg claiming 65535x1: allowed, scan too short", jpegClaiming(t, 65535, 1), nil, detect.ErrDecode, "", ""},
		{"png claiming 30000x30000", pngClaiming(t, 30000, 30000), nil, detect.ErrImageTooLarge, "", ""},
		{"png claiming 70000x1 (side over MaxSide)", pngClaiming(t, 70000, 1), &detect.DecodeOptions{MaxPixels: 1 << 40}, detect.ErrImageTooLarge, "", ""},
		{"png claiming 0x10", pngClaiming(t, 0, 10), nil, detect.ErrDecode, "", ""},
		{"over MaxPixels", jpg, &detect.DecodeOptions{MaxPixels: 64*48 - 1}, detect.ErrImageTooLarge, "", ""},
		{"truncated jpeg", jpg[:len(jpg)/2], nil, detect.ErrDecode, "", ""},
		{"truncated jpeg header", jpg[:20], nil, detect.ErrDecode, "", ""},
		{"truncated png", pngb[:len(pngb)/2], nil, detect.ErrDecode, "", ""},
		{"truncated png header", pngb[:20], nil, detect.ErrDecode, "", ""},
		{"empty", nil, nil, detect.ErrDecode, "", ""},
		{"garbage", []byte("GIF89a? no, just text pretending"), nil, detect.ErrDecode, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, format, err := detect.DecodeImage(bytes.NewReader(tt.data), tt.opts)
			if tt.want != nil {
				var de *detect.DecodeError
				if !errors.Is(err, tt.want) || !errors.As(err, &de) || img != nil {
					t.Fatalf("DecodeImage = %T, %v; want a *DecodeError wrapping %v", img, err, tt.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if format != tt.format || typeName(img) != tt.typ {
				t.Errorf("DecodeImage = %s, %s; want %s, %s", typeName(img), format, tt.typ, tt.format)
			}
		})
	}
}

func typeName(v any) string {
	switch v.(type) {
	case *image.YCbCr:
		return "*image.YCbCr"
	case *image.RGBA:
		return "*image.RGBA"
	case *image.CMYK:
		return "*image.CMYK"
	case *image.NRGBA:
		return "*image.NRGBA"
	}
	return "other"
}

// TestDecodeImageRefusesBeforeAllocating checks that a header claiming
// 30000×30000 (2.7 GB of YCbCr) is refused without allocating the pixels.
func TestDecodeImageRefusesBeforeAllocating(t *testing.T) {
	data := jpegClaiming(t, 30000, 30000)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	_, _, err := detect.DecodeImage(bytes.NewReader(data), nil)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, detect.ErrImageTooLarge) {
		t.Fatalf("DecodeImage = %v; want ErrImageTooLarge", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 4<<20 {
		t.Errorf("allocated %d bytes to refuse the image; want under 4 MiB", got)
	}
	var de *detect.DecodeError
	if !errors.As(err, &de) || de.Width != 30000 || de.Height != 30000 || de.Format != "jpeg" {
		t.Errorf("error = %#v; want the format and size from the header", err)
	}
}

func TestDecodeImageOrient(t *testing.T) {
	data := exifJPEG(t, 40, 24, 6) // stored sideways: rotate 90° clockwise to view
	for _, orient := range []bool{false, true} {
		img, _, err := detect.DecodeImage(bytes.NewReader(data), &detect.DecodeOptions{Orient: orient})
		if err != nil {
			t.Fatal(err)
		}
		want := image.Pt(40, 24)
		if orient {
			want = image.Pt(24, 40)
		}
		if got := img.Bounds().Size(); got != want {
			t.Errorf("Orient %v: size %v; want %v", orient, got, want)
		}
	}
}

// fitTo is a Fitter that asks for at least min pixels.
type fitTo image.Point

func (f fitTo) MinImageSize(w, h int) image.Point { return image.Pt(min(f.X, w), min(f.Y, h)) }

func TestDecodeImageFit(t *testing.T) {
	jpg := encodeJPEG(t, gradient(640, 480))
	tests := []struct {
		name    string
		data    []byte
		fit     detect.Fitter
		reduced image.Point // the reduced image's size; zero: not reduced
		typ     string      // when not reduced
	}{
		{"quarter", jpg, fitTo{100, 100}, image.Pt(160, 120), ""},
		{"half", jpg, fitTo{300, 200}, image.Pt(320, 240), ""},
		{"eighth", jpg, fitTo{80, 60}, image.Pt(80, 60), ""},
		{"needs full size", jpg, fitTo{400, 100}, image.Point{}, "*image.YCbCr"},
		{"no fit", jpg, nil, image.Point{}, "*image.YCbCr"},
		{"png", encodePNG(t, gradient(640, 480)), fitTo{10, 10}, image.Point{}, "*image.RGBA"},
		{"cmyk jpeg: image/jpeg decodes it", encodeCMYK(t, gradient(640, 480), nil), fitTo{10, 10}, image.Point{}, "*image.CMYK"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, _, err := detect.DecodeImage(bytes.NewReader(tt.data), &detect.DecodeOptions{Fit: tt.fit})
			if err != nil {
				t.Fatal(err)
			}
			r, ok := img.(*preprocess.Reduced)
			switch {
			case tt.reduced == image.Point{} && (ok || typeName(img) != tt.typ):
				t.Fatalf("decoded as %T; want %s", img, tt.typ)
			case tt.reduced == image.Point{}:
			case !ok:
				t.Fatalf("decoded as %T; want a *preprocess.Reduced", img)
			case r.Bounds().Size() != tt.reduced || r.Full != image.Pt(640, 480):
				t.Fatalf("reduced to %v of %v; want %v of (640,480)", r.Bounds().Size(), r.Full, tt.reduced)
			}
		})
	}
}

// TestDecodeImageFitOrient checks that orientation turns the full size of
// a reduced image with its pixels.
func TestDecodeImageFitOrient(t *testing.T) {
	data := exifJPEG(t, 40, 24, 6) // stored sideways: rotate 90° clockwise to view
	img, _, err := detect.DecodeImage(bytes.NewReader(data), &detect.DecodeOptions{Orient: true, Fit: fitTo{10, 6}})
	if err != nil {
		t.Fatal(err)
	}
	r, ok := img.(*preprocess.Reduced)
	if !ok || r.Full != image.Pt(24, 40) || r.Bounds().Size() != image.Pt(6, 10) {
		t.Fatalf("decoded as %T %v; want 6×10 pixels of a 24×40 image", img, img.Bounds())
	}
}

// endless is an io.Reader of zero bytes that never ends.
type endless struct{ n int64 }

func (e *endless) Read(p []byte) (int, error) {
	clear(p)
	e.n += int64(len(p))
	return len(p), nil
}

// TestDecodeImageTrailingData follows a small JPEG with an endless stream:
// DecodeImage reads a bounded amount, decodes the image (as image/jpeg
// does, stopping at its end) and returns.
func TestDecodeImageTrailingData(t *testing.T) {
	jpg := encodeJPEG(t, gradient(64, 48))
	rest := &endless{}
	img, format, err := detect.DecodeImage(io.MultiReader(bytes.NewReader(jpg), rest), nil)
	if err != nil || format != "jpeg" || img.Bounds().Size() != image.Pt(64, 48) {
		t.Fatalf("DecodeImage = %v, %s, %v", img, format, err)
	}
	if rest.n > 4<<20 {
		t.Errorf("read %d bytes past the image; want a bounded amount", rest.n)
	}
}
