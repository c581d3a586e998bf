package detect

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // DecodeImage reads JPEG files
	_ "image/png"  // and PNG files
	"io"

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
// than opts.MaxPixels or with a side over preprocess.MaxSide. Errors are
// [*DecodeError]s; test them with errors.Is against [ErrImageTooLarge],
// [ErrEmptyImage] and [ErrDecode].
func DecodeImage(r io.Reader, opts *DecodeOptions) (image.Image, string, error) {
	if opts == nil {
		opts = &DecodeOptions{}
	}
	var head bytes.Buffer
	cfg, format, err := image.DecodeConfig(io.TeeReader(r, &head))
	if err != nil {
		return nil, format, &DecodeError{Format: format, Err: ErrDecode, Cause: err}
	}
	if err := checkSize(cfg, format, opts.MaxPixels); err != nil {
		return nil, format, err
	}
	img, _, err := image.Decode(io.MultiReader(bytes.NewReader(head.Bytes()), r))
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
