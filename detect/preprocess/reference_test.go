package preprocess

import (
	"image"
	"image/color"
	"math"
	"math/big"
	"sync"
)

// sampler returns the resampled colour of destination pixel (dx, dy) of an
// nw×nh resize of img.
type sampler func(img image.Image, dx, dy, nw, nh int) [3]uint8

// reference is the slow, obviously correct pre-processing the fast paths are
// compared with: per output pixel, read the four neighbours with At, blend
// them with half-pixel centres (sample), round half up, then normalise.
func reference(img image.Image, o Options, sample sampler) []float32 {
	o = o.withDefaults()
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	nw, nh, ox, oy := refPlacement(W, H, o)
	order := [3]int{0, 1, 2}
	if o.ChannelOrder == BGR {
		order = [3]int{2, 1, 0}
	}
	out := make([]float32, 3*o.Width*o.Height)
	for y := range o.Height {
		for x := range o.Width {
			px := [3]uint8{uint8(o.PadValue), uint8(o.PadValue), uint8(o.PadValue)}
			if x >= ox && x < ox+nw && y >= oy && y < oy+nh {
				rgb := sample(img, x-ox, y-oy, nw, nh)
				px = [3]uint8{rgb[order[0]], rgb[order[1]], rgb[order[2]]}
			}
			for c, v := range px {
				f := float32((float64(v)*o.Scale - o.Mean[c]) / o.Std[c])
				if o.Layout == NHWC {
					out[3*(y*o.Width+x)+c] = f
				} else {
					out[c*o.Width*o.Height+y*o.Width+x] = f
				}
			}
		}
	}
	return out
}

func refPlacement(W, H int, o Options) (nw, nh, ox, oy int) {
	if o.Resize == Stretch {
		return o.Width, o.Height, 0, 0
	}
	r := math.Min(float64(o.Width)/float64(W), float64(o.Height)/float64(H))
	round := math.Floor
	if o.Rounding == Nearest {
		round = math.RoundToEven // Python's round, as in Ultralytics' LetterBox
	}
	nw = min(max(int(round(float64(W)*r)), 1), o.Width)
	nh = min(max(int(round(float64(H)*r)), 1), o.Height)
	if o.Placement == Center {
		// Ultralytics' LetterBox: dw /= 2; left = int(round(dw - 0.1)).
		ox = int(math.RoundToEven(float64(o.Width-nw)/2 - 0.1))
		oy = int(math.RoundToEven(float64(o.Height-nh)/2 - 0.1))
	}
	return nw, nh, ox, oy
}

// refCoordExact is cv2.resize's INTER_LINEAR source coordinate for
// destination index d, in exact rational arithmetic: the two source indices
// and the weight of the second, as a numerator over 2m.
func refCoordExact(d, n, m int) (i0, i1 int, f int64) {
	key := [3]int{d, n, m}
	if c, ok := coordCache.Load(key); ok {
		c := c.([3]int64)
		return int(c[0]), int(c[1]), c[2]
	}
	i0, i1, f = refCoordRat(d, n, m)
	coordCache.Store(key, [3]int64{int64(i0), int64(i1), f})
	return i0, i1, f
}

var coordCache sync.Map

func refCoordRat(d, n, m int) (i0, i1 int, f int64) {
	s := new(big.Rat).SetFrac64(int64(2*d+1), 2)
	s.Mul(s, big.NewRat(int64(n), int64(m)))
	s.Sub(s, big.NewRat(1, 2))
	fl := new(big.Int).Div(s.Num(), s.Denom()) // Euclidean: floor for a positive divisor
	i0 = int(fl.Int64())
	frac := new(big.Rat).Sub(s, new(big.Rat).SetInt(fl))
	frac.Mul(frac, big.NewRat(int64(2*m), 1))
	if !frac.IsInt() {
		panic("weight is not a multiple of 1/2m")
	}
	f = frac.Num().Int64()
	if i0 < 0 {
		i0, f = 0, 0
	}
	if i0 >= n-1 {
		i0, f = n-1, 0
	}
	return i0, min(i0+1, n-1), f
}

// refSampleExact blends in exact integer arithmetic: the weights are
// a/Dx and b/Dy, the value N/(Dx·Dy), rounded half up.
func refSampleExact(img image.Image, dx, dy, nw, nh int) [3]uint8 {
	bd := img.Bounds()
	x0, x1, a := refCoordExact(dx, bd.Dx(), nw)
	y0, y1, b := refCoordExact(dy, bd.Dy(), nh)
	Dx, Dy := int64(2*nw), int64(2*nh)
	var out [3]uint8
	p00, p10, p01, p11 := refAt(img, x0, y0), refAt(img, x1, y0), refAt(img, x0, y1), refAt(img, x1, y1)
	for c := range 3 {
		n := p00[c]*(Dx-a)*(Dy-b) + p10[c]*a*(Dy-b) + p01[c]*(Dx-a)*b + p11[c]*a*b
		out[c] = uint8((2*n + Dx*Dy) / (2 * Dx * Dy))
	}
	return out
}

// refIsTie reports which channels of destination pixel (dx, dy) have an
// exact value of k + 0.5.
func refIsTie(img image.Image, dx, dy, nw, nh int) [3]bool {
	bd := img.Bounds()
	x0, x1, a := refCoordExact(dx, bd.Dx(), nw)
	y0, y1, b := refCoordExact(dy, bd.Dy(), nh)
	Dx, Dy := int64(2*nw), int64(2*nh)
	var out [3]bool
	p00, p10, p01, p11 := refAt(img, x0, y0), refAt(img, x1, y0), refAt(img, x0, y1), refAt(img, x1, y1)
	for c := range 3 {
		n := p00[c]*(Dx-a)*(Dy-b) + p10[c]*a*(Dy-b) + p01[c]*(Dx-a)*b + p11[c]*a*b
		out[c] = (2*n)%(2*Dx*Dy) == Dx*Dy
	}
	return out
}

// refAt is the straight colour of pixel (x, y) relative to the bounds.
func refAt(img image.Image, x, y int) [3]int64 {
	b := img.Bounds()
	c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
	return [3]int64{int64(c.R), int64(c.G), int64(c.B)}
}

// refCoord is cv2.resize's INTER_LINEAR source coordinate for destination
// index d: half-pixel centres, clamped to the first and last pixel.
func refCoord(d, n, m int) (i0, i1 int, f float64) {
	s := float64((float64(d)+0.5)*(float64(n)/float64(m))) - 0.5
	i0 = int(math.Floor(s))
	f = s - float64(i0)
	if i0 < 0 {
		i0, f = 0, 0
	}
	if i0 >= n-1 {
		i0, f = n-1, 0
	}
	return i0, min(i0+1, n-1), f
}

// refSampleFloat blends in float64, the way most implementations do.
func refSampleFloat(img image.Image, dx, dy, nw, nh int) [3]uint8 {
	b := img.Bounds()
	x0, x1, fx := refCoord(dx, b.Dx(), nw)
	y0, y1, fy := refCoord(dy, b.Dy(), nh)
	at := func(x, y int) [3]float64 {
		c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
		return [3]float64{float64(c.R), float64(c.G), float64(c.B)}
	}
	p00, p10, p01, p11 := at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1)
	var out [3]uint8
	for c := range 3 {
		top := float64(p00[c]*(1-fx)) + float64(p10[c]*fx)
		bot := float64(p01[c]*(1-fx)) + float64(p11[c]*fx)
		v := float64(top*(1-fy)) + float64(bot*fy)
		out[c] = uint8(math.Floor(v + 0.5))
	}
	return out
}
