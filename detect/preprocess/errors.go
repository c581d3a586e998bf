package preprocess

import (
	"errors"
	"fmt"
)

// Sentinel errors, tested with [errors.Is].
var (
	// ErrEmptyImage reports a nil image or one with no pixels.
	ErrEmptyImage = errors.New("preprocess: empty image")
	// ErrImageTooLarge reports an image with a side longer than [MaxSide].
	ErrImageTooLarge = errors.New("preprocess: image too large")
	// ErrShortBuffer reports a destination tensor shorter than [Preprocessor.Len].
	ErrShortBuffer = errors.New("preprocess: destination buffer too short")
	// ErrInvalidOptions reports [Options] that cannot be used.
	ErrInvalidOptions = errors.New("preprocess: invalid options")
	// ErrNotJPEG reports bytes that do not start like a JPEG file.
	ErrNotJPEG = errors.New("preprocess: not a JPEG file")
	// ErrBadExif reports a malformed EXIF segment.
	ErrBadExif = errors.New("preprocess: malformed EXIF data")
)

// MaxSide is the longest image side accepted, in pixels.
const MaxSide = 1 << 16

// MaxInputSide is the longest tensor side ([Options] Width and Height).
const MaxInputSide = 4096

// ImageError reports an image that cannot be pre-processed. It wraps
// [ErrEmptyImage] or [ErrImageTooLarge].
type ImageError struct {
	Width, Height int
	Err           error
}

func (e *ImageError) Error() string {
	return fmt.Sprintf("%v: %dx%d", e.Err, e.Width, e.Height)
}

// Unwrap returns the sentinel that describes the problem.
func (e *ImageError) Unwrap() error { return e.Err }

// OptionError reports an invalid field of [Options]. It wraps
// [ErrInvalidOptions].
type OptionError struct {
	Field  string // JSON name, e.g. "pad_value"
	Reason string
}

func (e *OptionError) Error() string {
	return fmt.Sprintf("preprocess: invalid options: %s: %s", e.Field, e.Reason)
}

// Unwrap returns [ErrInvalidOptions].
func (e *OptionError) Unwrap() error { return ErrInvalidOptions }
