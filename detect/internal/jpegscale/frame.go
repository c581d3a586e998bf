package jpegscale

import (
	"image"
)

// component is one frame component and, once allocated, the output plane
// its blocks are written to.
type component struct {
	id     byte
	h, v   int // sampling factors, 1 to 4
	tq     int // quantisation table selector
	plane  []byte
	stride int
	done   bool // a scan has decoded this component
}

// frame is the SOF header and the MCU grid derived from it.
type frame struct {
	width, height int
	ncomp         int
	comps         [3]component
	hmax, vmax    int
	mcusX, mcusY  int // MCUs of an interleaved scan
}

// parseSOF reads a SOF0 or SOF1 segment (T.81 B.2.2).
func (d *decoder) parseSOF(p []byte) error {
	if d.haveFrame {
		return FormatError("multiple SOF markers")
	}
	if len(p) < 6 {
		return FormatError("short SOF segment")
	}
	if p[0] != 8 {
		return unsupported("sample precision other than 8 bits")
	}
	f := &d.frame
	f.height = int(p[1])<<8 | int(p[2])
	f.width = int(p[3])<<8 | int(p[4])
	f.ncomp = int(p[5])
	if err := checkSize(f); err != nil {
		return err
	}
	if len(p) != 6+3*f.ncomp {
		return FormatError("bad SOF segment length")
	}
	if err := d.parseComponents(p[6:]); err != nil {
		return err
	}
	d.haveFrame = true
	return f.layout()
}

// checkSize validates the image size and component count of f.
func checkSize(f *frame) error {
	switch {
	case f.height == 0:
		return unsupported("height defined by DNL")
	case f.width == 0:
		return FormatError("zero width")
	case f.width > maxSide || f.height > maxSide:
		return FormatError("image larger than 32768 pixels on a side")
	case f.ncomp == 2 || f.ncomp == 4:
		return unsupported("2 or 4 components")
	case f.ncomp != 1 && f.ncomp != 3:
		return FormatError("bad component count")
	}
	return nil
}

// parseComponents reads the component specifications of a SOF segment.
func (d *decoder) parseComponents(p []byte) error {
	f := &d.frame
	for i := range f.ncomp {
		c := &f.comps[i]
		c.id = p[3*i]
		c.h, c.v = int(p[3*i+1]>>4), int(p[3*i+1]&15)
		c.tq = int(p[3*i+2])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 {
			return FormatError("bad sampling factor")
		}
		if c.tq > 3 {
			return FormatError("bad quantisation table selector")
		}
		for j := range i {
			if f.comps[j].id == c.id {
				return FormatError("duplicate component id")
			}
		}
	}
	if f.ncomp == 1 {
		// A single component is coded one block per MCU whatever its
		// sampling factors say (T.81 A.2.2).
		f.comps[0].h, f.comps[0].v = 1, 1
	}
	return nil
}

// layout derives the maximum sampling factors and the MCU grid, and checks
// that image.YCbCr can represent the sampling.
func (f *frame) layout() error {
	for i := range f.ncomp {
		f.hmax = max(f.hmax, f.comps[i].h)
		f.vmax = max(f.vmax, f.comps[i].v)
	}
	f.mcusX = (f.width + 8*f.hmax - 1) / (8 * f.hmax)
	f.mcusY = (f.height + 8*f.vmax - 1) / (8 * f.vmax)
	if f.ncomp == 3 {
		_, err := f.ratio()
		return err
	}
	return nil
}

// ratio returns the image.YCbCr subsampling ratio of a 3-component frame:
// luma must have the largest factors and both chroma components the same,
// dividing them by (1, 1), (2, 1), (1, 2), (2, 2), (4, 1) or (4, 2).
func (f *frame) ratio() (image.YCbCrSubsampleRatio, error) {
	y, cb, cr := f.comps[0], f.comps[1], f.comps[2]
	if y.h != f.hmax || y.v != f.vmax || cb.h != cr.h || cb.v != cr.v ||
		y.h%cb.h != 0 || y.v%cb.v != 0 {
		return 0, unsupported("sampling factors")
	}
	type hv struct{ h, v int }
	switch (hv{y.h / cb.h, y.v / cb.v}) {
	case hv{1, 1}:
		return image.YCbCrSubsampleRatio444, nil
	case hv{2, 1}:
		return image.YCbCrSubsampleRatio422, nil
	case hv{1, 2}:
		return image.YCbCrSubsampleRatio440, nil
	case hv{2, 2}:
		return image.YCbCrSubsampleRatio420, nil
	case hv{4, 1}:
		return image.YCbCrSubsampleRatio411, nil
	case hv{4, 2}:
		return image.YCbCrSubsampleRatio410, nil
	}
	return 0, unsupported("sampling factors")
}

// allocate creates the output image, padded to whole MCUs at the scaled
// size, and points each component at its plane.
func (d *decoder) allocate() error {
	f := &d.frame
	if f.ncomp == 3 && !d.colorIsYCbCr() {
		return unsupported("RGB color transform")
	}
	r := image.Rect(0, 0, f.mcusX*f.hmax*d.size, f.mcusY*f.vmax*d.size)
	if f.ncomp == 1 {
		g := image.NewGray(r)
		f.comps[0].plane, f.comps[0].stride = g.Pix, g.Stride
		d.img = g
		return nil
	}
	ratio, err := f.ratio()
	if err != nil {
		return err
	}
	m := image.NewYCbCr(r, ratio)
	f.comps[0].plane, f.comps[0].stride = m.Y, m.YStride
	f.comps[1].plane, f.comps[1].stride = m.Cb, m.CStride
	f.comps[2].plane, f.comps[2].stride = m.Cr, m.CStride
	d.img = m
	return nil
}

// colorIsYCbCr reports whether a 3-component file holds YCbCr rather than
// RGB: an Adobe segment says so with its transform flag, and otherwise
// component ids 'R', 'G', 'B' mean RGB (as JFIF files are YCbCr).
func (d *decoder) colorIsYCbCr() bool {
	if d.adobe {
		return d.transform != 0
	}
	c := &d.frame.comps
	return c[0].id != 'R' || c[1].id != 'G' || c[2].id != 'B'
}

// parseAdobe records the color transform flag of an Adobe APP14 segment.
func (d *decoder) parseAdobe(p []byte) {
	if len(p) >= 12 && string(p[:5]) == "Adobe" {
		d.adobe, d.transform = true, p[11]
	}
}
