package detect

import (
	"fmt"
	"math"
)

// picodetDecoder decodes a PicoDet / GFL head: per level a score tensor
// [B, N, C] (sigmoids applied, multi-label) and a box tensor [B, N, 4·bins]
// of distributions over the distances to the left, top, right and bottom
// sides. Tensors are told apart by their last dimension and levels are
// ordered by N descending (finest stride first); one score and one box
// tensor holding all levels concatenated also work. Anchor centres are
// ((gx+0.5)·s, (gy+0.5)·s) on a ceil(W/s) × ceil(H/s) grid, each distance
// s·Σ j·softmax(bins)_j, and every class scoring at least the threshold is a
// candidate.
type picodetDecoder struct{ base }

// maxLevels bounds the number of levels (and strides, see Config.Validate).
const maxLevels = 8

// level locates one stride's rows: tensors si (scores) and bi (boxes), from
// row off, n rows, of tensors with rows rows per batch item.
type level struct{ si, bi, off, n, rows int }

func (d *picodetDecoder) Check(outputs []TensorInfo) error {
	var lv [maxLevels]level
	return picodetLevels(&d.base, outputs, &lv)
}

// picodetLevels finds the tensors of each level; it does not allocate
// unless it fails.
func picodetLevels[T shaped](b *base, outs []T, lv *[maxLevels]level) error {
	var si, bi [maxLevels]int
	ns, nb := 0, 0
	for i, t := range outs {
		name, s := t.info()
		switch {
		case len(s) == 3 && s[2] == int64(b.nc) && ns < maxLevels:
			si[ns], ns = i, ns+1
		case len(s) == 3 && s[2] == int64(4*b.bins) && nb < maxLevels:
			bi[nb], nb = i, nb+1
		default:
			return &ShapeError{Decoder: b.kind, Tensor: name, Got: s, Want: fmt.Sprintf(
				"[1,N,%d] (scores) or [1,N,%d] (boxes, %d bins)", b.nc, 4*b.bins, b.bins)}
		}
	}
	sortByRows(outs, si[:ns])
	sortByRows(outs, bi[:nb])
	if ns == 1 && nb == 1 && len(b.strides) > 1 {
		return picodetConcat(b, outs, si[0], bi[0], lv)
	}
	if ns != len(b.strides) || nb != len(b.strides) {
		return &ShapeError{Decoder: b.kind, Tensor: fmt.Sprintf("the model has %d score and %d box outputs", ns, nb),
			Want: fmt.Sprintf("%d of each for strides %v", len(b.strides), b.strides)}
	}
	for k, s := range b.strides {
		n := gridSide(b.w, s, true) * gridSide(b.h, s, true)
		if err := picodetRows(b, outs[si[k]], n, k); err != nil {
			return err
		}
		if err := picodetRows(b, outs[bi[k]], n, k); err != nil {
			return err
		}
		lv[k] = level{si: si[k], bi: bi[k], n: n, rows: n}
	}
	return nil
}

// picodetConcat handles one score and one box tensor with all levels.
func picodetConcat[T shaped](b *base, outs []T, si, bi int, lv *[maxLevels]level) error {
	total := b.cells(true)
	if err := picodetRows(b, outs[si], total, -1); err != nil {
		return err
	}
	if err := picodetRows(b, outs[bi], total, -1); err != nil {
		return err
	}
	off := 0
	for k, s := range b.strides {
		n := gridSide(b.w, s, true) * gridSide(b.h, s, true)
		lv[k] = level{si: si, bi: bi, off: off, n: n, rows: total}
		off += n
	}
	return nil
}

// picodetRows checks that t has n rows, for level k (-1: all levels).
func picodetRows[T shaped](b *base, t T, n, k int) error {
	name, s := t.info()
	if batchOK(s[0]) && dimOK(s[1], int64(n)) {
		return nil
	}
	what := fmt.Sprintf("all levels (strides %v)", b.strides)
	if k >= 0 {
		what = fmt.Sprintf("level %d (stride %d)", k, b.strides[k])
	}
	return &ShapeError{Decoder: b.kind, Tensor: name, Got: s, Want: fmt.Sprintf(
		"[1,%d,%d] for %s at input %dx%d", n, s[2], what, b.w, b.h)}
}

// sortByRows orders tensor indices by their second dimension, largest
// first, keeping the model's order for equal sizes (insertion sort).
func sortByRows[T shaped](outs []T, idx []int) {
	rows := func(i int) int64 { _, s := outs[i].info(); return s[1] }
	for i := 1; i < len(idx); i++ {
		for j := i; j > 0 && rows(idx[j]) > rows(idx[j-1]); j-- {
			idx[j], idx[j-1] = idx[j-1], idx[j]
		}
	}
}

