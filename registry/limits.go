package registry

import (
	"errors"
	"fmt"

	"github.com/modelreg/modelreg/internal/transfer"
)

// DefaultMaxDownloadSize is the default of [Options].MaxDownloadSize.
const DefaultMaxDownloadSize = 64 << 30

// ErrTooLarge reports a download, of a file whose manifest entry gives no
// size, larger than [Options].MaxDownloadSize.
var ErrTooLarge = errors.New("registry: download larger than the size limit")

// tooLarge returns the error for file, larger than limit: it names the
// limit and how to raise it.
func tooLarge(file string, limit, stated int64) error {
	what := "sent more than"
	if stated >= 0 {
		what = fmt.Sprintf("states a size of %d bytes, more than", stated)
	}
	return sentinelf(ErrTooLarge, "registry: %s: the source %s the %d-byte limit for a file whose manifest entry gives no size_bytes "+
		"(raise it with Options.MaxDownloadSize or models download --max-size)", file, what, limit)
}

// limitError converts the engine's size-limit error.
func limitError(w want, err error) (error, bool) {
	tl, ok := errors.AsType[*transfer.TooLargeError](err)
	if !ok {
		return nil, false
	}
	return tooLarge(w.name, tl.Limit, tl.Size), true
}
