// Package cmykjpeg writes four-component (CMYK) baseline JPEG files for
// tests. The standard library reads such files (as *image.CMYK) but cannot
// write them, and photos from print workflows often are CMYK.
//
// The encoder is deliberately minimal: each 8×8 block keeps only its mean
// (the DC coefficient), so the result is a mosaic of the input at 1/8 of its
// resolution, stored at full size. It is not meant for anything but tests.
package cmykjpeg

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"io"
)

// Options configure [Encode]. A nil *Options is the zero value.
type Options struct {
	// NoAdobe omits the Adobe APP14 segment, without which a decoder cannot
	// tell CMYK from YCbCrK; Go's image/jpeg then refuses the file.
	NoAdobe bool
}

// Encode writes img as a CMYK JPEG whose size is img's rounded down to a
// multiple of 8 (at least 8×8). Colours are converted with color.CMYKModel
// and stored inverted, as Adobe applications write them.
func Encode(w io.Writer, img image.Image, opts *Options) error {
	if opts == nil {
		opts = &Options{}
	}
	b := img.Bounds()
	bw, bh := max(b.Dx()/8, 1), max(b.Dy()/8, 1)
	var out bytes.Buffer
	out.Write([]byte{0xFF, 0xD8})
	if !opts.NoAdobe {
		segment(&out, 0xEE, []byte("Adobe\x00\x64\x00\x00\x00\x00\x00"))
	}
	q := make([]byte, 65)
	for i := 1; i < 65; i++ {
		q[i] = 1
	}
	q[1] = 8 // DC quantiser: the coefficient becomes the sample minus 128
	segment(&out, 0xDB, q)
	sof := []byte{8, byte(bh * 8 >> 8), byte(bh * 8), byte(bw * 8 >> 8), byte(bw * 8), 4}
	for c := range 4 {
		sof = append(sof, byte(c+1), 0x11, 0)
	}
	segment(&out, 0xC0, sof)
	segment(&out, 0xC4, append(append([]byte{0x00}, dcBits[:]...), 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11))
	segment(&out, 0xC4, []byte{0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00})
	segment(&out, 0xDA, []byte{4, 1, 0, 2, 0, 3, 0, 4, 0, 0, 63, 0})
	scan(&out, img, bw, bh)
	out.Write([]byte{0xFF, 0xD9})
	_, err := w.Write(out.Bytes())
	return err
}

// dcBits is the standard luminance DC table (ITU T.81, table K.3): how many
// codes of each length, for categories 0 to 11.
var dcBits = [16]byte{0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0}

func segment(out *bytes.Buffer, marker byte, payload []byte) {
	out.Write([]byte{0xFF, marker})
	binary.Write(out, binary.BigEndian, uint16(len(payload)+2))
	out.Write(payload)
}

// scan writes the entropy-coded blocks: per block and component, the DC
// difference and an end-of-block.
func scan(out *bytes.Buffer, img image.Image, bw, bh int) {
	bits := &bitWriter{out: out}
	var prev [4]int
	for by := range bh {
		for bx := range bw {
			mean := blockMean(img, bx, by)
			for c := range 4 {
				v := int(255-mean[c]) - 128
				dc(bits, v-prev[c])
				prev[c] = v
				bits.put(0, 1) // end of block: the only AC code, "0"
			}
		}
	}
	bits.flush()
}

// blockMean returns the mean CMYK colour of block (bx, by).
func blockMean(img image.Image, bx, by int) [4]uint8 {
	b := img.Bounds()
	var sum [4]int
	n := 0
	for y := by * 8; y < by*8+8 && y < b.Dy(); y++ {
		for x := bx * 8; x < bx*8+8 && x < b.Dx(); x++ {
			c := color.CMYKModel.Convert(img.At(b.Min.X+x, b.Min.Y+y)).(color.CMYK)
			sum[0], sum[1], sum[2], sum[3] = sum[0]+int(c.C), sum[1]+int(c.M), sum[2]+int(c.Y), sum[3]+int(c.K)
			n++
		}
	}
	var m [4]uint8
	for i := range m {
		m[i] = uint8((sum[i] + n/2) / max(n, 1))
	}
	return m
}

// dc writes a DC difference: its category's Huffman code, then its bits.
func dc(bits *bitWriter, d int) {
	cat, mag := 0, d
	if d < 0 {
		mag = -d
	}
	for mag>>cat != 0 {
		cat++
	}
	code, n := dcCode(cat)
	bits.put(code, n)
	if d < 0 {
		d += 1<<cat - 1
	}
	bits.put(uint32(d), cat)
}

// dcCode returns the canonical Huffman code of category cat in dcBits.
func dcCode(cat int) (uint32, int) {
	code, k := uint32(0), 0
	for n := 1; n <= 16; n++ {
		for range dcBits[n-1] {
			if k == cat {
				return code, n
			}
			code++
			k++
		}
		code <<= 1
	}
	panic("cmykjpeg: category out of range")
}

// bitWriter packs bits most significant first, stuffing a 0 after each
// 0xFF byte.
type bitWriter struct {
	out  *bytes.Buffer
	acc  uint32
	nacc int
}

func (w *bitWriter) put(v uint32, n int) {
	for i := n - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | v>>i&1
		w.nacc++
		if w.nacc == 8 {
			w.emit(byte(w.acc))
			w.acc, w.nacc = 0, 0
		}
	}
}

func (w *bitWriter) emit(b byte) {
	w.out.WriteByte(b)
	if b == 0xFF {
		w.out.WriteByte(0)
	}
}

// flush pads the last byte with 1 bits.
func (w *bitWriter) flush() {
	for w.nacc != 0 {
		w.put(1, 1)
	}
}
