package jpegscale

import "encoding/binary"

// bitReader reads the entropy-coded data of a scan, most significant bit
// first, into a 64-bit accumulator. It removes stuffed zero bytes (0xFF
// 0x00) and stops at the next marker or at the end of the data, after
// which it supplies zero bits and counts them in pad; a decoder that
// consumed more bits than the data holds has n < pad.
type bitReader struct {
	data []byte
	pos  int    // next byte of data to load
	acc  uint64 // the next bits, left-aligned
	n    uint   // number of bits in acc, pad bits included
	pad  uint   // zero bits loaded after the data ended
	stop bool   // a marker or the end of data was reached
}

// ones has the high bit of every byte set.
const ones = 0x0101010101010101

// fill loads bytes until acc holds more than 56 bits, taking the given
// acc and n and returning the new ones so that callers can keep them in
// registers.
func (b *bitReader) fill(acc uint64, n uint) (uint64, uint) {
	if !b.stop && b.pos+8 <= len(b.data) {
		x := binary.BigEndian.Uint64(b.data[b.pos:])
		if v := ^x; (v-ones)&^v&(ones<<7) == 0 { // no 0xFF byte
			k := (64 - n) >> 3
			acc |= x >> (64 - 8*k) << (64 - 8*k - n)
			b.pos += int(k)
			return acc, n + 8*k
		}
	}
	return b.fillSlow(acc, n)
}

// fillSlow loads bytes one at a time, handling stuffing and markers.
func (b *bitReader) fillSlow(acc uint64, n uint) (uint64, uint) {
	for n <= 56 {
		if b.stop {
			n += 8
			b.pad += 8
			continue
		}
		c, ok := b.next()
		if !ok {
			b.stop = true
			continue
		}
		acc |= uint64(c) << (56 - n)
		n += 8
	}
	return acc, n
}

// next returns the next data byte, or false at a marker or the end of the
// data.
func (b *bitReader) next() (byte, bool) {
	if b.pos >= len(b.data) {
		return 0, false
	}
	c := b.data[b.pos]
	if c != 0xFF {
		b.pos++
		return c, true
	}
	if b.pos+1 >= len(b.data) || b.data[b.pos+1] != 0 {
		return 0, false
	}
	b.pos += 2
	return 0xFF, true
}

// overrun reports whether more bits were consumed than the data holds.
func (b *bitReader) overrun() bool { return b.n < b.pad }

// reset empties the accumulator, as at a restart marker.
func (b *bitReader) reset() {
	b.acc, b.n, b.pad, b.stop = 0, 0, 0, false
}