func (d *picodetDecoder) Decode(outputs []Tensor, item int, g Geometry, dst []Detection) ([]Detection, error) {
	var lv [maxLevels]level
	if err := picodetLevels(&d.base, outputs, &lv); err != nil {
		return dst, err
	}
	if err := d.geometryOK(&g); err != nil {
		return dst, err
	}
	for k, s := range d.strides {
		l := lv[k]
		scores := itemData(&outputs[l.si], item, l.rows*d.nc)
		boxes := itemData(&outputs[l.bi], item, l.rows*4*d.bins)
		if scores == nil {
			return dst, shortData(d.kind, &outputs[l.si], item, l.rows*d.nc)
		}
		if boxes == nil {
			return dst, shortData(d.kind, &outputs[l.bi], item, l.rows*4*d.bins)
		}
		scores = scores[l.off*d.nc : (l.off+l.n)*d.nc]
		boxes = boxes[l.off*4*d.bins : (l.off+l.n)*4*d.bins]
		dst = d.level(dst, scores, boxes, s, &g)
	}
	return dst, nil
}

func (d *picodetDecoder) level(dst []Detection, scores, boxes []float32, s int, g *Geometry) []Detection {
	gw, fs, nc, reg, thr := gridSide(d.w, s, true), float64(s), d.nc, 4*d.bins, d.thr
	scores = scores[:len(scores)/nc*nc]
	for i := 0; i*nc < len(scores); i++ {
		k := atLeast(scores[i*nc:], thr) // most rows have no candidate: find the next row that has one
		if k < 0 {
			break
		}
		i += k / nc
		row := scores[i*nc : (i+1)*nc]
		c := k % nc
		cx, cy := (float64(i%gw)+0.5)*fs, (float64(i/gw)+0.5)*fs
		box := d.distBox(boxes[i*reg:(i+1)*reg], cx, cy, fs)
		for ; c >= 0; c = next(row, c, thr) {
			dst = d.emit(dst, c, row[c], box[0], box[1], box[2], box[3], g)
		}
	}
	return dst
}

// atLeast returns the index of the first value of v that is at least thr
// (never NaN), or -1.
func atLeast(v []float32, thr float32) int {
	j := skipBelow(v, thr)
	for ; j+4 <= len(v); j += 4 { // unrolled: most rows have no candidate
		q := v[j : j+4 : j+4]
		if q[0] >= thr || q[1] >= thr || q[2] >= thr || q[3] >= thr {
			break
		}
	}
	for ; j < len(v); j++ {
		if v[j] >= thr {
			return j
		}
	}
	return -1
}

// next returns the index of the first value after v[c] that is at least
// thr, or -1.
func next(v []float32, c int, thr float32) int {
	if j := atLeast(v[c+1:], thr); j >= 0 {
		return c + 1 + j
	}
	return -1
}

// distBox decodes the four side distributions into a box around (cx, cy).
func (d *picodetDecoder) distBox(reg []float32, cx, cy, s float64) [4]float64 {
	var dist [4]float64
	for k := range dist {
		dist[k] = s * expectation(reg[k*d.bins:(k+1)*d.bins])
	}
	return [4]float64{cx - dist[0], cy - dist[1], cx + dist[2], cy + dist[3]}
}

// expectation returns Σ j·softmax(v)_j.
func expectation(v []float32) float64 {
	m := v[0]
	for _, x := range v[1:] {
		if x > m {
			m = x
		}
	}
	var sum, wsum float64
	for j, x := range v {
		e := expNonPos(float64(x - m))
		sum += e
		wsum += float64(j) * e
	}
	return wsum / sum
}

// expNonPos returns e^x for x ≤ 0 within a relative 1e-11 of math.Exp,
// about 3× faster than it when inlined in a loop: e^x = 2^k·e^r with
// k = round(x/ln 2) and |r| ≤ ln 2 / 2, e^r by its Taylor polynomial of
// degree 9. x > 0 and NaN go to math.Exp; below −708 the result is 0.
func expNonPos(x float64) float64 {
	if !(x <= 0 && x >= -708) {
		return expSlow(x)
	}
	k := float64(int64(x*math.Log2E - 0.5))
	r := x - k*ln2Hi - k*ln2Lo
	r2 := r * r
	p := ((1 + r) + r2*(1.0/2+r*(1.0/6))) +
		r2*r2*((1.0/24+r*(1.0/120))+r2*(1.0/720+r*(1.0/5040))+r2*r2*(1.0/40320+r*(1.0/362880)))
	return p * math.Float64frombits(uint64(int64(k)+1023)<<52)
}

// ln 2 in two parts, so that k·ln2Hi is exact for |k| < 2^20.
const (
	ln2Hi = 6.93147180369123816490e-01
	ln2Lo = 1.90821492927058770002e-10
)

func expSlow(x float64) float64 {
	if x < -708 {
		return 0
	}
	return math.Exp(x)
}
