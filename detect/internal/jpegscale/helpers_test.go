package jpegscale

import (
	"bytes"
	"image"
	"image/jpeg"
	"math"
	"os"
	"path/filepath"
	"testing"
)

// imageDir holds the project's test photos.
const imageDir = "../../../testdata/images"

// photos are the JPEG files of imageDir.
var photos = []string{"african_elephants.jpg", "vehicle.jpg", "dog.jpg", "person.jpg"}

// readPhoto returns the bytes of a file in imageDir.
func readPhoto(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(imageDir, name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// plane is one channel of an image at its own resolution.
type plane struct {
	name   string
	pix    []byte
	stride int
	w, h   int
}

// at returns the sample at (x, y).
func (p plane) at(x, y int) byte { return p.pix[y*p.stride+x] }

// planes splits a *image.YCbCr or *image.Gray (with Min at the origin)
// into planes.
func planes(tb testing.TB, m image.Image) []plane {
	tb.Helper()
	switch m := m.(type) {
	case *image.Gray:
		b := m.Bounds()
		return []plane{{"Y", m.Pix, m.Stride, b.Dx(), b.Dy()}}
	case *image.YCbCr:
		b := m.Bounds()
		cw, ch := chromaSize(b.Dx(), b.Dy(), m.SubsampleRatio)
		return []plane{
			{"Y", m.Y, m.YStride, b.Dx(), b.Dy()},
			{"Cb", m.Cb, m.CStride, cw, ch},
			{"Cr", m.Cr, m.CStride, cw, ch},
		}
	}
	tb.Fatalf("image type %T; want *image.YCbCr or *image.Gray", m)
	return nil
}

// chromaSize is the chroma plane size of a w×h image.
func chromaSize(w, h int, r image.YCbCrSubsampleRatio) (int, int) {
	switch r {
	case image.YCbCrSubsampleRatio422:
		return (w + 1) / 2, h
	case image.YCbCrSubsampleRatio420:
		return (w + 1) / 2, (h + 1) / 2
	case image.YCbCrSubsampleRatio440:
		return w, (h + 1) / 2
	case image.YCbCrSubsampleRatio411:
		return (w + 3) / 4, h
	case image.YCbCrSubsampleRatio410:
		return (w + 3) / 4, (h + 1) / 2
	}
	return w, h
}

// diffStats returns the largest and the mean absolute difference of two
// planes of the same size.
func diffStats(a, b plane) (maxDiff int, mean float64) {
	sum := 0
	for y := range a.h {
		for x := range a.w {
			d := int(a.at(x, y)) - int(b.at(x, y))
			d = max(d, -d)
			maxDiff = max(maxDiff, d)
			sum += d
		}
	}
	return maxDiff, float64(sum) / float64(a.w*a.h)
}

// boxPSNR returns the PSNR of the scaled plane s against the full-size
// plane f averaged over scale×scale squares (clipped at the edges).
func boxPSNR(s, f plane, scale int) float64 {
	var se float64
	for y := range s.h {
		for x := range s.w {
			sum, n := 0, 0
			for yy := y * scale; yy < min(f.h, (y+1)*scale); yy++ {
				for xx := x * scale; xx < min(f.w, (x+1)*scale); xx++ {
					sum += int(f.at(xx, yy))
					n++
				}
			}
			d := float64(s.at(x, y)) - float64(sum)/float64(n)
			se += d * d
		}
	}
	mse := se / float64(s.w*s.h)
	if mse == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/mse)
}

// refDecode decodes b with image/jpeg.
func refDecode(tb testing.TB, b []byte) image.Image {
	tb.Helper()
	m, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return m
}

// decodeScaled decodes b with Decode at scale and checks the bounds and
// type against the reference decode ref.
func decodeScaled(tb testing.TB, b []byte, scale int, ref image.Image) image.Image {
	tb.Helper()
	m, err := Decode(bytes.NewReader(b), scale)
	if err != nil {
		tb.Fatalf("Decode(scale %d): %v", scale, err)
	}
	rb := ref.Bounds()
	want := image.Rect(0, 0, (rb.Dx()+scale-1)/scale, (rb.Dy()+scale-1)/scale)
	if m.Bounds() != want {
		tb.Fatalf("scale %d: bounds %v; want %v", scale, m.Bounds(), want)
	}
	if ry, ok := ref.(*image.YCbCr); ok {
		my, ok := m.(*image.YCbCr)
		if !ok || my.SubsampleRatio != ry.SubsampleRatio {
			tb.Fatalf("scale %d: got %T; want *image.YCbCr %v", scale, m, ry.SubsampleRatio)
		}
	} else if _, ok := m.(*image.Gray); !ok {
		tb.Fatalf("scale %d: got %T; want *image.Gray", scale, m)
	}
	return m
}
