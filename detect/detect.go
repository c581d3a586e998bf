package detect

import (
	"context"
	"image"
	"math"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// Detector finds objects in images. Implementations are safe for concurrent
// use unless they document otherwise.
type Detector interface {
	// Detect returns the objects found in img, highest confidence first.
	Detect(ctx context.Context, img image.Image) ([]Detection, error)
	// DetectAll returns one result per image, in order; batched when the
	// model takes a batch dimension.
	DetectAll(ctx context.Context, imgs []image.Image) ([][]Detection, error)
	// Close releases the model.
	Close() error
}

// Detection is one detected object.
type Detection struct {
	Label      string  // class name; "class <id>" when the labels file has none
	Class      int     // class id: line index in the labels file; -1 when unknown
	Confidence float32 // score in [0, 1]
	Box        Box     // in pixels of the input image, clipped to it
	Rel        Box     // Box divided by the image size, in [0, 1]
}

// Box is an axis-aligned box: (X1, Y1) top-left, (X2, Y2) bottom-right,
// origin at the top-left of the image.
type Box struct {
	X1, Y1, X2, Y2 float32
}

// Geometry says how an image was placed in the model input; see
// [preprocess.Geometry].
type Geometry = preprocess.Geometry

// Width returns X2 − X1.
func (b Box) Width() float32 { return b.X2 - b.X1 }

// Height returns Y2 − Y1.
func (b Box) Height() float32 { return b.Y2 - b.Y1 }

// Area returns the area, 0 for an empty or inverted box.
func (b Box) Area() float32 {
	if b.X2 <= b.X1 || b.Y2 <= b.Y1 {
		return 0
	}
	return (b.X2 - b.X1) * (b.Y2 - b.Y1)
}

// IoU returns the intersection over union of b and o, without the "+1"
// pixel convention; 0 when the union is empty.
func (b Box) IoU(o Box) float32 {
	w := min(b.X2, o.X2) - max(b.X1, o.X1)
	h := min(b.Y2, o.Y2) - max(b.Y1, o.Y1)
	if w <= 0 || h <= 0 {
		return 0
	}
	inter := w * h
	union := b.Area() + o.Area() - inter
	if union <= 0 {
		return 0
	}
	return inter / union
}

// Rect returns the smallest integer rectangle that contains b.
func (b Box) Rect() image.Rectangle {
	return image.Rect(
		int(math.Floor(float64(b.X1))), int(math.Floor(float64(b.Y1))),
		int(math.Ceil(float64(b.X2))), int(math.Ceil(float64(b.Y2))))
}

// DetectEach implements DetectAll for detectors that have no batch
// dimension: it calls detect for each image in turn and stops at the first
// error or when ctx is done.
func DetectEach(ctx context.Context, detect func(context.Context, image.Image) ([]Detection, error), imgs []image.Image) ([][]Detection, error) {
	out := make([][]Detection, len(imgs))
	for i, img := range imgs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		d, err := detect(ctx, img)
		if err != nil {
			return nil, err
		}
		out[i] = d
	}
	return out, nil
}
