package preprocess

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
)

// Orientation is the EXIF orientation of a photo: how the stored pixels
// must be transformed to show the picture upright.
type Orientation int

// The eight EXIF orientations.
const (
	Upright     Orientation = 1 // as stored
	FlipH       Orientation = 2 // mirror left-right
	Rotate180   Orientation = 3
	FlipV       Orientation = 4 // mirror top-bottom
	Transpose   Orientation = 5 // mirror left-right, then rotate 90° counter-clockwise
	Rotate90CW  Orientation = 6 // rotate 90° clockwise
	Transverse  Orientation = 7 // mirror left-right, then rotate 90° clockwise
	Rotate90CCW Orientation = 8 // rotate 90° counter-clockwise
)

// tagOrientation is the EXIF orientation tag.
const tagOrientation = 0x0112

// ReadOrientation returns the orientation in the EXIF (APP1) segment of a
// JPEG file, in either byte order; [Upright] when the file has no EXIF
// segment or no orientation tag. It reads segments up to the first scan.
// Errors wrap [ErrNotJPEG] or [ErrBadExif].
func ReadOrientation(jpeg []byte) (Orientation, error) {
	if len(jpeg) < 2 || jpeg[0] != 0xFF || jpeg[1] != 0xD8 {
		return Upright, ErrNotJPEG
	}
	for i := 2; ; {
		marker, seg, n, err := nextSegment(jpeg, i)
		if err != nil || marker == 0xDA || marker == 0xD9 {
			return Upright, err
		}
		if marker == 0xE1 && bytes.HasPrefix(seg, []byte("Exif\x00\x00")) {
			return tiffOrientation(seg[6:])
		}
		i = n
	}
}

// nextSegment reads the marker segment at b[i:] and returns its marker, its
// payload and the index of the next segment. Markers without a payload
// return an empty one.
func nextSegment(b []byte, i int) (marker byte, seg []byte, next int, err error) {
	if i >= len(b) || b[i] != 0xFF {
		return 0, nil, 0, fmt.Errorf("%w: no marker at offset %d", ErrNotJPEG, i)
	}
	for i < len(b) && b[i] == 0xFF { // fill bytes
		i++
	}
	if i >= len(b) {
		return 0, nil, 0, fmt.Errorf("%w: truncated", ErrNotJPEG)
	}
	marker, i = b[i], i+1
	if marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0xD9 {
		return marker, nil, i, nil
	}
	if i+2 > len(b) {
		return 0, nil, 0, fmt.Errorf("%w: truncated segment", ErrNotJPEG)
	}
	n := int(binary.BigEndian.Uint16(b[i:]))
	if n < 2 || i+n > len(b) {
		return 0, nil, 0, fmt.Errorf("%w: segment length %d at offset %d", ErrNotJPEG, n, i)
	}
	return marker, b[i+2 : i+n], i + n, nil
}

// tiffOrientation finds tag 0x0112 in IFD0 of a TIFF structure.
func tiffOrientation(t []byte) (Orientation, error) {
	if len(t) < 8 {
		return Upright, fmt.Errorf("%w: short TIFF header", ErrBadExif)
	}
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return Upright, fmt.Errorf("%w: byte order %q", ErrBadExif, t[:2])
	}
	off := int(bo.Uint32(t[4:]))
	if bo.Uint16(t[2:]) != 42 || off < 8 || off+2 > len(t) {
		return Upright, fmt.Errorf("%w: bad TIFF header", ErrBadExif)
	}
	n := int(bo.Uint16(t[off:]))
	for k := range n {
		e := off + 2 + 12*k
		if e+12 > len(t) {
			return Upright, fmt.Errorf("%w: IFD0 truncated", ErrBadExif)
		}
		if bo.Uint16(t[e:]) != tagOrientation {
			continue
		}
		v := Orientation(bo.Uint16(t[e+8:]))
		if bo.Uint16(t[e+2:]) != 3 || v < Upright || v > Rotate90CCW {
			return Upright, fmt.Errorf("%w: orientation %d", ErrBadExif, v)
		}
		return v, nil
	}
	return Upright, nil
}

// Orient returns img transformed as orientation o says, so that it shows
// upright; img itself for [Upright] or an unknown value. The result is a
// new *image.Gray, *image.RGBA or *image.NRGBA (by the source type; YCbCr
// becomes RGBA) with bounds starting at (0, 0). A [*Reduced] image stays
// one, with its pixels and full size transformed.
func Orient(img image.Image, o Orientation) image.Image {
	if r, ok := img.(*Reduced); ok && r != nil && r.Image != nil {
		full := r.FullSize()
		if o >= Transpose && o <= Rotate90CCW {
			full.X, full.Y = full.Y, full.X
		}
		return &Reduced{Image: Orient(r.Image, o), Full: full}
	}
	if o <= Upright || o > Rotate90CCW || img == nil || img.Bounds().Empty() {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= Transpose {
		dw, dh = h, w
	}
	r := image.Rect(0, 0, dw, dh)
	switch m := img.(type) {
	case *image.Gray:
		dst := image.NewGray(r)
		transform(dst.Pix, dst.Stride, m.Pix, m.Stride, 1, w, h, o)
		return dst
	case *image.RGBA:
		dst := image.NewRGBA(r)
		transform(dst.Pix, dst.Stride, m.Pix, m.Stride, 4, w, h, o)
		return dst
	case *image.NRGBA:
		dst := image.NewNRGBA(r)
		transform(dst.Pix, dst.Stride, m.Pix, m.Stride, 4, w, h, o)
		return dst
	case *image.YCbCr:
		src := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(src, src.Rect, m, b.Min, draw.Src)
		return Orient(src, o)
	}
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			src.SetNRGBA(x, y, color.NRGBAModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.NRGBA))
		}
	}
	return Orient(src, o)
}

// transform copies the pixels of a w×h source into dst with bpp bytes per
// pixel: destination (x, y) takes source (x0 + ax·x + bx·y, y0 + ay·x + by·y).
func transform(dst []byte, dstride int, src []byte, sstride, bpp, w, h int, o Orientation) {
	x0, ax, bx, y0, ay, by := orientMap(o, w, h)
	dw, dh := w, h
	if o >= Transpose {
		dw, dh = h, w
	}
	for y := range dh {
		s := (y0+by*y)*sstride + (x0+bx*y)*bpp
		step := ay*sstride + ax*bpp
		row := dst[y*dstride : y*dstride+dw*bpp]
		for d := 0; d < len(row); d += bpp {
			copy(row[d:d+bpp], src[s:s+bpp])
			s += step
		}
	}
}

// orientMap returns the source coordinates of destination (x, y) as
// (x0 + ax·x + bx·y, y0 + ay·x + by·y) for a w×h source.
func orientMap(o Orientation, w, h int) (x0, ax, bx, y0, ay, by int) {
	switch o {
	case FlipH:
		return w - 1, -1, 0, 0, 0, 1
	case Rotate180:
		return w - 1, -1, 0, h - 1, 0, -1
	case FlipV:
		return 0, 1, 0, h - 1, 0, -1
	case Transpose:
		return 0, 0, 1, 0, 1, 0
	case Rotate90CW:
		return 0, 0, 1, h - 1, -1, 0
	case Transverse:
		return w - 1, 0, -1, h - 1, -1, 0
	case Rotate90CCW:
		return w - 1, 0, -1, 0, 1, 0
	}
	return 0, 1, 0, 0, 0, 1
}
