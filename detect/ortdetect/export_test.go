package ortdetect

// Runs returns the number of session runs d has made (Detect calls and
// batched DetectAll runs).
func Runs(d *Detector) int64 { return d.runs.Load() }
