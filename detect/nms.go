package detect

import (
	"cmp"
	"slices"
)

// NMSOptions configure [NMS]. Unlike [Config], zero values are taken
// literally.
type NMSOptions struct {
	// IoU: a box is suppressed when its IoU with a kept, higher-ranked box
	// (of the same class unless ClassAgnostic) is greater than IoU.
	IoU float32
	// ClassAgnostic lets boxes of any class suppress each other.
	ClassAgnostic bool
	// ScoreThreshold drops detections with a lower confidence first.
	ScoreThreshold float32
	// MaxPerClass keeps at most this many detections per class; 0: no limit.
	MaxPerClass int
	// MaxDetections keeps at most this many detections; 0: no limit.
	MaxDetections int
}

// NMS runs greedy hard non-maximum suppression in place and returns the kept
// detections, a prefix of dets, highest confidence first; equal confidences
// keep their input order. It drops NaN confidences. It does not allocate.
//
// The limits apply after suppression, as in PaddleDetection's multiclass NMS:
// a box dropped by MaxPerClass has still suppressed its neighbours.
func NMS(dets []Detection, opts NMSOptions) []Detection {
	dets = filterScore(dets, opts.ScoreThreshold)
	slices.SortStableFunc(dets, func(a, b Detection) int { return cmp.Compare(b.Confidence, a.Confidence) })
	k := 0
	for i := range dets {
		if !suppressed(dets[:k], &dets[i], opts) {
			dets[k] = dets[i]
			k++
		}
	}
	dets = capPerClass(dets[:k], opts.MaxPerClass)
	if opts.MaxDetections > 0 && len(dets) > opts.MaxDetections {
		dets = dets[:opts.MaxDetections]
	}
	return dets
}

func filterScore(dets []Detection, thr float32) []Detection {
	k := 0
	for _, d := range dets {
		if d.Confidence >= thr {
			dets[k] = d
			k++
		}
	}
	return dets[:k]
}

func suppressed(kept []Detection, d *Detection, opts NMSOptions) bool {
	for i := range kept {
		if (opts.ClassAgnostic || kept[i].Class == d.Class) && kept[i].Box.IoU(d.Box) > opts.IoU {
			return true
		}
	}
	return false
}

func capPerClass(dets []Detection, max int) []Detection {
	if max <= 0 {
		return dets
	}
	k := 0
	for i := range dets {
		n := 0
		for j := range k {
			if dets[j].Class == dets[i].Class {
				n++
			}
		}
		if n < max {
			dets[k] = dets[i]
			k++
		}
	}
	return dets[:k]
}
