package preprocess

import (
	"fmt"
	"image"
	"math"
	"reflect"
	"sync"
)

// Geometry records how an image was placed in the tensor, to map boxes back.
type Geometry struct {
	SrcWidth, SrcHeight int     // size of the original image in pixels
	Width, Height       int     // size of the resized image inside the tensor
	OffsetX, OffsetY    int     // top-left corner of the resized image in the tensor
	ScaleX, ScaleY      float64 // tensor pixels per image pixel (r for letterbox)
}

// ToImage maps a point in tensor pixels to original image pixels:
// ((x − OffsetX) / ScaleX, (y − OffsetY) / ScaleY). It does not clip.
func (g Geometry) ToImage(x, y float64) (float64, float64) {
	return (x - float64(g.OffsetX)) / g.ScaleX, (y - float64(g.OffsetY)) / g.ScaleY
}

// Preprocessor writes images into input tensors. It is safe for concurrent
// use; each call borrows scratch buffers from a pool.
type Preprocessor struct {
	opts    Options
	lut     [3][256]float32 // tensor channel → pixel value → tensor value
	srcLUT  [3][256]float32 // the same by source channel (0 R, 1 G, 2 B)
	planeOf [3]int          // source channel → tensor channel
	pool    sync.Pool
}

// New validates opts and returns a Preprocessor for them.
func New(opts Options) (*Preprocessor, error) {
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	p := &Preprocessor{opts: opts.withDefaults(), planeOf: [3]int{0, 1, 2}}
	if p.opts.ChannelOrder == BGR {
		p.planeOf = [3]int{2, 1, 0}
	}
	for c := range 3 {
		for v := range 256 {
			p.lut[c][v] = float32((float64(v)*p.opts.Scale - p.opts.Mean[c]) / p.opts.Std[c])
		}
	}
	for s, c := range p.planeOf {
		p.srcLUT[s] = p.lut[c]
	}
	p.pool.New = func() any { return new(scratch) }
	return p, nil
}

// Options returns the options with every default filled in.
func (p *Preprocessor) Options() Options { return p.opts }

// Len returns the number of float32 values of one image's tensor: 3·W·H.
func (p *Preprocessor) Len() int { return 3 * p.opts.Width * p.opts.Height }

// Shape returns the tensor shape for a batch of n images: [n,3,H,W] for
// NCHW, [n,H,W,3] for NHWC.
func (p *Preprocessor) Shape(n int) []int64 {
	w, h := int64(p.opts.Width), int64(p.opts.Height)
	if p.opts.Layout == NHWC {
		return []int64{int64(n), h, w, 3}
	}
	return []int64{int64(n), 3, h, w}
}

// Run writes img into dst[:p.Len()] and returns where it was placed; a
// [*Reduced] image is placed as its full-size original. Errors
// wrap [ErrEmptyImage], [ErrImageTooLarge] or [ErrShortBuffer]; dst is not
// modified then.
func (p *Preprocessor) Run(img image.Image, dst []float32) (Geometry, error) {
	pix, full := unreduce(img)
	w, h, err := CheckImage(pix)
	if err != nil {
		return Geometry{}, err
	}
	if len(dst) < p.Len() {
		return Geometry{}, fmt.Errorf("%w: %d values, want %d", ErrShortBuffer, len(dst), p.Len())
	}
	if full.X > 0 {
		if full.X > MaxSide || full.Y > MaxSide {
			return Geometry{}, &ImageError{Width: full.X, Height: full.Y, Err: ErrImageTooLarge}
		}
		w, h = full.X, full.Y
	}
	g := p.Geometry(w, h)
	p.fillPad(dst[:p.Len()], g)
	p.resizeAll(pix, dst, g)
	return g, nil
}

// resizeAll writes the resized image, splitting its rows between
// Options.Workers goroutines.
func (p *Preprocessor) resizeAll(img image.Image, dst []float32, g Geometry) {
	n := min(p.opts.Workers, g.Height/minRowsPerWorker)
	if n <= 1 {
		p.resizeRows(img, dst, g, 0, g.Height)
		return
	}
	var wg sync.WaitGroup
	for i := 1; i < n; i++ {
		wg.Go(func() { p.resizeRows(img, dst, g, i*g.Height/n, (i+1)*g.Height/n) })
	}
	p.resizeRows(img, dst, g, 0, g.Height/n)
	wg.Wait()
}

