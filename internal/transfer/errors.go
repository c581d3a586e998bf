package transfer

import (
	"errors"
	"fmt"
	"net"
	"os"
	"syscall"
)

var (
	// ErrRangesUnsupported is wrapped by a [Source]'s ReadRange error when
	// the source cannot read ranges after all (a server that ignores them);
	// Fetch then falls back to one stream.
	ErrRangesUnsupported = errors.New("transfer: source cannot read ranges")
	// ErrNoSpace reports too little free space for the object. It wraps
	// syscall.ENOSPC.
	ErrNoSpace = fmt.Errorf("transfer: not enough free space: %w", syscall.ENOSPC)
	// ErrOwnerLost reports that another process took the partial download
	// over, having judged this one dead.
	ErrOwnerLost = errors.New("transfer: partial download taken over by another process")
	// errStalled cancels an attempt that received no byte for too long.
	errStalled = errors.New("transfer: stalled")
)

// ErrTooLarge is wrapped by a [TooLargeError].
var ErrTooLarge = errors.New("transfer: object larger than the size limit")

// TooLargeError reports an object of unknown expected size that is larger
// than [Options.MaxSize]: its stated size, or the bytes it sent before
// Fetch gave up. It wraps [ErrTooLarge] and is permanent.
type TooLargeError struct {
	Limit int64 // Options.MaxSize
	Size  int64 // the size the source states, or -1 when it sent too many bytes
}

func (e *TooLargeError) Error() string {
	if e.Size >= 0 {
		return fmt.Sprintf("transfer: the source states a size of %d bytes, more than the %d-byte limit", e.Size, e.Limit)
	}
	return fmt.Sprintf("transfer: the source sent more than the %d-byte limit", e.Limit)
}

// Unwrap returns [ErrTooLarge].
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// MismatchError reports an object whose size or sha256 differs from the
// expected one.
type MismatchError struct {
	WantSize int64  // -1 when unknown
	GotSize  int64  // -1 when not known
	Want     string // expected sha256, lower-case hex; "" when unknown
	Got      string // sha256 of the bytes received; "" when not computed
	// Announced is true when Got is the sha256 the source announced
	// ([Info].SHA256) rather than one computed from bytes received.
	Announced bool
}

func (e *MismatchError) Error() string {
	if e.WantSize >= 0 && e.WantSize != e.GotSize {
		return fmt.Sprintf("transfer: size %d, want %d", e.GotSize, e.WantSize)
	}
	if e.Announced {
		return fmt.Sprintf("transfer: the source announces sha256 %s, want %s", e.Got, e.Want)
	}
	return fmt.Sprintf("transfer: sha256 %s, want %s", e.Got, e.Want)
}

// permanentError marks an error that retrying cannot help.
type permanentError struct{ err error }

func (e *permanentError) Error() string { return e.err.Error() }
func (e *permanentError) Unwrap() error { return e.err }

// Permanent marks err as not worth retrying; nil stays nil. Sources use it
// for a missing object or refused credentials.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether retrying err cannot help: it was marked with
// [Permanent], is a [MismatchError], reports a full disk or a permission
// problem, or carries a Temporary method that reports false (other than a
// net.Error's, whose Temporary is unreliable).
func IsPermanent(err error) bool {
	if _, ok := errors.AsType[*permanentError](err); ok {
		return true
	}
	if _, ok := errors.AsType[*MismatchError](err); ok {
		return true
	}
	if errors.Is(err, ErrTooLarge) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, os.ErrPermission) {
		return true
	}
	if t, ok := errors.AsType[interface {
		error
		Temporary() bool
	}](err); ok {
		if _, isNet := t.(net.Error); !isNet {
			return !t.Temporary()
		}
	}
	return false
}
