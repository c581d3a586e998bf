package ultralyticstest

import (
	"cmp"
	"image"
	"image/color"
	"math"
	"slices"
)

// Ratio is how Ultralytics' scale_boxes maps boxes back: subtract the pad,
// divide by the gain.
type Ratio struct {
	Gain       float64
	PadX, PadY float64
}

// Letterbox is Ultralytics' pre-processing of a fixed-shape export of
// size×size: LetterBox(auto=False, scaleup=True, center=True) (r = min of
// the side ratios; the image resized to int(round(w·r)) × int(round(h·r))
// with cv2.resize INTER_LINEAR; padding dw/2 split as round(dw/2 − 0.1)
// left and round(dw/2 + 0.1) right, same for top and bottom, value 114),
// then RGB, /255, NCHW. It returns the tensor and scale_boxes' ratio.
func Letterbox(img image.Image, size int) ([]float32, Ratio) {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	r := math.Min(float64(size)/float64(h), float64(size)/float64(w))
	nw, nh := int(math.RoundToEven(float64(w)*r)), int(math.RoundToEven(float64(h)*r))
	left := int(math.RoundToEven(float64(size-nw)/2 - 0.1))
	top := int(math.RoundToEven(float64(size-nh)/2 - 0.1))
	px := func(x, y int) [3]float64 {
		c := color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
		return [3]float64{float64(c.R), float64(c.G), float64(c.B)}
	}
	t := make([]float32, 3*size*size)
	plane := size * size
	for i := range t {
		t[i] = 114.0 / 255
	}
	for y := range nh {
		y0, y1, fy := cvCoord(y, h, nh)
		for x := range nw {
			x0, x1, fx := cvCoord(x, w, nw)
			p00, p01, p10, p11 := px(x0, y0), px(x1, y0), px(x0, y1), px(x1, y1)
			for c := range 3 {
				v := (1-fy)*((1-fx)*p00[c]+fx*p01[c]) + fy*((1-fx)*p10[c]+fx*p11[c])
				t[c*plane+(top+y)*size+left+x] = float32(math.Floor(v+0.5)) / 255
			}
		}
	}
	gain := math.Min(float64(size)/float64(h), float64(size)/float64(w))
	return t, Ratio{Gain: gain,
		PadX: math.RoundToEven((float64(size)-float64(w)*gain)/2 - 0.1),
		PadY: math.RoundToEven((float64(size)-float64(h)*gain)/2 - 0.1)}
}

// cvCoord is cv2.resize INTER_LINEAR's source pixels and weight for
// destination index d of m, from a source of n: s = (d+0.5)·n/m − 0.5,
// clamped to the image.
func cvCoord(d, n, m int) (i0, i1 int, f float64) {
	s := (float64(d)+0.5)*float64(n)/float64(m) - 0.5
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

// Det is a reference detection, box in image pixels.
type Det struct {
	Class int
	Score float32
	Box   [4]float64 // x1, y1, x2, y2
}

// Decode is Ultralytics' post-processing of output (one image) for layout
// with nc classes: candidates scoring above conf (v5: obj above conf first,
// then obj·cls), cxcywh to xyxy, per-class NMS suppressing IoU above iou
// (not for End2End), at most 300, then scale_boxes to a w×h image and clip.
func Decode(layout Layout, output []float32, nc int, conf, iou float64, ratio Ratio, w, h int) []Det {
	var dets []Det
	xywh := func(c int, s float32, cx, cy, bw, bh float32) {
		dets = append(dets, Det{c, s, [4]float64{float64(cx - bw/2), float64(cy - bh/2), float64(cx + bw/2), float64(cy + bh/2)}})
	}
	switch layout {
	case V8:
		n := len(output) / (4 + nc)
		for i := range n {
			best, bv := 0, output[4*n+i]
			for c := 1; c < nc; c++ {
				if v := output[(4+c)*n+i]; v > bv {
					best, bv = c, v
				}
			}
			if float64(bv) > conf {
				xywh(best, bv, output[i], output[n+i], output[2*n+i], output[3*n+i])
			}
		}
	case V5:
		for r := range slices.Chunk(output, 5+nc) {
			if float64(r[4]) <= conf {
				continue
			}
			best, bv := 0, r[5]*r[4]
			for c := 1; c < nc; c++ {
				if v := r[5+c] * r[4]; v > bv {
					best, bv = c, v
				}
			}
			if float64(bv) > conf {
				xywh(best, bv, r[0], r[1], r[2], r[3])
			}
		}
	case End2End:
		for r := range slices.Chunk(output, 6) {
			if float64(r[4]) > conf {
				dets = append(dets, Det{int(r[5]), r[4], [4]float64{float64(r[0]), float64(r[1]), float64(r[2]), float64(r[3])}})
			}
		}
	}
	slices.SortStableFunc(dets, func(a, b Det) int { return cmp.Compare(b.Score, a.Score) })
	if layout != End2End {
		var kept []Det
		for _, d := range dets {
			if !slices.ContainsFunc(kept, func(k Det) bool { return k.Class == d.Class && IoU(k.Box, d.Box) > iou }) {
				kept = append(kept, d)
			}
		}
		dets = kept
	}
	dets = dets[:min(len(dets), 300)]
	for i := range dets {
		b := &dets[i].Box
		for k := range 4 {
			pad, hi := ratio.PadX, float64(w)
			if k%2 == 1 {
				pad, hi = ratio.PadY, float64(h)
			}
			b[k] = math.Min(math.Max((b[k]-pad)/ratio.Gain, 0), hi)
		}
	}
	return dets
}

// IoU is the intersection over union of two xyxy boxes.
func IoU(a, b [4]float64) float64 {
	iw := math.Min(a[2], b[2]) - math.Max(a[0], b[0])
	ih := math.Min(a[3], b[3]) - math.Max(a[1], b[1])
	if iw <= 0 || ih <= 0 {
		return 0
	}
	inter := iw * ih
	return inter / ((a[2]-a[0])*(a[3]-a[1]) + (b[2]-b[0])*(b[3]-b[1]) - inter)
}
