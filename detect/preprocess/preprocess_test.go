package preprocess

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

const imagesDir = "../../testdata/images"

var photos = []string{
	"astronaut.png", "camera.png", "chelsea.png", "coffee.png",
	"dog.jpg", "person.jpg", "african_elephants.jpg", "vehicle.jpg",
}

func loadPhoto(tb testing.TB, name string) image.Image {
	tb.Helper()
	f, err := os.Open(filepath.Join(imagesDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		tb.Fatal(err)
	}
	return img
}

var (
	_ = jpeg.Decode
	_ = png.Decode
)

// yoloxOptions and picodetOptions are the bundled models' inputs.
var (
	yoloxOptions = Options{Width: 416, Height: 416, Resize: Letterbox, PadValue: 114,
		ChannelOrder: BGR, Layout: NCHW}
	picodetOptions = Options{Width: 320, Height: 320, Resize: Stretch, Scale: 1.0 / 255,
		Mean: []float64{0.485, 0.456, 0.406}, Std: []float64{0.229, 0.224, 0.225}}
)

// compare runs the fast path and the reference and reports the first
// difference.
func compare(t *testing.T, img image.Image, o Options) {
	t.Helper()
	p, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]float32, p.Len())
	if _, err := p.Run(img, got); err != nil {
		t.Fatal(err)
	}
	want := reference(img, o, refSampleExact)
	diffs := 0
	for i := range want {
		if got[i] != want[i] {
			if diffs == 0 {
				t.Errorf("%T %v, %+v: value %d = %v; want %v", img, img.Bounds(), o, i, got[i], want[i])
			}
			diffs++
		}
	}
	if diffs > 0 {
		t.Errorf("%d of %d values differ", diffs, len(want))
	}
}

func TestPhotosMatchReference(t *testing.T) {
	for _, name := range photos {
		img := loadPhoto(t, name)
		for _, o := range []Options{yoloxOptions, picodetOptions} {
			t.Run(fmt.Sprintf("%s/%dx%d", name, o.Width, o.Height), func(t *testing.T) {
				compare(t, img, o)
			})
		}
	}
}

func TestSyntheticMatchReference(t *testing.T) {
	sizes := []image.Rectangle{
		image.Rect(0, 0, 1, 1), image.Rect(0, 0, 1, 9), image.Rect(0, 0, 9, 1),
		image.Rect(0, 0, 5, 3), image.Rect(3, 5, 40, 28), image.Rect(-7, -3, 100, 13),
		image.Rect(1, 1, 64, 64), image.Rect(4, 2, 31, 19),
	}
	opts := []Options{
		{Width: 16, Height: 12},
		{Width: 33, Height: 17, PadValue: 7, Placement: Center, ChannelOrder: BGR, Layout: NHWC},
		{Width: 24, Height: 24, Resize: Stretch, ChannelOrder: BGR},
		{Width: 7, Height: 5, Resize: Stretch, Layout: NHWC, Scale: 1.0 / 255, Mean: []float64{0.5}, Std: []float64{0.25}},
		{Width: 200, Height: 150, Placement: Center},
		{Width: 40, Height: 40, PadValue: 114, Placement: Center, Rounding: Nearest, Scale: 1.0 / 255},
		{Width: 9, Height: 31, Placement: Center, Rounding: Nearest},
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, r := range sizes {
		for _, img := range syntheticImages(rng, r) {
			for _, o := range opts {
				t.Run(fmt.Sprintf("%T/%v/%dx%d", img, r, o.Width, o.Height), func(t *testing.T) {
					compare(t, img, o)
				})
			}
		}
	}
}

// syntheticImages returns random images of every fast-path type, and two
// that take the generic path, covering r.
func syntheticImages(rng *rand.Rand, r image.Rectangle) []image.Image {
	var imgs []image.Image
	for _, ratio := range []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	} {
		m := image.NewYCbCr(r, ratio)
		fill(rng, m.Y, m.Cb, m.Cr)
		imgs = append(imgs, m)
	}
	nycc := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio420)
	fill(rng, nycc.Y, nycc.Cb, nycc.Cr)
	for i := range nycc.A {
		nycc.A[i] = 0xff
	}
	rgba := image.NewRGBA(r)
	fillPremultiplied(rng, rgba.Pix)
	nrgba := image.NewNRGBA(r)
	fill(rng, nrgba.Pix)
	gray := image.NewGray(r)
	fill(rng, gray.Pix)
	cmyk := image.NewCMYK(r)
	fill(rng, cmyk.Pix)
	pal := image.NewPaletted(r, color.Palette{color.Black, color.White, color.RGBA{200, 10, 30, 255}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8(rng.IntN(3))
	}
	return append(imgs, nycc, rgba, nrgba, gray, cmyk, pal)
}

func fill(rng *rand.Rand, bufs ...[]byte) {
	for _, b := range bufs {
		for i := range b {
			b[i] = uint8(rng.Uint32())
		}
	}
}

