package preprocess

import (
	"errors"
	"image"
	"slices"
	"testing"

	"golang.org/x/image/draw"
)

// TestReduced checks that a Reduced image is resampled from its pixels but
// placed as its full-size original: the tensor equals the one of the same
// pixels given plainly (the letterbox has the same shape), and the
// geometry maps back to the original's pixels.
func TestReduced(t *testing.T) {
	photo := loadPhoto(t, "african_elephants.jpg") // 2048×1536
	small := image.NewRGBA(image.Rect(0, 0, 512, 384))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), photo, photo.Bounds(), draw.Src, nil)
	for _, o := range []Options{yoloxOptions, picodetOptions} {
		p, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		want := make([]float32, p.Len())
		if _, err := p.Run(small, want); err != nil {
			t.Fatal(err)
		}
		got := make([]float32, p.Len())
		g, err := p.Run(&Reduced{Image: small, Full: image.Pt(2048, 1536)}, got)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Errorf("%dx%d: the tensor of the reduced image differs from its pixels' own", o.Width, o.Height)
		}
		if g != p.Geometry(2048, 1536) {
			t.Errorf("geometry %+v; want the original's %+v", g, p.Geometry(2048, 1536))
		}
		if x, y := g.ToImage(float64(g.OffsetX+g.Width), float64(g.OffsetY+g.Height)); x < 2047 || x > 2049 || y < 1535 || y > 1537 {
			t.Errorf("the far corner maps to (%.1f, %.1f); want (2048, 1536)", x, y)
		}
	}
}

func TestReducedErrors(t *testing.T) {
	p, err := New(yoloxOptions)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, p.Len())
	var nilRGBA *image.RGBA
	tests := []struct {
		name string
		img  image.Image
		want error
	}{
		{"nil image", &Reduced{Full: image.Pt(10, 10)}, ErrEmptyImage},
		{"typed nil image", &Reduced{Image: nilRGBA, Full: image.Pt(10, 10)}, ErrEmptyImage},
		{"nil *Reduced", (*Reduced)(nil), ErrEmptyImage},
		{"full too large", &Reduced{Image: image.NewGray(image.Rect(0, 0, 4, 4)), Full: image.Pt(MaxSide+1, 4)}, ErrImageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := p.Run(tt.img, dst); !errors.Is(err, tt.want) {
				t.Errorf("Run = %v; want %v", err, tt.want)
			}
		})
	}
	// Full unset: the reduced pixels are the image.
	g, err := p.Run(&Reduced{Image: image.NewGray(image.Rect(0, 0, 40, 30))}, dst)
	if err != nil || g.SrcWidth != 40 || g.SrcHeight != 30 {
		t.Errorf("Run without Full = %+v, %v", g, err)
	}
}
