package jpegscale

// quantTable holds 64 quantiser steps in zig-zag order.
type quantTable [64]int32

// parseDQT reads a DQT segment (T.81 B.2.4.1), which holds one or more
// tables of 8- or 16-bit steps.
func (d *decoder) parseDQT(p []byte) error {
	for len(p) > 0 {
		pq, tq := p[0]>>4, int(p[0]&15)
		if pq > 1 || tq > 3 {
			return FormatError("bad DQT table")
		}
		n := 1 + 64*(int(pq)+1)
		if len(p) < n {
			return FormatError("short DQT segment")
		}
		q := &d.quant[tq]
		for k := range q {
			if pq == 0 {
				q[k] = int32(p[1+k])
			} else {
				q[k] = int32(p[1+2*k])<<8 | int32(p[2+2*k])
			}
		}
		d.haveQuant[tq] = true
		p = p[n:]
	}
	return nil
}

// parseDHT reads a DHT segment (T.81 B.2.4.2), which holds one or more
// Huffman tables.
func (d *decoder) parseDHT(p []byte) error {
	for len(p) > 0 {
		if len(p) < 17 {
			return FormatError("short DHT segment")
		}
		tc, th := int(p[0]>>4), int(p[0]&15)
		if tc > 1 || th > 3 {
			return FormatError("bad DHT table")
		}
		var counts [17]int
		total := 0
		for l := 1; l <= 16; l++ {
			counts[l] = int(p[l])
			total += counts[l]
		}
		if total > 256 || len(p) < 17+total {
			return FormatError("bad DHT symbol count")
		}
		t, err := newHuffTable(&counts, p[17:17+total], tc == 0)
		if err != nil {
			return err
		}
		d.huff[tc][th] = t
		p = p[17+total:]
	}
	return nil
}

// parseDRI reads a DRI segment (T.81 B.2.4.4).
func (d *decoder) parseDRI(p []byte) error {
	if len(p) != 2 {
		return FormatError("bad DRI segment length")
	}
	d.restart = int(p[0])<<8 | int(p[1])
	return nil
}
