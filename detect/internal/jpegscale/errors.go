package jpegscale

import (
	"errors"
	"fmt"
	"io"
)

// ErrUnsupported reports a valid JPEG file that this package does not
// decode: progressive, arithmetic-coded, lossless or hierarchical files,
// 12-bit samples, 2- or 4-component (CMYK, YCCK) files, RGB files, a height
// defined by a DNL marker and sampling factors that [image.YCbCr] cannot
// represent. Callers fall back to image/jpeg when errors.Is(err,
// ErrUnsupported).
var ErrUnsupported = errors.New("jpegscale: unsupported JPEG")

// FormatError reports corrupt or invalid JPEG data. Its text describes the
// problem.
type FormatError string

func (e FormatError) Error() string { return "jpegscale: invalid JPEG: " + string(e) }

// maxSide is the longest image side, in pixels, that Decode accepts.
const maxSide = 32768

// errTruncated reports data that ends too early; it wraps
// io.ErrUnexpectedEOF.
var errTruncated = fmt.Errorf("jpegscale: truncated data: %w", io.ErrUnexpectedEOF)

// unsupported returns an error wrapping ErrUnsupported that names what.
func unsupported(what string) error {
	return fmt.Errorf("%w: %s", ErrUnsupported, what)
}
