package preprocess

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"math"
	"testing"
)

// fuzzImage builds a small image of one of the fast-path types (or a type
// that takes the generic path) from the fuzzer's bytes. sub makes it a
// sub-image of a larger one, so that strides and offsets are not trivial.
func fuzzImage(kind uint8, r image.Rectangle, sub bool, data []byte) image.Image {
	outer := r
	if sub {
		outer = image.Rect(r.Min.X-3, r.Min.Y-2, r.Max.X+5, r.Max.Y+1)
	}
	next := byteSource(data)
	var img image.Image
	switch k := kind % 14; {
	case k < 6:
		ratios := []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
			image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410}
		m := image.NewYCbCr(outer, ratios[k])
		fillFrom(next, m.Y, m.Cb, m.Cr)
		img = m
	case k == 6:
		m := image.NewNYCbCrA(outer, image.YCbCrSubsampleRatio420)
		fillFrom(next, m.Y, m.Cb, m.Cr)
		for i := range m.A {
			m.A[i] = 0xff // translucent NYCbCrA differs from NRGBA by rounding
		}
		img = m
	case k == 7:
		m := image.NewRGBA(outer)
		for i := 0; i+3 < len(m.Pix); i += 4 { // valid premultiplied colours
			a := next()
			for c := range 3 {
				m.Pix[i+c] = uint8(int(next()) % (int(a) + 1))
			}
			m.Pix[i+3] = a
		}
		img = m
	case k == 8:
		m := image.NewNRGBA(outer)
		fillFrom(next, m.Pix)
		img = m
	case k == 9:
		m := image.NewGray(outer)
		fillFrom(next, m.Pix)
		img = m
	case k == 10:
		m := image.NewCMYK(outer)
		fillFrom(next, m.Pix)
		img = m
	case k == 11:
		m := image.NewPaletted(outer, color.Palette{color.Black, color.White, color.RGBA{200, 10, 30, 255}, color.Gray{77}})
		for i := range m.Pix {
			m.Pix[i] = next() % 4
		}
		img = m
	case k == 12:
		m := image.NewGray16(outer)
		fillFrom(next, m.Pix)
		img = m
	default:
		m := image.NewRGBA64(outer)
		for i := 0; i+7 < len(m.Pix); i += 8 {
			for c := range 6 {
				m.Pix[i+c] = next()
			}
			m.Pix[i+6], m.Pix[i+7] = 0xff, 0xff
		}
		img = m
	}
	if sub {
		img = img.(interface {
			SubImage(image.Rectangle) image.Image
		}).SubImage(r)
	}
	return img
}

// byteSource cycles through data; zeros when it is empty.
func byteSource(data []byte) func() uint8 {
	i := 0
	return func() uint8 {
		if len(data) == 0 {
			return 0
		}
		b := data[i%len(data)] ^ uint8(i/len(data)*31)
		i++
		return b
	}
}

func fillFrom(next func() uint8, bufs ...[]byte) {
	for _, b := range bufs {
		for i := range b {
			b[i] = next()
		}
	}
}

// fuzzOptions derives options from the fuzzer's numbers; some are invalid.
func fuzzOptions(ow, oh, flags, pad, norm uint8) Options {
	o := Options{Width: 1 + int(ow)%48, Height: 1 + int(oh)%48, PadValue: int(pad)}
	if flags&1 != 0 {
		o.Resize = Stretch
	}
	if flags&2 != 0 {
		o.Placement = Center
	}
	if flags&4 != 0 {
		o.ChannelOrder = BGR
	}
	if flags&8 != 0 {
		o.Layout = NHWC
	}
	switch norm % 5 {
	case 1:
		o.Scale = 1.0 / 255
	case 2:
		o.Mean, o.Std = []float64{123.675, 116.28, 103.53}, []float64{58.395, 57.12, 57.375}
	case 3:
		o.Mean, o.Std = []float64{0.5}, []float64{0.25}
	case 4:
		o.Std = []float64{0, 1, 1} // invalid
	}
	if flags&128 != 0 {
		o.Width = 0 // invalid
	}
	return o
}

