package preprocess

import (
	"image"
	"image/color"
)

type sourceKind int

const (
	kindGeneric sourceKind = iota
	kindYCbCr
	kindRGBA
	kindNRGBA
	kindGray
)

// source reads the needed columns of one source row packed by [pack].
type source struct {
	kind    sourceKind
	img     image.Image // kindGeneric only
	pix     []byte      // pixels, or luma for YCbCr
	cb, cr  []byte
	stride  int
	cstride int
	minY    int
	ratio   image.YCbCrSubsampleRatio
	dense   bool // YCbCr: every column is read and chroma is at x/cdiv
	vshared bool // YCbCr: luma rows share chroma rows (vertical subsampling)
	cdiv    int
}

// bind selects the fast path for img and fills the per-column offsets.
func (src *source) bind(img image.Image, s *scratch) {
	b := img.Bounds()
	src.minY = b.Min.Y
	bpp := 4
	switch m := img.(type) {
	case *image.YCbCr:
		src.bindYCbCr(m, s)
		return
	case *image.NYCbCrA:
		src.bindYCbCr(&m.YCbCr, s)
		return
	case *image.RGBA:
		src.kind, src.pix, src.stride = kindRGBA, m.Pix, m.Stride
	case *image.NRGBA:
		src.kind, src.pix, src.stride = kindNRGBA, m.Pix, m.Stride
	case *image.Gray:
		src.kind, src.pix, src.stride, bpp = kindGray, m.Pix, m.Stride, 1
	default:
		src.kind, src.img = kindGeneric, img
	}
	for k, x := range s.cols {
		s.off[k] = bpp * x
	}
}

func (src *source) bindYCbCr(m *image.YCbCr, s *scratch) {
	src.kind, src.pix, src.cb, src.cr = kindYCbCr, m.Y, m.Cb, m.Cr
	src.stride, src.cstride, src.ratio = m.YStride, m.CStride, m.SubsampleRatio
	minX := m.Rect.Min.X
	div := 1
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420:
		div = 2
	case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
		div = 4
	}
	src.cdiv = div
	src.dense = div <= 2 && minX >= 0 && minX%2 == 0 && len(s.cols) == m.Rect.Dx()
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio410:
		src.vshared = true
	}
	for k, x := range s.cols {
		s.off[k] = x
		s.coff[k] = (minX+x)/div - minX/div // as image.YCbCr.COffset
	}
	if src.dense && src.vshared {
		s.ct, s.ctRow = grow(s.ct, s.coff[len(s.cols)-1]+1), -1
	}
	if s.vec.level != levelScalar {
		s.vec.bindYCbCr(s.off[:len(s.cols)], s.coff[:len(s.cols)])
	}
}

// chromaRow returns the offset of the chroma row for relative row y, as
// image.YCbCr.COffset computes it.
func (src *source) chromaRow(y int) int {
	switch src.ratio {
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio410:
		abs := src.minY + y
		return (abs/2 - src.minY/2) * src.cstride
	}
	return y * src.cstride
}

// load converts the needed columns of relative source row y into s.srow.
func (src *source) load(y int, s *scratch) {
	switch src.kind {
	case kindYCbCr:
		src.loadYCbCr(y, s)
	case kindRGBA:
		src.loadRGBA(y, s)
	case kindNRGBA:
		src.loadNRGBA(y, s)
	case kindGray:
		src.loadGray(y, s)
	default:
		src.loadGeneric(y, s)
	}
}

func (src *source) loadYCbCr(y int, s *scratch) {
	yrow := src.pix[y*src.stride:]
	c0 := src.chromaRow(y)
	cb, cr := src.cb[c0:], src.cr[c0:]
	switch {
	case src.dense && src.vshared:
		loadYCbCrTerms(yrow, s.chromaTerms(c0, cb, cr), s.srow[:len(s.cols)], src.cdiv)
		return
	case src.dense:
		loadYCbCrDense(yrow, cb, cr, s.srow[:len(s.cols)], src.cdiv)
		return
	}
	off := s.off
	coff, out := s.coff[:len(off)], s.srow[:len(off)]
	for k, o := range off {
		co := coff[k]
		rc, gc, bc := chroma(cb[co], cr[co])
		out[k] = yccPack(yrow[o], rc, gc, bc)
	}
}

// cterm holds the chroma terms of color.YCbCrToRGB of one chroma sample.
type cterm struct{ r, g, b int32 }

// chromaTerms returns the chroma terms of the chroma row at offset c0 (cb
// and cr start there) for a dense row, computing them only when the
// previous row used another chroma row: with vertical subsampling, two or
// four luma rows share them. (For rows that read only some columns, looking
// the terms up costs as much as computing them.)
func (s *scratch) chromaTerms(c0 int, cb, cr []byte) []cterm {
	ct := s.ct
	if s.ctRow == c0 {
		return ct
	}
	s.ctRow = c0
	cb, cr = cb[:len(ct)], cr[:len(ct)]
	for i := range ct {
		r, g, b := chroma(cb[i], cr[i])
		ct[i] = cterm{r, g, b}
	}
	return ct
}

