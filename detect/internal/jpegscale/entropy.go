package jpegscale

// coeffs decodes the next block of sc from the bit stream (T.81 F.2.2)
// into s.blk, dequantised and placed through s.remap, and returns the
// zig-zag index of the last coefficient decoded (0 for a DC-only block).
// The bit reader state lives in locals for the length of the block.
func (s *scanState) coeffs(sc *scanComp) (int, error) {
	br := &s.br
	acc, n := br.acc, br.n
	if n < 32 {
		acc, n = br.fill(acc, n)
	}
	// DC: a size category, then that many bits of difference.
	e := sc.dc.lut[acc>>(64-lutBits)]
	var diff int32
	if e&entFast != 0 {
		l := uint(e & entLen)
		acc <<= l
		n -= l
		diff = int32(int16(e >> 16))
	} else {
		sym, l := symbol(sc.dc, e, acc)
		if l == 0 {
			return 0, FormatError("bad Huffman code")
		}
		acc <<= l
		size := uint(sym & 15)
		diff = extend(uint32(acc>>(64-size)), size)
		acc <<= size
		n -= l + size
	}
	sc.pred += diff
	q, blk, remap := sc.q, &s.blk, s.remap
	blk[0] = sc.pred * q[0]
	last := 0
	lut := &sc.ac.lut
	for k := 1; k < 64; k++ {
		if n < 32 {
			acc, n = br.fill(acc, n)
		}
		e := lut[acc>>(64-lutBits)]
		if e&entFast != 0 {
			// Run, size and value in one lookup.
			k += int(e>>12) & 15
			l := uint(e & entLen)
			acc <<= l
			n -= l
			if k > 63 {
				return 0, FormatError("coefficient index past 63")
			}
			j := k & 63
			blk[remap[j]&63] = int32(int16(e>>16)) * q[j]
			last = k
			continue
		}
		sym, l := symbol(sc.ac, e, acc)
		if l == 0 {
			return 0, FormatError("bad Huffman code")
		}
		acc <<= l
		n -= l
		run, size := int(sym>>4), uint(sym&15)
		if size == 0 {
			if run != 15 {
				break // end of block
			}
			k += 15 // sixteen zeros
			continue
		}
		k += run
		if k > 63 {
			return 0, FormatError("coefficient index past 63")
		}
		v := extend(uint32(acc>>(64-size)), size)
		acc <<= size
		n -= size
		j := k & 63
		blk[remap[j]&63] = v * q[j]
		last = k
	}
	br.acc, br.n = acc, n
	return last, nil
}

// symbol returns the symbol and code length of a lookup entry e that does
// not carry a value, decoding codes longer than lutBits from acc.
func symbol(t *huffTable, e uint32, acc uint64) (byte, uint) {
	if l := uint(e & entLen); l != 0 {
		return byte(e >> 8), l
	}
	return t.slowSymbol(acc)
}