// FuzzRun pre-processes random small images of every fast-path type (and
// two generic ones), sub-images included, with random options: invalid
// options are refused by New, empty images by Run, and every other call
// matches the exact reference value for value, on the CPU's path and bit
// for bit on every lower one (scalar, AVX2).
func FuzzRun(f *testing.F) {
	f.Add([]byte{1, 2, 3, 250, 7}, uint8(0), int8(0), int8(0), uint8(5), uint8(3), uint8(16), uint8(12), uint8(0), uint8(0), uint8(0))
	f.Add([]byte{9, 200, 31}, uint8(2), int8(-7), int8(3), uint8(39), uint8(1), uint8(7), uint8(47), uint8(2|4|8|32), uint8(114), uint8(2))
	f.Add([]byte{0xff, 0, 0x80}, uint8(7), int8(1), int8(1), uint8(0), uint8(0), uint8(1), uint8(1), uint8(1), uint8(0), uint8(1))
	f.Add([]byte("cmyk and palettes"), uint8(10), int8(4), int8(-2), uint8(20), uint8(30), uint8(23), uint8(5), uint8(32|1), uint8(9), uint8(3))
	f.Add([]byte{}, uint8(11), int8(0), int8(0), uint8(3), uint8(3), uint8(40), uint8(40), uint8(64), uint8(0), uint8(0))
	f.Add([]byte{5}, uint8(13), int8(0), int8(0), uint8(3), uint8(3), uint8(4), uint8(4), uint8(128), uint8(0), uint8(4))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8, x0, y0 int8, w, h, ow, oh, flags, pad, norm uint8) {
		o := fuzzOptions(ow, oh, flags, pad, norm)
		p, err := New(o)
		if err != nil {
			if !errors.Is(err, ErrInvalidOptions) {
				t.Fatalf("New(%+v) = %v; want ErrInvalidOptions", o, err)
			}
			return
		}
		ox, oy := int(x0), int(y0)
		if kind%14 <= 6 {
			// image.YCbCr itself mislays chroma left of or above the
			// origin (COffset divides negative coordinates toward zero,
			// and At can index past Cb), so its origin stays >= 0.
			ox, oy = int(uint8(x0)), int(uint8(y0))
		}
		r := image.Rect(ox, oy, ox+1+int(w)%40, oy+1+int(h)%40)
		if flags&64 != 0 {
			r.Max.X = r.Min.X // empty
		}
		img := fuzzImage(kind, r, flags&32 != 0, data)
		dst := make([]float32, p.Len())
		for i := range dst {
			dst[i] = -12345
		}
		g, err := p.Run(img, dst)
		if r.Empty() {
			if !errors.Is(err, ErrEmptyImage) || dst[0] != -12345 {
				t.Fatalf("Run(empty %T) = %v, dst[0] = %v; want ErrEmptyImage and dst untouched", img, err, dst[0])
			}
			return
		}
		if err != nil {
			t.Fatalf("Run(%T %v, %+v) = %v", img, r, o, err)
		}
		if g.Width < 1 || g.Width > o.Width || g.Height < 1 || g.Height > o.Height || g.OffsetX < 0 || g.OffsetY < 0 {
			t.Fatalf("geometry %+v out of the %dx%d tensor", g, o.Width, o.Height)
		}
		want := reference(img, o, refSampleExact)
		for i := range want {
			if dst[i] != want[i] || math.IsNaN(float64(dst[i])) {
				t.Fatalf("%T %v (sub %v), %+v: value %d = %v; want %v", img, r, flags&32 != 0, o, i, dst[i], want[i])
			}
		}
		for l := levelScalar; l < cpuLevel; l++ { // cpuLevel ran above
			requireBits(t, runPath(t, img, o, l), dst, fmt.Sprintf("%T %v, %+v, %s path", img, r, o, levelNames[l]))
		}
		if _, err := p.Run(img, dst[:len(dst)-1]); !errors.Is(err, ErrShortBuffer) {
			t.Fatalf("Run with a short buffer = %v; want ErrShortBuffer", err)
		}
	})
}
