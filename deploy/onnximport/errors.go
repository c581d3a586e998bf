package onnximport

import (
	"errors"
	"fmt"

	"github.com/modelreg/modelreg/registry"
)

// Sentinel errors, tested with [errors.Is].
var (
	// ErrUndecided reports a model whose configuration cannot be inferred
	// without an option from the user.
	ErrUndecided = errors.New("onnximport: cannot infer the configuration")
	// ErrUnsupported reports a model that no detector configuration can
	// serve (several inputs, a non-float input, no image-shaped input).
	ErrUnsupported = errors.New("onnximport: unsupported model")
)

// Error reports why a model cannot be imported as it is. It wraps
// [ErrUndecided] or [ErrUnsupported], and [registry.ErrPermanent]:
// retrying cannot fix it.
type Error struct {
	// Field is what could not be decided: "decoder", "input size"…
	Field string
	// Option is the command-line flag (and [Options] field) that decides
	// it, e.g. "--decoder (Options.Decoder)"; "" when none can.
	Option string
	// Reason says what the model holds that leaves Field undecided or
	// unsupported.
	Reason string
	Err    error // ErrUndecided or ErrUnsupported
}

func (e *Error) Error() string {
	if e.Option == "" {
		return fmt.Sprintf("onnximport: %s: %s", e.Field, e.Reason)
	}
	return fmt.Sprintf("onnximport: cannot decide the %s: %s; give %s", e.Field, e.Reason, e.Option)
}

// Unwrap returns e.Err and [registry.ErrPermanent].
func (e *Error) Unwrap() []error { return []error{e.Err, registry.ErrPermanent} }

func undecided(field, option, format string, args ...any) error {
	return &Error{Field: field, Option: option, Reason: fmt.Sprintf(format, args...), Err: ErrUndecided}
}

func unsupported(field, format string, args ...any) error {
	return &Error{Field: field, Reason: fmt.Sprintf(format, args...), Err: ErrUnsupported}
}

// permanentError marks an error that retrying cannot fix without adding
// [registry.ErrPermanent]'s text to its message.
type permanentError struct{ err error }

func (e *permanentError) Error() string   { return e.err.Error() }
func (e *permanentError) Unwrap() []error { return []error{e.err, registry.ErrPermanent} }

func permanent(format string, args ...any) error {
	return &permanentError{fmt.Errorf(format, args...)}
}
