package detect

import (
	"errors"
	"io"
)

// readErrors records the first error of its reader other than io.EOF, so
// that [DecodeImage] can tell a stream that failed (an I/O error, a reader
// whose context ended) from bytes that are not a valid image: a codec
// reports both alike, and image.DecodeConfig even as "unknown format".
type readErrors struct {
	r   io.Reader
	err error
}

func (e *readErrors) Read(p []byte) (int, error) {
	n, err := e.r.Read(p)
	if err != nil && e.err == nil && !errors.Is(err, io.EOF) {
		e.err = err
	}
	return n, err
}

// ReadError reports a stream that [DecodeImage] could not read to the
// end, for a reason of the stream's own (an I/O error, a cancelled
// context): the image itself may be fine. It wraps the reader's error.
type ReadError struct {
	Err error
}

func (e *ReadError) Error() string { return "detect: reading image: " + e.Err.Error() }

// Unwrap returns the reader's error.
func (e *ReadError) Unwrap() error { return e.Err }
