package main

import (
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	xdraw "golang.org/x/image/draw"
	"golang.org/x/image/font"
	"golang.org/x/image/font/basicfont"
	"golang.org/x/image/math/fixed"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
)

func encodePNG(w io.Writer, img image.Image) error {
	return (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(w, img)
}

// palette holds distinct box colours, picked by class id.
var palette = []color.RGBA{
	{230, 25, 75, 255}, {60, 180, 75, 255}, {255, 225, 25, 255}, {0, 130, 200, 255},
	{245, 130, 48, 255}, {145, 30, 180, 255}, {70, 240, 240, 255}, {240, 50, 230, 255},
}

// annotate returns a copy of img with each detection's box and a label with
// its confidence drawn on it. A reduced image is drawn at its reduced size,
// with the boxes scaled to it.
func annotate(img image.Image, dets []detect.Detection) *image.RGBA {
	b := img.Bounds()
	sx, sy := float32(1), float32(1)
	if r, ok := img.(*preprocess.Reduced); ok {
		full := r.FullSize()
		sx, sy = float32(b.Dx())/float32(full.X), float32(b.Dy())/float32(full.Y)
		img = r.Image // its pixels, without the wrapper: draw has fast paths for them
	}
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	thick := max(2, min(b.Dx(), b.Dy())/300)
	scale := labelScale(b.Size())
	for i := len(dets) - 1; i >= 0; i-- { // best last, on top
		d := dets[i]
		c := palette[max(d.Class, 0)%len(palette)]
		r := detect.Box{X1: d.Box.X1 * sx, Y1: d.Box.Y1 * sy, X2: d.Box.X2 * sx, Y2: d.Box.Y2 * sy}.Rect()
		drawRect(out, r, thick, c)
		drawLabel(out, r.Min, d.Label+" "+formatScore(d.Confidence), c, scale)
	}
	return out
}

func drawRect(dst *image.RGBA, r image.Rectangle, t int, c color.RGBA) {
	u := image.NewUniform(c)
	for _, edge := range []image.Rectangle{
		{r.Min, image.Pt(r.Max.X, r.Min.Y+t)}, {image.Pt(r.Min.X, r.Max.Y-t), r.Max},
		{r.Min, image.Pt(r.Min.X+t, r.Max.Y)}, {image.Pt(r.Max.X-t, r.Min.Y), r.Max},
	} {
		draw.Draw(dst, edge.Intersect(dst.Bounds()), u, image.Point{}, draw.Src)
	}
}

// labelScale is how many times the 7×13 font is enlarged so that labels
// stay readable: about one text line per 45 lines of the shorter side (1 on
// a 640×480 photo, 6 on a 4000×3000 one).
func labelScale(size image.Point) int {
	return max(1, min(size.X, size.Y)/600)
}

// drawLabel draws text on a box of colour c above at (below it at the top
// edge), with the font enlarged scale times.
func drawLabel(dst *image.RGBA, at image.Point, text string, c color.RGBA, scale int) {
	face := basicfont.Face7x13
	w := font.MeasureString(face, text).Ceil() + 6
	h := face.Metrics().Height.Ceil() + 4
	small := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.Draw(small, small.Bounds(), image.NewUniform(c), image.Point{}, draw.Src)
	d := font.Drawer{Dst: small, Src: image.NewUniform(textColour(c)), Face: face, Dot: fixed.P(3, h-4)}
	d.DrawString(text)
	W, H := w*scale, h*scale
	y := at.Y - H
	if y < 0 {
		y = at.Y
	}
	xdraw.NearestNeighbor.Scale(dst, image.Rect(at.X, y, at.X+W, y+H), small, small.Bounds(), draw.Src, nil)
}

// textColour is black on light backgrounds, white on dark ones.
func textColour(c color.RGBA) color.Color {
	if 299*int(c.R)+587*int(c.G)+114*int(c.B) > 150000 {
		return color.Black
	}
	return color.White
}

func formatScore(s float32) string {
	n := int(s*100 + 0.5)
	return string([]byte{'0' + byte(n/100), '.', '0' + byte(n/10%10), '0' + byte(n%10)})
}
