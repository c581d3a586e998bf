package detect

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/jpeg"  // JPEGs that jpegscale does not read; and DecodeConfig
	_ "image/png" // PNG files
	"io"

	"github.com/modelreg/modelreg/detect/internal/jpegscale"
	"github.com/modelreg/modelreg/detect/preprocess"
)

// DefaultMaxPixels is the largest image, in pixels (width × height), that
// [DecodeImage] decodes when [DecodeOptions].MaxPixels is 0: 50 megapixels,
// about 200 MB once decoded as RGBA.
const DefaultMaxPixels = 50_000_000

// ErrDecode reports bytes that [DecodeImage] cannot decode: an unknown
// format, or a truncated or corrupt file.
var ErrDecode = errors.New("detect: cannot decode image")

// DecodeOptions configures [DecodeImage]. A nil *DecodeOptions is the zero
// value.
type DecodeOptions struct {
	// MaxPixels is the largest width × height decoded; 0 means
	// DefaultMaxPixels. A side longer than preprocess.MaxSide is refused
	// whatever MaxPixels says.
	MaxPixels int64
	// Orient applies the EXIF orientation of a JPEG file (see
	// preprocess.ReadOrientation), so that the image is returned upright,
	// as photo viewers show it. A malformed EXIF segment is ignored.
	Orient bool
	// Fit, when set, lets DecodeImage decode a baseline JPEG at 1/2, 1/4 or
	// 1/8 of its size with a scaled inverse DCT, which is several times
	// faster, as long as the reduced image still has at least the size
	// that Fit asks for an image of the original's size: the smallest
	// reduction a detector would resample the image to anyway. The result
	// is then a [*preprocess.Reduced], which detectors place as its
	// full-size original, so that boxes are in the original's pixels; its
	// Bounds are the reduced ones. Pass the detector that will read the
	// image (detectors from deploy and ortdetect, and [*Pipeline],
	// implement [Fitter]): fit, _ := d.(detect.Fitter).
	Fit Fitter
}

// A Fitter says how small an image of w×h pixels may be decoded without
// losing anything it would use: detectors resample images to their model's
// input, so any size at least as large as the resampled one gives the
// same detections, within the precision of the resampling.
type Fitter interface {
	MinImageSize(w, h int) image.Point
}

// DecodeError reports an image that [DecodeImage] refused or could not
// decode. It wraps [ErrImageTooLarge], [ErrEmptyImage] or [ErrDecode], and
// the codec's error when there is one.
type DecodeError struct {
	Format        string // "jpeg", "png"; "" when the format is unknown
	Width, Height int    // from the header; 0 when it could not be read
	Err           error  // ErrImageTooLarge, ErrEmptyImage or ErrDecode
	Cause         error  // the codec's error; nil for a refusal
}

func (e *DecodeError) Error() string {
	s := e.Err.Error()
	if e.Format != "" {
		s += ": " + e.Format
	}
	if e.Width != 0 || e.Height != 0 {
		s += fmt.Sprintf(" %dx%d", e.Width, e.Height)
	}
	if e.Cause != nil {
		s += ": " + e.Cause.Error()
	}
	return s
}

// Unwrap returns the sentinel and the codec's error.
func (e *DecodeError) Unwrap() []error {
	if e.Cause == nil {
		return []error{e.Err}
	}
	return []error{e.Err, e.Cause}
}