// fillPremultiplied fills RGBA pixels with valid premultiplied colours, a
// third of them translucent or transparent.
func fillPremultiplied(rng *rand.Rand, pix []byte) {
	for i := 0; i+3 < len(pix); i += 4 {
		a := uint8(255)
		if rng.IntN(3) == 0 {
			a = uint8(rng.IntN(256))
		}
		for c := range 3 {
			pix[i+c] = uint8(rng.IntN(int(a) + 1))
		}
		pix[i+3] = a
	}
}

// TestFloatReferenceTiesOnly bounds the difference from a float64
// implementation: where the exact value is a tie (k + 0.5) and the weights
// are not dyadic, float64 rounding error decides the tie either way, so it
// may differ by 1 there, and nowhere else.
func TestFloatReferenceTiesOnly(t *testing.T) {
	img := loadPhoto(t, "dog.jpg")
	for _, o := range []Options{{Width: 416, Height: 312}, {Width: 320, Height: 320, Resize: Stretch}} {
		p, _ := New(o)
		got := make([]float32, p.Len())
		if _, err := p.Run(img, got); err != nil {
			t.Fatal(err)
		}
		want := reference(img, o, refSampleFloat)
		plane, diffs := o.Width*o.Height, 0
		for i := range want {
			if got[i] == want[i] {
				continue
			}
			diffs++
			c, x, y := i/plane, i%plane%o.Width, i%plane/o.Width
			if d := got[i] - want[i]; (d != 1 && d != -1) || !refIsTie(img, x, y, o.Width, o.Height)[c] {
				t.Fatalf("%dx%d: (%d,%d) channel %d = %v; float64 reference %v, not at a tie", o.Width, o.Height, x, y, c, got[i], want[i])
			}
		}
		t.Logf("%dx%d: %d of %d values are ties that float64 rounds down", o.Width, o.Height, diffs, len(want))
	}
}

func TestYCbCrToRGBMatchesStdlib(t *testing.T) {
	for i := range 1 << 24 {
		y, cb, cr := uint8(i>>16), uint8(i>>8), uint8(i)
		r0, g0, b0 := color.YCbCrToRGB(y, cb, cr)
		r1, g1, b1 := ycbcrToRGB(y, cb, cr)
		if r0 != r1 || g0 != g1 || b0 != b1 {
			t.Fatalf("ycbcrToRGB(%d, %d, %d) = %d, %d, %d; want %d, %d, %d", y, cb, cr, r1, g1, b1, r0, g0, b0)
		}
	}
}

// ultralytics is Ultralytics' LetterBox for a fixed 416×416 export.
var ultralytics = Options{Width: 416, Height: 416, PadValue: 114, Placement: Center, Rounding: Nearest, Scale: 1.0 / 255}

func TestGeometry(t *testing.T) {
	tests := []struct {
		o    Options
		w, h int
		want Geometry
	}{
		{yoloxOptions, 768, 576, Geometry{768, 576, 416, 312, 0, 0, 416.0 / 768, 416.0 / 768}},
		{yoloxOptions, 2048, 1536, Geometry{2048, 1536, 416, 312, 0, 0, 416.0 / 2048, 416.0 / 2048}},
		{yoloxOptions, 451, 300, Geometry{451, 300, 416, 276, 0, 0, 416.0 / 451, 416.0 / 451}},
		{Options{Width: 416, Height: 416, Placement: Center}, 300, 451, Geometry{300, 451, 276, 416, 70, 0, 416.0 / 451, 416.0 / 451}},
		{Options{Width: 10, Height: 10}, 1, 1000, Geometry{1, 1000, 1, 10, 0, 0, 0.01, 0.01}},
		{picodetOptions, 768, 576, Geometry{768, 576, 320, 320, 0, 0, 320.0 / 768, 320.0 / 576}},
		// Ultralytics' LetterBox rounds: 424·0.65 = 275.6 is 276 rows, 70 above and below.
		{ultralytics, 640, 424, Geometry{640, 424, 416, 276, 0, 70, 0.65, 0.65}},
		{Options{Width: 416, Height: 416, Placement: Center}, 640, 424, Geometry{640, 424, 416, 275, 0, 70, 0.65, 0.65}},
		{ultralytics, 451, 300, Geometry{451, 300, 416, 277, 0, 69, 416.0 / 451, 416.0 / 451}},
		{ultralytics, 300, 451, Geometry{300, 451, 277, 416, 69, 0, 416.0 / 451, 416.0 / 451}},
		{Options{Width: 416, Height: 416, Rounding: Nearest, Resize: Stretch}, 640, 424, Geometry{640, 424, 416, 416, 0, 0, 0.65, 416.0 / 424}},
	}
	for _, tt := range tests {
		p, err := New(tt.o)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Geometry(tt.w, tt.h); got != tt.want {
			t.Errorf("Geometry(%d, %d) = %+v; want %+v", tt.w, tt.h, got, tt.want)
		}
	}
}

