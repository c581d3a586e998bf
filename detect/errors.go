package detect

import (
	"errors"
	"fmt"
	"strings"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// Sentinel errors, tested with [errors.Is].
var (
	// ErrEmptyImage reports a nil image or one with no pixels.
	ErrEmptyImage = preprocess.ErrEmptyImage
	// ErrImageTooLarge reports an image with a side over preprocess.MaxSide.
	ErrImageTooLarge = preprocess.ErrImageTooLarge
	// ErrInvalidConfig reports a configuration that cannot be used.
	ErrInvalidConfig = errors.New("detect: invalid config")
	// ErrShape reports model inputs or outputs that do not match the
	// configuration.
	ErrShape = errors.New("detect: unexpected tensor shape")
)

// ConfigError reports an invalid configuration field. It wraps
// [ErrInvalidConfig].
type ConfigError struct {
	Field  string // JSON path, e.g. "nms_iou" or "input.std"
	Reason string
}

func (e *ConfigError) Error() string {
	return fmt.Sprintf("detect: invalid config: %s: %s", e.Field, e.Reason)
}

// Unwrap returns [ErrInvalidConfig].
func (e *ConfigError) Unwrap() error { return ErrInvalidConfig }

// ShapeError reports a tensor whose shape differs from what the pipeline
// expects. It wraps [ErrShape].
type ShapeError struct {
	Decoder string  // decoder kind, or "input" for the model input
	Tensor  string  // tensor name, or a description when it is missing
	Got     []int64 // nil when the tensor is missing
	Want    string  // the expectation, e.g. "[1,N,85] with N = 3549 for input 416x416 and strides [8 16 32]"
	// Hint, when set by [Pipeline.Check], names the decoders the outputs
	// do fit or, when none does, what each expects.
	Hint string
}

func (e *ShapeError) Error() string {
	who, what := "detect: "+e.Decoder+" decoder", "output"
	if e.Decoder == "input" {
		who, what = "detect: model input", "input"
	}
	hint := ""
	if e.Hint != "" {
		hint = " (" + e.Hint + ")"
	}
	if e.Got == nil {
		return fmt.Sprintf("%s: %s, want %s%s", who, e.Tensor, e.Want, hint)
	}
	return fmt.Sprintf("%s: %s %q has shape %s, want %s%s", who, what, e.Tensor, FormatShape(e.Got), e.Want, hint)
}

// Unwrap returns [ErrShape].
func (e *ShapeError) Unwrap() error { return ErrShape }

// FormatShape formats a shape as "[1,3549,85]"; -1 (dynamic) prints as "?".
func FormatShape(s []int64) string {
	var b strings.Builder
	b.WriteByte('[')
	for i, d := range s {
		if i > 0 {
			b.WriteByte(',')
		}
		if d < 0 {
			b.WriteByte('?')
		} else {
			fmt.Fprint(&b, d)
		}
	}
	b.WriteByte(']')
	return b.String()
}
