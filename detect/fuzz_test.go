package detect_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/detect"
)

// FuzzUnmarshalETA decodes random detection JSON: it never panics, and
// what it accepts re-encodes to JSON it accepts again, with boxes that map
// into the image.
func FuzzUnmarshalETA(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "eta_objects.golden.json")); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"objects": []}`))
	f.Add([]byte(`{"objects": [{"type": "eta.core.objects.DetectedObject", "label": "dog", "confidence": 0.9,
		"bounding_box": {"top_left": {"x": -1, "y": 0.2}, "bottom_right": {"x": 2, "y": 1e30}}, "tags": null, "attrs": {}}]}`))
	f.Add([]byte(`{"objects": [{"type": "other"}]}`))
	f.Add([]byte(`{"objects": null} trailing`))
	f.Add([]byte(`[[[[[[[[[[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, err := detect.UnmarshalETA(data)
		if err != nil {
			return
		}
		dets := o.Detections(640, 480)
		for _, d := range dets {
			b := d.Box
			if !(b.X1 >= 0 && b.X1 <= 640 && b.X2 >= 0 && b.X2 <= 640 && b.Y1 >= 0 && b.Y1 <= 480 && b.Y2 >= 0 && b.Y2 <= 480) {
				t.Fatalf("box %+v outside the 640x480 image", b)
			}
		}
		out, err := json.Marshal(o)
		if err != nil {
			return // NaN or Inf confidences cannot be encoded
		}
		if _, err := detect.UnmarshalETA(out); err != nil {
			t.Fatalf("re-encoded objects do not decode: %v\n%s", err, out)
		}
	})
}

// FuzzDecodeImage decodes random bytes with a small pixel limit, at full
// or reduced scale: it never panics, every error is a *DecodeError, and an
// image it returns is within the limit.
func FuzzDecodeImage(f *testing.F) {
	f.Add(encodeJPEG(f, gradient(9, 7)))
	f.Add(encodePNG(f, gradient(5, 3)))
	f.Add(jpegClaiming(f, 30000, 30000))
	f.Add(pngClaiming(f, 70000, 1))
	f.Add(exifJPEG(f, 8, 8, 8))
	f.Add(encodeCMYK(f, gradient(16, 8), nil))
	const limit = 1 << 16
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &detect.DecodeOptions{MaxPixels: limit, Orient: true}
		if len(data)%2 == 1 {
			opts.Fit = fitTo{3, 3} // reduced-scale decoding too
		}
		img, _, err := detect.DecodeImage(bytes.NewReader(data), opts)
		if err != nil {
			var de *detect.DecodeError
			if !errors.As(err, &de) || img != nil {
				t.Fatalf("DecodeImage = %T, %v; want nil and a *DecodeError", img, err)
			}
			return
		}
		s := img.Bounds().Size()
		if s.X <= 0 || s.Y <= 0 || s.X*s.Y > limit {
			t.Fatalf("decoded a %v image; want 1..%d pixels", s, limit)
		}
	})
}