func TestRunErrors(t *testing.T) {
	p, err := New(Options{Width: 8, Height: 8})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		img  image.Image
		n    int
		want error
	}{
		{"nil", nil, 192, ErrEmptyImage},
		{"0x0", image.NewRGBA(image.Rect(0, 0, 0, 0)), 192, ErrEmptyImage},
		{"0x5", image.NewGray(image.Rect(0, 0, 0, 5)), 192, ErrEmptyImage},
		{"huge", image.NewUniform(color.Black), 192, ErrImageTooLarge},
		{"short", image.NewGray(image.Rect(0, 0, 4, 4)), 191, ErrShortBuffer},
	}
	for _, tt := range tests {
		_, err := p.Run(tt.img, make([]float32, tt.n))
		if !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v; want %v", tt.name, err, tt.want)
		}
	}
}

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		o     Options
		field string
	}{
		{Options{Width: 1, Height: 1}, ""},
		{Options{Height: 1}, "width"},
		{Options{Width: 1, Height: MaxInputSide + 1}, "height"},
		{Options{Width: MaxInputSide, Height: 1}, ""},
		{Options{Width: 1, Height: 1, Resize: "fit"}, "resize"},
		{Options{Width: 1, Height: 1, PadValue: 256}, "pad_value"},
		{Options{Width: 1, Height: 1, Placement: "centre"}, "placement"},
		{Options{Width: 1, Height: 1, Rounding: "round"}, "rounding"},
		{Options{Width: 1, Height: 1, ChannelOrder: "RGB"}, "channel_order"},
		{Options{Width: 1, Height: 1, Layout: "chw"}, "layout"},
		{Options{Width: 1, Height: 1, Mean: []float64{1, 2}}, "mean"},
		{Options{Width: 1, Height: 1, Std: []float64{1, 0, 1}}, "std"},
	}
	for _, tt := range tests {
		err := tt.o.Validate()
		var oe *OptionError
		switch {
		case tt.field == "" && err != nil:
			t.Errorf("%+v: %v; want nil", tt.o, err)
		case tt.field != "" && (!errors.As(err, &oe) || oe.Field != tt.field || !errors.Is(err, ErrInvalidOptions)):
			t.Errorf("%+v: %v; want an OptionError for %q", tt.o, err, tt.field)
		}
	}
}

func TestRunDoesNotAllocate(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	p, _ := New(yoloxOptions)
	img := loadPhoto(t, "person.jpg")
	dst := make([]float32, p.Len())
	if allocs := testing.AllocsPerRun(10, func() { p.Run(img, dst) }); allocs != 0 {
		t.Errorf("Run allocates %v times; want 0", allocs)
	}
}

// TestConcurrentRuns shares one Preprocessor between goroutines working on
// images of different sizes.
func TestConcurrentRuns(t *testing.T) {
	p, _ := New(picodetOptions)
	imgs := []image.Image{loadPhoto(t, "person.jpg"), loadPhoto(t, "chelsea.png"), loadPhoto(t, "camera.png")}
	want := make([][]float32, len(imgs))
	for i, img := range imgs {
		want[i] = make([]float32, p.Len())
		p.Run(img, want[i])
	}
	errs := make(chan error, 6)
	for g := range 6 {
		go func() {
			dst := make([]float32, p.Len())
			for k := range 5 {
				i := (g + k) % len(imgs)
				p.Run(imgs[i], dst)
				for j := range dst {
					if dst[j] != want[i][j] {
						errs <- fmt.Errorf("goroutine %d image %d: value %d differs", g, i, j)
						return
					}
				}
			}
			errs <- nil
		}()
	}
	for range 6 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestLargestInput checks the exact arithmetic at the widest tensor, where
// the packed lanes are fullest.
func TestLargestInput(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	white := image.NewGray(image.Rect(0, 0, 3, 2))
	fill(rng, white.Pix)
	white.Pix[0] = 255
	wide := image.NewYCbCr(image.Rect(0, 0, 6001, 3), image.YCbCrSubsampleRatio420)
	fill(rng, wide.Y, wide.Cb, wide.Cr)
	for _, img := range []image.Image{white, wide} {
		compare(t, img, Options{Width: MaxInputSide, Height: 3, Resize: Stretch})
	}
}

// TestWorkersMatchReference checks that splitting the rows between
// goroutines gives the same values.
func TestWorkersMatchReference(t *testing.T) {
	for _, name := range []string{"dog.jpg", "african_elephants.jpg", "chelsea.png"} {
		img := loadPhoto(t, name)
		for _, o := range []Options{yoloxOptions, picodetOptions} {
			for _, n := range []int{2, 3, 7} {
				o.Workers = n
				t.Run(fmt.Sprintf("%s/%dx%d/workers=%d", name, o.Width, o.Height, n), func(t *testing.T) {
					compare(t, img, o)
				})
			}
		}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for _, img := range syntheticImages(rng, image.Rect(3, 5, 140, 97)) {
		compare(t, img, Options{Width: 64, Height: 100, Placement: Center, Workers: 3})
	}
}
