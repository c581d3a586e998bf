package ultralyticstest

import (
	"context"
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/loader/ort"
)

// Reference runs Ultralytics' pre-processing, the wrapped model (a session
// of a file made by [Wrap]) and Ultralytics' post-processing with its
// predict defaults (conf 0.25, IoU 0.7).
func Reference(ctx context.Context, sess *ort.Session, layout Layout, img image.Image, nc int) ([]Det, error) {
	x, ratio := Letterbox(img, Size)
	in, err := ort.NewTensor([]int64{1, 3, Size, Size}, x)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	outs, err := sess.Run(ctx, []*ort.Value{in}, nil)
	if err != nil {
		return nil, err
	}
	defer outs[0].Close()
	return Decode(layout, outs[0].Float32s(), nc, 0.25, 0.7, ratio, img.Bounds().Dx(), img.Bounds().Dy()), nil
}

// Compare checks detections against the reference: every reference
// detection scoring at least 0.3 needs a detection of the same class with
// |Δscore| ≤ 0.03 and IoU ≥ 0.9, and every detection scoring at least 0.35
// needs such a reference detection. It returns how many reference
// detections of at least 0.3 there are, how many were matched, and a line
// for each mismatch.
func Compare(got []detect.Detection, want []Det, names []string) (total, matched int, diffs []string) {
	match := func(g detect.Detection, w Det) bool {
		b := [4]float64{float64(g.Box.X1), float64(g.Box.Y1), float64(g.Box.X2), float64(g.Box.Y2)}
		return g.Class == w.Class && math.Abs(float64(g.Confidence-w.Score)) <= 0.03 && IoU(b, w.Box) >= 0.9
	}
	for _, w := range want {
		if w.Score < 0.3 {
			continue
		}
		total++
		if slices.ContainsFunc(got, func(g detect.Detection) bool { return match(g, w) }) {
			matched++
		} else {
			diffs = append(diffs, fmt.Sprintf("reference %s %.3f %.1f not detected", names[w.Class], w.Score, w.Box))
		}
	}
	for _, g := range got {
		if g.Confidence >= 0.35 && !slices.ContainsFunc(want, func(w Det) bool { return match(g, w) }) {
			diffs = append(diffs, fmt.Sprintf("extra detection %s %.3f %+v", g.Label, g.Confidence, g.Box))
		}
	}
	return total, matched, diffs
}
