package digest

import (
	"errors"
	"fmt"
)

// ErrCorrupt reports bytes whose size or sha256 differs from the manifest,
// or content that is not a model (an HTML error page, say).
var ErrCorrupt = errors.New("registry: corrupt data")

// Error reports bytes that do not match what the manifest promises. It wraps
// [ErrCorrupt].
type Error struct {
	Path     string // file or key that was checked
	WantSize int64  // -1 when the manifest gives no size
	GotSize  int64
	Want     string // expected sha256, lower-case hex; "" when unknown
	Got      string // actual sha256; "" when not computed
}

func (e *Error) Error() string {
	if e.WantSize >= 0 && e.WantSize != e.GotSize {
		return fmt.Sprintf("registry: %s: size %d, want %d", e.Path, e.GotSize, e.WantSize)
	}
	return fmt.Sprintf("registry: %s: sha256 %s, want %s", e.Path, e.Got, e.Want)
}

// Unwrap returns [ErrCorrupt].
func (e *Error) Unwrap() error { return ErrCorrupt }
