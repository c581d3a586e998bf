package jpegscale

// scanComp is one component of a scan with its tables and DC predictor.
type scanComp struct {
	c      *component
	dc, ac *huffTable
	q      *quantTable
	pred   int32
}

// scanState decodes the entropy-coded data of one scan.
type scanState struct {
	d     *decoder
	comps [3]scanComp
	ns    int
	br    bitReader
	blk   [64]int32  // dequantised coefficients, natural order
	remap *[64]uint8 // zig-zag index to blk index
	idct  idctFunc   // writes one block of d.size×d.size pixels
	bx    [3]int     // blocks per line of each component in a single-component scan
	by    [3]int     // block lines of each component in a single-component scan
}

// scan reads a SOS segment and decodes the scan that follows it, leaving
// d.pos after the entropy-coded data.
func (d *decoder) scan(p []byte) error {
	if !d.haveFrame {
		return FormatError("SOS before SOF")
	}
	s := &scanState{d: d, remap: &remaps[d.size], idct: idcts[d.size]}
	if err := s.parse(p); err != nil {
		return err
	}
	if err := s.checkLength(); err != nil {
		return err
	}
	if d.img == nil {
		if err := d.allocate(); err != nil {
			return err
		}
	}
	s.br = bitReader{data: d.data, pos: d.pos}
	var err error
	if s.ns == 1 {
		err = s.single()
	} else {
		err = s.interleaved()
	}
	d.pos = s.br.pos
	for i := range s.ns {
		s.comps[i].c.done = true
	}
	return err
}

// parse reads the scan header (T.81 B.2.3) and selects the tables.
func (s *scanState) parse(p []byte) error {
	d, f := s.d, &s.d.frame
	if len(p) < 1 || int(p[0]) < 1 || int(p[0]) > f.ncomp || len(p) != 4+2*int(p[0]) {
		return FormatError("bad SOS segment")
	}
	s.ns = int(p[0])
	for i := range s.ns {
		c := f.byID(p[1+2*i])
		if c == nil {
			return FormatError("unknown component in scan")
		}
		for j := range i {
			if s.comps[j].c == c {
				return FormatError("duplicate component in scan")
			}
		}
		td, ta := p[2+2*i]>>4, p[2+2*i]&15
		if td > 3 || ta > 3 || d.huff[0][td] == nil || d.huff[1][ta] == nil || !d.haveQuant[c.tq] {
			return FormatError("scan uses an undefined table")
		}
		s.comps[i] = scanComp{c: c, dc: d.huff[0][td], ac: d.huff[1][ta], q: &d.quant[c.tq]}
	}
	ss, se, a := p[1+2*s.ns], p[2+2*s.ns], p[3+2*s.ns]
	if ss != 0 || se != 63 || a != 0 {
		return FormatError("bad spectral selection for a sequential scan")
	}
	return nil
}

// byID returns the frame component with the given id, or nil.
func (f *frame) byID(id byte) *component {
	for i := range f.ncomp {
		if f.comps[i].id == id {
			return &f.comps[i]
		}
	}
	return nil
}

// checkLength counts the blocks of the scan and refuses a scan whose data
// cannot hold them, before any pixels are allocated: every block takes at
// least two bits (a DC code and an AC code).
func (s *scanState) checkLength() error {
	f := &s.d.frame
	blocks := 0
	if s.ns == 1 {
		c := s.comps[0].c
		s.bx[0] = ((f.width*c.h+f.hmax-1)/f.hmax + 7) / 8
		s.by[0] = ((f.height*c.v+f.vmax-1)/f.vmax + 7) / 8
		blocks = s.bx[0] * s.by[0]
	} else {
		perMCU := 0
		for i := range s.ns {
			perMCU += s.comps[i].c.h * s.comps[i].c.v
		}
		if perMCU > 10 {
			return FormatError("more than 10 blocks per MCU")
		}
		blocks = f.mcusX * f.mcusY * perMCU
	}
	if 4*(len(s.d.data)-s.d.pos) < blocks {
		return errTruncated
	}
	return nil
}

// interleaved decodes a scan of several components, MCU by MCU.
func (s *scanState) interleaved() error {
	f := &s.d.frame
	mcu := 0
	for my := range f.mcusY {
		for mx := range f.mcusX {
			if err := s.beginMCU(mcu); err != nil {
				return err
			}
			for i := range s.ns {
				if err := s.mcuBlocks(&s.comps[i], mx, my); err != nil {
					return err
				}
			}
			if s.br.overrun() {
				return s.overrunError()
			}
			mcu++
		}
	}
	return nil
}

// mcuBlocks decodes the h×v blocks of one component in MCU (mx, my).
func (s *scanState) mcuBlocks(sc *scanComp, mx, my int) error {
	c := sc.c
	for v := range c.v {
		for h := range c.h {
			if err := s.block(sc, mx*c.h+h, my*c.v+v); err != nil {
				return err
			}
		}
	}
	return nil
}

// single decodes a scan of one component, whose MCU is one block.
func (s *scanState) single() error {
	sc := &s.comps[0]
	mcu := 0
	for by := range s.by[0] {
		for bx := range s.bx[0] {
			if err := s.beginMCU(mcu); err != nil {
				return err
			}
			if err := s.block(sc, bx, by); err != nil {
				return err
			}
			if s.br.overrun() {
				return s.overrunError()
			}
			mcu++
		}
	}
	return nil
}

// block decodes the block at block position (bx, by) of a component and
// writes its pixels.
func (s *scanState) block(sc *scanComp, bx, by int) error {
	last, err := s.coeffs(sc)
	if err != nil {
		return err
	}
	c, n := sc.c, s.d.size
	s.idct(&s.blk, last, c.plane, n*(by*c.stride+bx), c.stride)
	return nil
}

// beginMCU handles the restart marker due before MCU number mcu.
func (s *scanState) beginMCU(mcu int) error {
	ri := s.d.restart
	if ri == 0 || mcu == 0 || mcu%ri != 0 {
		return nil
	}
	br := &s.br
	br.reset()
	data, i := br.data, br.pos
	for i+1 < len(data) && data[i] == 0xFF && data[i+1] == 0xFF {
		i++ // fill bytes
	}
	if i+1 >= len(data) {
		return errTruncated
	}
	if data[i] != 0xFF || data[i+1] < markerRST0 || data[i+1] > markerRST7 {
		return FormatError("missing restart marker")
	}
	br.pos = i + 2
	for j := range s.ns {
		s.comps[j].pred = 0
	}
	return nil
}

// overrunError describes a scan whose data ended before its last block.
func (s *scanState) overrunError() error {
	if s.br.pos+1 >= len(s.br.data) {
		return errTruncated
	}
	return FormatError("short entropy-coded segment")
}