// maxWorkers bounds Options.Workers; minRowsPerWorker keeps the split
// worth its cost.
const (
	maxWorkers       = 64
	minRowsPerWorker = 32
)

// resizeRows writes destination rows y0 ≤ y < y1 of the resized image.
func (p *Preprocessor) resizeRows(img image.Image, dst []float32, g Geometry, y0, y1 int) {
	s := p.pool.Get().(*scratch)
	defer p.pool.Put(s)
	b := img.Bounds() // smaller than g.SrcWidth × g.SrcHeight for a Reduced image
	s.prepare(b.Dx(), b.Dy(), g.Width, g.Height)
	var src source
	src.bind(img, s)
	p.resize(dst, g, s, &src, y0, y1)
}

// CheckImage returns the size of img, or an [*ImageError] when img is nil,
// has no pixels or has a side longer than [MaxSide].
func CheckImage(img image.Image) (w, h int, err error) {
	if img == nil || isNilPointer(img) {
		return 0, 0, &ImageError{Err: ErrEmptyImage}
	}
	b := img.Bounds()
	w, h = b.Dx(), b.Dy()
	switch {
	case w <= 0 || h <= 0 || !pixelsFit(img):
		return w, h, &ImageError{Width: w, Height: h, Err: ErrEmptyImage}
	case w > MaxSide || h > MaxSide:
		return w, h, &ImageError{Width: w, Height: h, Err: ErrImageTooLarge}
	}
	return w, h, nil
}

// isNilPointer reports whether img is a typed nil pointer, such as a nil
// *image.RGBA, whose Bounds method would panic.
func isNilPointer(img image.Image) bool {
	v := reflect.ValueOf(img)
	return v.Kind() == reflect.Pointer && v.IsNil()
}

// pixelsFit reports whether the pixel slices of a standard image type hold
// its last pixel (a hand-made image may have short ones); other types are
// trusted.
func pixelsFit(img image.Image) bool {
	b := img.Bounds()
	x, y := b.Max.X-1, b.Max.Y-1
	switch m := img.(type) {
	case *image.RGBA:
		return m.PixOffset(x, y)+4 <= len(m.Pix)
	case *image.NRGBA:
		return m.PixOffset(x, y)+4 <= len(m.Pix)
	case *image.Gray:
		return m.PixOffset(x, y)+1 <= len(m.Pix)
	case *image.YCbCr:
		return m.YOffset(x, y) < len(m.Y) && m.COffset(x, y) < len(m.Cb) && m.COffset(x, y) < len(m.Cr)
	case *image.NYCbCrA:
		return m.YOffset(x, y) < len(m.Y) && m.COffset(x, y) < len(m.Cb) && m.COffset(x, y) < len(m.Cr) &&
			m.AOffset(x, y) < len(m.A)
	}
	return true
}

// Geometry returns the placement of a w×h image without pre-processing it.
// For a letterbox, r = min(Width/w, Height/h) and the image is resized to
// floor(w·r) × floor(h·r) (at least 1×1), exactly as float64 arithmetic
// gives it, or round(w·r) × round(h·r) with [Nearest] rounding. A centred
// image gets the smaller half of the padding left and top, the odd pixel
// right and bottom, which is also Ultralytics' split
// (top = round(dh/2 − 0.1), bottom = round(dh/2 + 0.1)).
func (p *Preprocessor) Geometry(w, h int) Geometry {
	o := &p.opts
	g := Geometry{SrcWidth: w, SrcHeight: h, Width: o.Width, Height: o.Height}
	if o.Resize == Stretch {
		g.ScaleX = float64(o.Width) / float64(w)
		g.ScaleY = float64(o.Height) / float64(h)
		return g
	}
	r := math.Min(float64(o.Width)/float64(w), float64(o.Height)/float64(h))
	g.ScaleX, g.ScaleY = r, r
	side := func(n int) int { return int(float64(n) * r) }
	if o.Rounding == Nearest {
		side = func(n int) int { return int(math.RoundToEven(float64(n) * r)) }
	}
	g.Width = min(max(side(w), 1), o.Width)
	g.Height = min(max(side(h), 1), o.Height)
	if o.Placement == Center {
		g.OffsetX = (o.Width - g.Width) / 2
		g.OffsetY = (o.Height - g.Height) / 2
	}
	return g
}
