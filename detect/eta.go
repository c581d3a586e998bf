package detect

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
)

// ETAObjectType is the "type" ETA writes for each detected object.
const ETAObjectType = "eta.core.objects.DetectedObject"

// Objects is ETA's DetectedObjectContainer: {"objects": [...]}.
type Objects struct {
	Objects []Object `json:"objects"`
}

// Object is one ETA DetectedObject with the keys a detector sets, in ETA's
// order. Tags is always written, as [] when empty, like ETA does.
type Object struct {
	Type        string      `json:"type,omitempty"`
	Label       string      `json:"label"`
	BoundingBox BoundingBox `json:"bounding_box"`
	Confidence  float32     `json:"confidence"`
	Tags        []string    `json:"tags"`
}

// BoundingBox is ETA's BoundingBox: relative coordinates in [0, 1].
type BoundingBox struct {
	TopLeft     Point `json:"top_left"`
	BottomRight Point `json:"bottom_right"`
}

// Point is ETA's RelativePoint.
type Point struct {
	X float32 `json:"x"`
	Y float32 `json:"y"`
}

// ToObjects converts detections to ETA's schema, using their relative
// boxes.
func ToObjects(dets []Detection) Objects {
	objs := Objects{Objects: make([]Object, len(dets))}
	for i, d := range dets {
		objs.Objects[i] = Object{
			Type:  ETAObjectType,
			Label: d.Label,
			BoundingBox: BoundingBox{
				TopLeft:     Point{d.Rel.X1, d.Rel.Y1},
				BottomRight: Point{d.Rel.X2, d.Rel.Y2},
			},
			Confidence: d.Confidence,
			Tags:       []string{},
		}
	}
	return objs
}

// Detections converts the objects back for an image of the given size:
// Class is -1 (ETA does not store it) and Box is Rel scaled to pixels.
func (o Objects) Detections(width, height int) []Detection {
	dets := make([]Detection, len(o.Objects))
	w, h := float32(width), float32(height)
	for i, obj := range o.Objects {
		tl, br := obj.BoundingBox.TopLeft, obj.BoundingBox.BottomRight
		rel := Box{clamp01(tl.X), clamp01(tl.Y), clamp01(br.X), clamp01(br.Y)}
		dets[i] = Detection{
			Label: obj.Label, Class: -1, Confidence: obj.Confidence, Rel: rel,
			Box: Box{rel.X1 * w, rel.Y1 * h, rel.X2 * w, rel.Y2 * h},
		}
	}
	return dets
}

// MarshalETA encodes detections as ETA's detection JSON on one line.
func MarshalETA(dets []Detection) ([]byte, error) {
	return json.Marshal(ToObjects(dets))
}

// UnmarshalETA decodes ETA's detection JSON. Unknown keys (ETA's optional
// "name", "attrs", "index", ...) are ignored.
func UnmarshalETA(data []byte) (Objects, error) {
	var o Objects
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&o); err != nil {
		return Objects{}, fmt.Errorf("detect: decoding ETA objects: %w", err)
	}
	for i, obj := range o.Objects {
		if obj.Type != "" && obj.Type != ETAObjectType {
			return Objects{}, fmt.Errorf("detect: decoding ETA objects: object %d has type %q, want %q", i, obj.Type, ETAObjectType)
		}
	}
	return o, nil
}

func clamp01(v float32) float32 { return min(max(v, 0), 1) }

// ImageRecord is one image's detections as a line of JSON: the image's
// name, its size in pixels and ETA's objects (relative coordinates), or the
// reason it could not be processed. It is what examples/detect-image -json
// prints, one record per line.
type ImageRecord struct {
	Image   string   `json:"image"`
	Width   int      `json:"width,omitempty"`
	Height  int      `json:"height,omitempty"`
	Objects []Object `json:"objects"`
	// Error is why the image gave no detections ("" when it did); Objects is
	// then empty.
	Error string `json:"error,omitempty"`
}

// NewImageRecord returns the record of the detections in the image named
// name of the given size in pixels, or of err when err is not nil.
func NewImageRecord(name string, size image.Point, dets []Detection, err error) ImageRecord {
	if err != nil {
		return ImageRecord{Image: name, Objects: []Object{}, Error: err.Error()}
	}
	return ImageRecord{Image: name, Width: size.X, Height: size.Y, Objects: ToObjects(dets).Objects}
}