// loadYCbCrTerms is loadYCbCrDense with the chroma terms computed.
func loadYCbCrTerms(yrow0 []byte, ct []cterm, out []uint64, cdiv int) {
	yrow := yrow0[:len(out)]
	if cdiv == 1 {
		ct = ct[:len(out)]
		for x := range out {
			t := &ct[x]
			out[x] = yccPack(yrow[x], t.r, t.g, t.b)
		}
		return
	}
	n := len(out) / 2
	ct, yrow = ct[:(len(out)+1)/2], yrow[:2*n]
	pairs := out[:2*n]
	for i := range n {
		t := &ct[i]
		pairs[2*i] = yccPack(yrow[2*i], t.r, t.g, t.b)
		pairs[2*i+1] = yccPack(yrow[2*i+1], t.r, t.g, t.b)
	}
	if len(out)%2 == 1 {
		t := &ct[n]
		out[2*n] = yccPack(yrow0[2*n], t.r, t.g, t.b)
	}
}

// loadYCbCrDense converts every pixel of a row whose chroma samples cover
// cdiv (1 or 2) luma samples each, starting at an even x.
func loadYCbCrDense(yrow0, cb, cr []byte, out []uint64, cdiv int) {
	yrow := yrow0[:len(out)]
	if cdiv == 1 {
		cb, cr = cb[:len(out)], cr[:len(out)]
		for x := range out {
			rc, gc, bc := chroma(cb[x], cr[x])
			out[x] = yccPack(yrow[x], rc, gc, bc)
		}
		return
	}
	n := len(out) / 2
	cb, cr, yrow = cb[:(len(out)+1)/2], cr[:(len(out)+1)/2], yrow[:2*n]
	pairs := out[:2*n]
	for i := range n {
		rc, gc, bc := chroma(cb[i], cr[i])
		pairs[2*i] = yccPack(yrow[2*i], rc, gc, bc)
		pairs[2*i+1] = yccPack(yrow[2*i+1], rc, gc, bc)
	}
	if len(out)%2 == 1 {
		rc, gc, bc := chroma(cb[n], cr[n])
		out[2*n] = yccPack(yrow0[2*n], rc, gc, bc)
	}
}

// chroma returns the chroma terms of color.YCbCrToRGB for R, G and B.
func chroma(cb, cr uint8) (rc, gc, bc int32) {
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	return 91881 * cr1, -22554*cb1 - 46802*cr1, 116130 * cb1
}

// yccPack finishes color.YCbCrToRGB for luma y and packs the colour.
func yccPack(y uint8, rc, gc, bc int32) uint64 {
	yy1 := int32(y) * 0x10101
	r, g, b := clampTab[(yy1+rc)>>16&1023], clampTab[(yy1+gc)>>16&1023], clampTab[(yy1+bc)>>16&1023]
	return uint64(r) | uint64(g)<<lane | uint64(b)<<(2*lane)
}

// clampTab[v>>16 & 1023] is the clamping of color.YCbCrToRGB (v>>16
// limited to 0..255) for every v it computes (v>>16 is in −227..481).
var clampTab = func() (t [1024]uint8) {
	for i := -512; i < 512; i++ {
		t[i&1023] = uint8(min(max(i, 0), 255))
	}
	return t
}()

func (src *source) loadNRGBA(y int, s *scratch) {
	row := src.pix[y*src.stride:]
	out := s.srow
	for k, o := range s.off {
		p := row[o : o+3 : o+3]
		out[k] = pack(p[0], p[1], p[2])
	}
}

func (src *source) loadRGBA(y int, s *scratch) {
	row := src.pix[y*src.stride:]
	out := s.srow
	for k, o := range s.off {
		p := row[o : o+4 : o+4]
		r, g, b := p[0], p[1], p[2]
		if p[3] != 0xff {
			r, g, b = unpremultiply(r, g, b, p[3])
		}
		out[k] = pack(r, g, b)
	}
}

func (src *source) loadGray(y int, s *scratch) {
	row := src.pix[y*src.stride:]
	out := s.srow
	for k, o := range s.off {
		v := uint64(row[o])
		out[k] = v | v<<lane | v<<(2*lane)
	}
}

func (src *source) loadGeneric(y int, s *scratch) {
	b := src.img.Bounds()
	out := s.srow
	for k, x := range s.cols {
		c := color.NRGBAModel.Convert(src.img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA)
		out[k] = pack(c.R, c.G, c.B)
	}
}

// unpremultiply converts a premultiplied colour with 0 < a < 255 to straight
// colour exactly as color.NRGBAModel does.
func unpremultiply(r, g, b, a uint8) (uint8, uint8, uint8) {
	if a == 0 {
		return 0, 0, 0
	}
	a16 := uint32(a) * 0x101
	f := func(v uint8) uint8 { return uint8((uint32(v) * 0x101 * 0xffff / a16) >> 8) }
	return f(r), f(g), f(b)
}

// pack packs a colour into the three lanes of a uint64, so that one
// multiplication weights all three channels.
func pack(r, g, b uint8) uint64 {
	return uint64(r) | uint64(g)<<lane | uint64(b)<<(2*lane)
}

// ycbcrToRGB is color.YCbCrToRGB computed the way the fast path does.
func ycbcrToRGB(y, cb, cr uint8) (uint8, uint8, uint8) {
	rc, gc, bc := chroma(cb, cr)
	p := yccPack(y, rc, gc, bc)
	return uint8(p), uint8(p >> lane), uint8(p >> (2 * lane))
}
