package transfer

import (
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// PartialState classifies a partial download directory found on disk.
type PartialState int

// The states of a partial download directory.
const (
	NotPartial     PartialState = iota // not a partial download directory of this package
	PartialLive                        // a live download owns it
	PartialUnowned                     // released, or its owner is dead: resumable, and removable
	PartialTrash                       // being removed (a dead owner's, taken over); removable
)

// Classify tells what the directory at path, a base name starting with a
// destination's temporary prefix followed by "dl-", is: owned by a live
// download (in this process, another process of this host, or another
// host whose heartbeat is fresher than [DefaultStaleAfter]), or unowned.
func Classify(path string) PartialState {
	name := filepath.Base(path)
	if !atomicfile.IsTemp(name) {
		return NotPartial
	}
	i := strings.LastIndex(name, ".tmp-dl-")
	if i < 0 {
		return NotPartial
	}
	rest := name[i+len(".tmp-dl-"):]
	if strings.HasPrefix(rest, "rm-") {
		return PartialTrash
	}
	token, pid, host, ok := parseOwner(rest)
	if !ok {
		return NotPartial
	}
	if ownerAlive(path, token, pid, host, DefaultStaleAfter) {
		return PartialLive
	}
	return PartialUnowned
}
