package ortdetect

import "github.com/modelreg/modelreg/detect"

var _ detect.Concurrent = (*Detector)(nil)

// Concurrency returns the number of sessions, hence of Detect calls that
// run at once (see [detect.Concurrent]).
func (d *Detector) Concurrency() int { return d.nslots }
