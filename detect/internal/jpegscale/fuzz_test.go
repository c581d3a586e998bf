package jpegscale

import (
	"bytes"
	"image"
	"testing"
)

// FuzzDecode checks that Decode never panics, returns only documented
// errors and, on success, an image of the declared scaled size.
func FuzzDecode(f *testing.F) {
	rgb := encodeRGB(f, 17, 9)
	seeds := [][]byte{
		rgb,
		rgb[:len(rgb)/2],
		encodeGray(f, 7, 5, 0),
		multiScan(f, 9, 9, 2, 2),
		multiScan(f, 5, 3, 4, 1),
		withSegment(encodeGray(f, 16, 16, 0), markerDRI, []byte{0, 1}),
		readPhoto(f, "person.jpg")[:4000], // restart markers
	}
	for _, s := range seeds {
		f.Add(s, uint8(1))
	}
	f.Fuzz(func(t *testing.T, b []byte, s uint8) {
		scale := 1 << (s % 4)
		m, err := Decode(bytes.NewReader(b), scale)
		if err != nil {
			if !isKnown(err) {
				t.Fatalf("undocumented error %v (%T)", err, err)
			}
			return
		}
		r := m.Bounds()
		if r.Min != (image.Point{}) || r.Empty() {
			t.Fatalf("bounds %v", r)
		}
	})
}
