package ortdetect

// Runs returns the number of session runs d has made (Detect calls and
// batched DetectAll runs).
func Runs(d *Detector) int64 { return d.runs.Load() }

// GraphUse reports how d's sessions used the optimised-graph cache:
// "uncached", "saved" or "cached".
func GraphUse(d *Detector) string {
	return [...]string{graphUncached: "uncached", graphSaved: "saved", graphCached: "cached"}[d.graph]
}
