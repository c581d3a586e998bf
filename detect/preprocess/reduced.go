package preprocess

import "image"

// Reduced is an image decoded at a reduced size, such as a JPEG decoded at
// 1/2, 1/4 or 1/8 scale with a scaled inverse DCT: Image holds the reduced
// pixels and Full is the size of the original image. A [Preprocessor]
// resamples Image but places it, and reports its [Geometry], as if it were
// the Full-size original, so that boxes map back to the original's pixels.
// Bounds, At and ColorModel are those of the reduced pixels.
type Reduced struct {
	image.Image
	Full image.Point
}

// FullSize returns the size of the original image: r.Full, or the reduced
// image's size when Full is not set.
func (r *Reduced) FullSize() image.Point {
	if r.Full.X <= 0 || r.Full.Y <= 0 {
		return r.Image.Bounds().Size()
	}
	return r.Full
}

// unreduce returns the pixels to resample and the size to place them as.
func unreduce(img image.Image) (pix image.Image, full image.Point) {
	r, ok := img.(*Reduced)
	switch {
	case !ok:
		return img, image.Point{}
	case r == nil || r.Image == nil || isNilPointer(r.Image):
		return nil, image.Point{} // CheckImage reports it
	}
	return r.Image, r.FullSize()
}
