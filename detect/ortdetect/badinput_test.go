package ortdetect_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/internal/cmykjpeg"
)

// TestBadImagesAtTheAPI feeds odd images straight to Detect: each gives
// sane detections (in the image, confidences in [0, 1]) or a typed error.
func TestBadImagesAtTheAPI(t *testing.T) {
	m := load(t, "yolox-nano-coco", nil)
	pal := image.NewPaletted(image.Rect(0, 0, 1, 1), color.Palette{color.White})
	big := image.NewGray(image.Rect(0, 0, 70000, 1)) // 68 KB, but a side over preprocess.MaxSide
	sub := readImage(t, "person.jpg").(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(300, 100, 301, 101))
	tests := []struct {
		name string
		img  image.Image
		want error // nil: success
	}{
		{"nil", nil, detect.ErrEmptyImage},
		{"typed nil", (*image.RGBA)(nil), detect.ErrEmptyImage},
		{"0x0", image.NewRGBA(image.Rectangle{}), detect.ErrEmptyImage},
		{"10x0", image.NewNRGBA(image.Rect(0, 0, 10, 0)), detect.ErrEmptyImage},
		{"inverted rectangle", &image.Gray{Rect: image.Rectangle{Min: image.Pt(5, 5), Max: image.Pt(1, 1)}}, detect.ErrEmptyImage},
		{"pixels shorter than the rectangle", &image.Gray{Rect: image.Rect(0, 0, 4, 4), Stride: 4}, detect.ErrEmptyImage},
		{"1x1 rgba", image.NewRGBA(image.Rect(0, 0, 1, 1)), nil},
		{"1x1 gray", image.NewGray(image.Rect(0, 0, 1, 1)), nil},
		{"1x1 cmyk", image.NewCMYK(image.Rect(0, 0, 1, 1)), nil},
		{"1x1 paletted", pal, nil},
		{"1x1 sub-image of a photo", sub, nil},
		{"1x4000", image.NewGray(image.Rect(0, 0, 1, 4000)), nil},
		{"4000x1 at a negative origin", image.NewNRGBA(image.Rect(-4000, -7, 0, -6)), nil},
		{"70000x1", big, detect.ErrImageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := detectNoPanic(m, context.Background(), tt.img)
			if tt.want != nil {
				mustErr(t, err, tt.want)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkSane(t, got, tt.img.Bounds())
		})
	}
}

// detectNoPanic calls Detect and turns a panic (a typed nil image, say)
// into an error.
func detectNoPanic(m detect.Detector, ctx context.Context, img image.Image) (dets []detect.Detection, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panic: " + toString(r))
		}
	}()
	return m.Detect(ctx, img)
}

