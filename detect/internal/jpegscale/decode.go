package jpegscale

import (
	"fmt"
	"image"
	"io"
)

// Marker codes (the byte after 0xFF), from ITU T.81 table B.1.
const (
	markerSOF0 = 0xC0 // baseline DCT
	markerSOF1 = 0xC1 // extended sequential DCT, Huffman
	markerDHT  = 0xC4
	markerRST0 = 0xD0
	markerRST7 = 0xD7
	markerSOI  = 0xD8
	markerEOI  = 0xD9
	markerSOS  = 0xDA
	markerDQT  = 0xDB
	markerDNL  = 0xDC
	markerDRI  = 0xDD
	markerAPPE = 0xEE // Adobe
	markerCOM  = 0xFE
	markerTEM  = 0x01
)

// Decode decodes a baseline JPEG from r at 1/scale of its size; scale is 1,
// 2, 4 or 8. The result is an *image.YCbCr with the file's subsampling
// ratio for 3-component files, or an *image.Gray for 1-component files.
// Its bounds are (0,0)-(⌈w/scale⌉, ⌈h/scale⌉), where w×h is the size the
// file declares. As with image/jpeg, the planes may run past the bounds
// (their strides are padded to whole MCUs). Errors wrap [ErrUnsupported]
// for files to decode with image/jpeg instead, are a [FormatError] for
// corrupt data and wrap io.ErrUnexpectedEOF for data that ends early; an
// invalid scale or a failing reader gives another error.
func Decode(r io.Reader, scale int) (image.Image, error) {
	if err := checkScale(scale); err != nil {
		return nil, err // before reading anything
	}
	data, err := readAll(r)
	if err != nil {
		return nil, err
	}
	return DecodeBytes(data, scale)
}

// DecodeBytes is [Decode] for a file already in memory; it does not
// modify or keep data.
func DecodeBytes(data []byte, scale int) (image.Image, error) {
	if err := checkScale(scale); err != nil {
		return nil, err
	}
	d := &decoder{data: data, scale: scale, size: 8 / scale}
	return d.decode()
}

func checkScale(scale int) error {
	if scale != 1 && scale != 2 && scale != 4 && scale != 8 {
		return fmt.Errorf("jpegscale: invalid scale %d, want 1, 2, 4 or 8", scale)
	}
	return nil
}

// readAll reads r to the end, sizing the buffer once when r knows its
// length (bytes.Reader, bytes.Buffer, strings.Reader).
func readAll(r io.Reader) ([]byte, error) {
	lr, ok := r.(interface{ Len() int })
	if !ok {
		return io.ReadAll(r)
	}
	buf := make([]byte, lr.Len())
	n, err := io.ReadFull(r, buf)
	if err == io.ErrUnexpectedEOF || err == io.EOF {
		return buf[:n], nil
	}
	return buf, err
}

// decoder holds the state of one Decode call: the whole file, the frame
// header, the tables in force and the output planes.
type decoder struct {
	data  []byte
	pos   int // next unread byte of data
	scale int // 1, 2, 4 or 8
	size  int // output pixels per block side: 8/scale

	frame     frame
	haveFrame bool
	quant     [4]quantTable
	haveQuant [4]bool
	huff      [2][4]*huffTable // [class][id], class 0 is DC and 1 is AC
	restart   int              // restart interval in MCUs; 0 means none
	adobe     bool             // an Adobe APP14 segment was seen
	transform byte             // its color transform flag
	img       image.Image      // padded output, allocated at the first scan
}

// decode runs the marker loop until EOI.
func (d *decoder) decode() (image.Image, error) {
	if len(d.data) < 2 {
		return nil, errTruncated
	}
	if d.data[0] != 0xFF || d.data[1] != markerSOI {
		return nil, FormatError("missing SOI marker")
	}
	d.pos = 2
	for {
		m, err := d.nextMarker()
		if err != nil {
			return nil, err
		}
		if m == markerEOI {
			return d.finish()
		}
		if err := d.segment(m); err != nil {
			return nil, err
		}
	}
}

// nextMarker skips to the next marker, ignoring stray bytes, stuffed zeros
// and fill bytes, and returns its code with d.pos after it.
func (d *decoder) nextMarker() (byte, error) {
	data := d.data
	for i := d.pos; i+1 < len(data); i++ {
		if data[i] != 0xFF {
			continue
		}
		m := data[i+1]
		if m == 0xFF || m == 0x00 || (m >= markerRST0 && m <= markerRST7) || m == markerTEM {
			continue
		}
		d.pos = i + 2
		return m, nil
	}
	d.pos = len(data)
	return 0, errTruncated
}

// payload returns the contents of the segment at d.pos, whose first two
// bytes give its length, and moves d.pos past it.
func (d *decoder) payload() ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, errTruncated
	}
	n := int(d.data[d.pos])<<8 | int(d.data[d.pos+1])
	if n < 2 {
		return nil, FormatError("segment length below 2")
	}
	end := d.pos + n
	if end > len(d.data) {
		return nil, errTruncated
	}
	p := d.data[d.pos+2 : end]
	d.pos = end
	return p, nil
}

// segment handles the marker segment m.
func (d *decoder) segment(m byte) error {
	if m == markerSOI {
		return FormatError("unexpected SOI marker")
	}
	if err := checkMarker(m); err != nil {
		return err
	}
	p, err := d.payload()
	if err != nil {
		return err
	}
	switch m {
	case markerSOF0, markerSOF1:
		return d.parseSOF(p)
	case markerDQT:
		return d.parseDQT(p)
	case markerDHT:
		return d.parseDHT(p)
	case markerDRI:
		return d.parseDRI(p)
	case markerAPPE:
		d.parseAdobe(p)
	case markerSOS:
		return d.scan(p)
	}
	return nil // APPn, COM and other segments are skipped
}

// checkMarker refuses the markers of coding processes other than baseline
// and extended sequential Huffman.
func checkMarker(m byte) error {
	switch m {
	case 0xC2, 0xC6, 0xCA, 0xCE:
		return unsupported("progressive")
	case 0xC3, 0xC7, 0xCB, 0xCF:
		return unsupported("lossless")
	case 0xC5, 0xDE, 0xDF:
		return unsupported("hierarchical")
	case 0xC8:
		return unsupported("reserved SOF marker")
	case 0xC9, 0xCC:
		return unsupported("arithmetic coding")
	case markerDNL:
		return unsupported("DNL marker")
	}
	return nil
}

// finish returns the decoded image cropped to its scaled size, once every
// component has been decoded.
func (d *decoder) finish() (image.Image, error) {
	if d.img == nil {
		return nil, FormatError("no image data")
	}
	for i := range d.frame.ncomp {
		if !d.frame.comps[i].done {
			return nil, FormatError("component without scan")
		}
	}
	w := (d.frame.width + d.scale - 1) / d.scale
	h := (d.frame.height + d.scale - 1) / d.scale
	return d.img.(interface {
		SubImage(image.Rectangle) image.Image
	}).SubImage(image.Rect(0, 0, w, h)), nil
}