// DecodeImage decodes a JPEG or PNG image (or any format registered with
// [image.RegisterFormat]) and returns it with its format name. It reads the
// header first and refuses, before allocating the pixels, an image larger
// than opts.MaxPixels or with a side over preprocess.MaxSide. Baseline JPEGs
// are decoded by this module's own decoder, 2–2.5× faster than image/jpeg
// and within ±1 of its samples; other JPEGs (progressive, CMYK) by
// image/jpeg, which also has the last word on a file the first refuses.
// With opts.Fit, a large JPEG may come back reduced (see
// [DecodeOptions].Fit). Errors are
// [*DecodeError]s; test them with errors.Is against [ErrImageTooLarge],
// [ErrEmptyImage] and [ErrDecode]. When r itself fails (an I/O error, or a
// reader whose context was cancelled), the error is a [*ReadError]
// wrapping r's, never ErrDecode: the image is not at fault.
func DecodeImage(r io.Reader, opts *DecodeOptions) (image.Image, string, error) {
	if opts == nil {
		opts = &DecodeOptions{}
	}
	rr := &readErrors{r: r}
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(rr, &head))
	if rr.err != nil {
		return nil, format, &ReadError{Err: rr.err}
	}
	if err != nil {
		return nil, format, &DecodeError{Format: format, Err: ErrDecode, Cause: err}
	}
	if err := checkSize(cfg, format, opts.MaxPixels); err != nil {
		return nil, format, err
	}
	img, err := decodeFull(io.MultiReader(bytes.NewReader(head.Bytes()), rr), format, cfg, opts.Fit)
	if rr.err != nil {
		return nil, format, &ReadError{Err: rr.err}
	}
	if err != nil {
		return nil, format, &DecodeError{Format: format, Width: cfg.Width, Height: cfg.Height, Err: ErrDecode, Cause: err}
	}
	if opts.Orient && format == "jpeg" {
		if o, err := preprocess.ReadOrientation(head.Bytes()); err == nil {
			img = preprocess.Orient(img, o)
		}
	}
	return img, format, nil
}

// decodeFull decodes the whole stream r. Baseline JPEGs go through
// jpegscale (2–2.5× faster than image/jpeg at full size, within ±1 of its
// samples), at a reduced scale when fit allows it; other JPEGs through
// image/jpeg, other formats through image.Decode.
func decodeFull(r io.Reader, format string, cfg image.Config, fit Fitter) (image.Image, error) {
	if format != "jpeg" {
		img, _, err := image.Decode(r)
		return img, err
	}
	scale := fitScale(cfg, fit)
	// jpegscale reads the file from memory; a file far larger than any
	// JPEG of its size goes to image/jpeg, which streams it.
	limit := jpegLimit(cfg)
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return jpeg.Decode(io.MultiReader(bytes.NewReader(data), r))
	}
	return decodeJPEG(data, cfg, scale)
}

// jpegLimit is the most bytes a JPEG of cfg's size is read into memory for
// jpegscale: far more than any real JPEG of that size.
func jpegLimit(cfg image.Config) int64 { return 16*int64(cfg.Width)*int64(cfg.Height) + 1<<20 }

// decodeJPEG decodes the JPEG file data with jpegscale at 1/scale, or with
// image/jpeg when jpegscale does not read it.
func decodeJPEG(data []byte, cfg image.Config, scale int) (image.Image, error) {
	img, err := jpegscale.DecodeBytes(data, scale)
	switch {
	case err == nil && scale > 1:
		return &preprocess.Reduced{Image: img, Full: image.Pt(cfg.Width, cfg.Height)}, nil
	case err != nil:
		// Progressive and other JPEGs jpegscale does not read, and damaged
		// files that image/jpeg may still read: it has the last word.
		return jpeg.Decode(bytes.NewReader(data))
	}
	return img, nil
}

// reduction returns the largest DCT scale (8, 4, 2, else 1) at which a
// w×h JPEG stays at least need in both directions.
func reduction(w, h int, need image.Point) int {
	for _, s := range []int{8, 4, 2} {
		if (w+s-1)/s >= need.X && (h+s-1)/s >= need.Y {
			return s
		}
	}
	return 1
}

// checkSize refuses a header that announces an empty or too large image.
func checkSize(cfg image.Config, format string, maxPixels int64) error {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	e := &DecodeError{Format: format, Width: cfg.Width, Height: cfg.Height}
	switch {
	case cfg.Width <= 0 || cfg.Height <= 0:
		e.Err = ErrEmptyImage
	case cfg.Width > preprocess.MaxSide || cfg.Height > preprocess.MaxSide ||
		int64(cfg.Width)*int64(cfg.Height) > maxPixels:
		e.Err = ErrImageTooLarge
	default:
		return nil
	}
	return e
}