func toString(v any) string {
	if e, ok := v.(error); ok {
		return e.Error()
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "non-error panic value"
}

// checkSane checks that detections lie in the image and are well formed.
func checkSane(t *testing.T, dets []detect.Detection, b image.Rectangle) {
	t.Helper()
	w, h := float32(b.Dx()), float32(b.Dy())
	for _, d := range dets {
		x := d.Box
		if d.Confidence < 0 || d.Confidence > 1 || x.X1 < 0 || x.Y1 < 0 || x.X2 > w || x.Y2 > h || x.X1 > x.X2 || x.Y1 > x.Y2 {
			t.Errorf("detection %+v out of the %vx%v image", d, w, h)
		}
	}
}

// TestCMYKJPEG decodes a CMYK JPEG (as *image.CMYK, which takes the
// generic pre-processing path) and checks that Detect gives exactly what it
// gives for the same pixels converted to RGBA.
func TestCMYKJPEG(t *testing.T) {
	m := load(t, "yolox-nano-coco", nil)
	var buf bytes.Buffer
	if err := cmykjpeg.Encode(&buf, readImage(t, "person.jpg"), nil); err != nil {
		t.Fatal(err)
	}
	img, format, err := detect.DecodeImage(&buf, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := img.(*image.CMYK); !ok || format != "jpeg" {
		t.Fatalf("decoded %T (%s); want *image.CMYK", img, format)
	}
	got, err := m.Detect(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	rgba := image.NewRGBA(img.Bounds())
	draw.Draw(rgba, rgba.Rect, img, img.Bounds().Min, draw.Src)
	want, err := m.Detect(context.Background(), rgba)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("CMYK: %v\nRGBA: %v\nwant the same detections", got, want)
	}
	checkSane(t, got, img.Bounds())
	t.Logf("CMYK mosaic of person.jpg: %d detections, best %+v", len(got), first(got))
}

func first(ds []detect.Detection) any {
	if len(ds) == 0 {
		return "none"
	}
	return ds[0]
}

// TestBadFilesAtTheAPI decodes damaged and hostile files the way an
// application does (detect.DecodeImage, then Detect): each is refused with
// a typed error before Detect is reached.
func TestBadFilesAtTheAPI(t *testing.T) {
	m := load(t, "yolox-nano-coco", nil)
	photo, err := os.ReadFile(filepath.Join(imagesDir, "dog.jpg"))
	if err != nil {
		t.Fatal(err)
	}
	var pngBuf bytes.Buffer
	png.Encode(&pngBuf, readImage(t, "chelsea.png"))
	huge := bytes.Clone(photo)
	if i := bytes.Index(huge, []byte{0xFF, 0xC0}); i >= 0 { // baseline frame header
		copy(huge[i+5:], []byte{30000 >> 8, 30000 & 0xff, 30000 >> 8, 30000 & 0xff})
	} else {
		t.Fatal("dog.jpg has no baseline frame header")
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"truncated jpeg", photo[:len(photo)/3], detect.ErrDecode},
		{"truncated png", pngBuf.Bytes()[:pngBuf.Len()/3], detect.ErrDecode},
		{"jpeg header claiming 30000x30000", huge, detect.ErrImageTooLarge},
		{"not an image", []byte("<html>quota exceeded</html>"), detect.ErrDecode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img, _, err := detect.DecodeImage(bytes.NewReader(tt.data), nil)
			mustErr(t, err, tt.want)
			if img != nil {
				t.Fatalf("DecodeImage returned an image with %v", err)
			}
		})
	}
	// A truncated JPEG decoded by the standard library alone yields a
	// partial image in some cases; Detect must still behave.
	if img, err := jpeg.Decode(bytes.NewReader(photo[:len(photo)/3])); err == nil {
		got, err := m.Detect(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		checkSane(t, got, img.Bounds())
	}
}

// TestContextsAndClosedModels checks the typed errors of cancelled and
// expired contexts and of a model closed at the deploy level.
func TestContextsAndClosedModels(t *testing.T) {
	requireORT(t)
	m, err := deploy.LoadDetector(context.Background(), catalogRegistry(t), "picodet-s-320-coco", nil)
	if err != nil {
		t.Fatal(err)
	}
	img := readImage(t, "dog.jpg")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancel2 := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel2()
	_, err = m.Detect(cancelled, img)
	mustErr(t, err, context.Canceled)
	_, err = m.Detect(expired, img)
	mustErr(t, err, context.DeadlineExceeded)
	_, err = m.DetectAll(cancelled, []image.Image{img})
	mustErr(t, err, context.Canceled)
	_, err = m.DetectAll(context.Background(), []image.Image{img, nil})
	mustErr(t, err, detect.ErrEmptyImage)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	_, err = m.Detect(context.Background(), img)
	mustErr(t, err, ortdetect.ErrClosed)
	_, err = m.DetectAll(context.Background(), []image.Image{img})
	mustErr(t, err, ortdetect.ErrClosed)
	_, err = m.Detect(context.Background(), nil)
	if !errors.Is(err, ortdetect.ErrClosed) && !errors.Is(err, detect.ErrEmptyImage) {
		t.Errorf("Detect(nil) after Close = %v; want ErrClosed or ErrEmptyImage", err)
	}
}
