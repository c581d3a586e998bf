package deploy

import "github.com/modelreg/modelreg/detect"

// Concurrency forwards to the detector when it is a [detect.Concurrent],
// so that detect.DetectFilesWith makes as many Detect calls at once as it
// has sessions; otherwise it returns 1.
func (h *heldDetector) Concurrency() int {
	if c, ok := h.Detector.(detect.Concurrent); ok {
		return c.Concurrency()
	}
	return 1
}
