package jpegscale

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"testing"
)

// BenchmarkDecode compares Decode at each scale with image/jpeg's full
// decode of the same file.
func BenchmarkDecode(b *testing.B) {
	for _, name := range []string{"african_elephants.jpg", "dog.jpg"} {
		data := readPhoto(b, name)
		b.Run("image="+name, func(b *testing.B) {
			for _, scale := range []int{1, 2, 4, 8} {
				b.Run(fmt.Sprintf("scale=%d", scale), func(b *testing.B) {
					benchDecode(b, data, func(r *bytes.Reader) error {
						_, err := Decode(r, scale)
						return err
					})
				})
			}
			b.Run("image-jpeg", func(b *testing.B) {
				benchDecode(b, data, func(r *bytes.Reader) error {
					_, err := jpeg.Decode(r)
					return err
				})
			})
		})
	}
}

// benchDecode runs decode over data b.N times.
func benchDecode(b *testing.B, data []byte, decode func(*bytes.Reader) error) {
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	r := bytes.NewReader(data)
	for b.Loop() {
		r.Reset(data)
		if err := decode(r); err != nil {
			b.Fatal(err)
		}
	}
}
