package jpegscale

// lutBits is the number of bits the Huffman lookup tables are indexed by.
// Codes up to this length are found with one lookup; longer ones go
// through the canonical-code limits.
const lutBits = 10

// A lookup entry packs what one table lookup can tell:
//
//	bits 0-4   bits to consume: the code length, or code plus extra bits
//	           when the entry is complete (entFast); 0 for a longer code
//	bit  7     entFast: the entry carries the coefficient value
//	bits 8-15  the symbol (RS byte: run in the high nibble, size in the low)
//	bits 16-31 the sign-extended coefficient value of a complete entry
const (
	entLen  = 31
	entFast = 1 << 7
)

// huffTable is a Huffman decoding table (T.81 annex C and F.2.2.3).
type huffTable struct {
	lut     [1 << lutBits]uint32
	maxCode [18]int32 // largest code of each length, -1 when none
	valOff  [18]int32 // index in vals of a code minus the code
	vals    [256]byte
}

// newHuffTable builds the table for the code lengths counts[1..16] and the
// symbols vals. A DC table's symbols are value sizes, an AC table's are
// run/size pairs.
func newHuffTable(counts *[17]int, vals []byte, dc bool) (*huffTable, error) {
	t := &huffTable{}
	copy(t.vals[:], vals)
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		t.maxCode[l] = -1
		if counts[l] > 0 {
			t.valOff[l] = int32(k) - code
			for range counts[l] {
				if code >= 1<<l {
					return nil, FormatError("bad Huffman code lengths")
				}
				if dc && vals[k] > 15 {
					return nil, FormatError("bad DC Huffman symbol")
				}
				t.fill(uint32(code), uint(l), vals[k], dc)
				code++
				k++
			}
			t.maxCode[l] = code - 1
		}
		code <<= 1
	}
	t.maxCode[17] = 1 << 30 // stops the slow search
	return t, nil
}

// fill writes the lookup entries of one code of length l, when l fits in
// lutBits.
func (t *huffTable) fill(code uint32, l uint, sym byte, dc bool) {
	if l > lutBits {
		return
	}
	size := uint(sym & 15)
	fast := l+size <= lutBits && (dc || size != 0)
	base := code << (lutBits - l)
	for i := range uint32(1) << (lutBits - l) {
		e := uint32(sym)<<8 | uint32(l)
		if fast {
			extra := ((base | i) >> (lutBits - l - size)) & (1<<size - 1)
			e = uint32(uint16(extend(extra, size)))<<16 | uint32(sym)<<8 | entFast | uint32(l+size)
		}
		t.lut[base|i] = e
	}
}

// extend turns the size low bits v of a coefficient into its signed value
// (T.81 F.2.2.1, EXTEND).
func extend(v uint32, size uint) int32 {
	if size == 0 {
		return 0
	}
	if v < 1<<(size-1) {
		return int32(v) - int32(1<<size) + 1
	}
	return int32(v)
}

// slowSymbol decodes a code longer than lutBits from the top bits of acc.
// It returns the symbol and the code length, or length 0 for an invalid
// code.
func (t *huffTable) slowSymbol(acc uint64) (byte, uint) {
	for l := lutBits + 1; l <= 16; l++ {
		code := int32(acc >> (64 - l))
		if code <= t.maxCode[l] {
			return t.vals[byte(code+t.valOff[l])], uint(l)
		}
	}
	return 0, 0
}
