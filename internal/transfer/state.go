package transfer

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// StateVersion is the version of the [State] format this package writes.
const StateVersion = 1

// State is the resume record kept as "state.json" in a partial directory,
// beside "data". It is rewritten (to a temp file renamed over it) every
// Options.CheckpointBytes of new data; the data file is synced every
// Options.SyncBytes, and Synced, Hashed and HashState claim only bytes that
// such a sync made durable.
type State struct {
	Version  int       `json:"version"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256,omitempty"` // expected sha256
	Source   string    `json:"source,omitempty"` // Request.SourceID
	ETag     string    `json:"etag,omitempty"`
	ModTime  time.Time `json:"modtime,omitzero"`
	PartSize int64     `json:"part_size"`
	// Done holds, for each part i (bytes [i*PartSize, min((i+1)*PartSize,
	// Size))), how many of its leading bytes were written: they survive
	// the death of the process, and are used while Boot is the current
	// boot (the page cache is intact).
	Done []int64 `json:"done"`
	// Synced is the same for bytes synced to disk: they survive a system
	// crash, and are used after a reboot.
	Synced []int64 `json:"synced"`
	// Boot is the system's boot id when the state was written; "" where
	// there is none.
	Boot string `json:"boot,omitempty"`
	// Hashed is the length of a synced prefix whose sha256 state is
	// HashState (crypto/sha256's MarshalBinary form).
	Hashed    int64     `json:"hashed"`
	HashState []byte    `json:"hash_state,omitempty"`
	Updated   time.Time `json:"updated"`
}

const (
	dataName  = "data"
	stateName = "state.json"
)

// readState reads the state in dir; nil when there is none or it is
// unreadable.
func readState(dir string) *State {
	b, err := os.ReadFile(filepath.Join(dir, stateName))
	if err != nil {
		return nil
	}
	var s State
	if json.Unmarshal(b, &s) != nil || s.Version != StateVersion {
		return nil
	}
	return &s
}

// writeState replaces the state in dir: written to a temp file, renamed
// over the old one.
func writeState(dir string, s *State) error {
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	tmp := filepath.Join(dir, stateName+".tmp")
	if err := os.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, stateName))
}

// valid reports whether s describes parts of a size-byte object.
func (s *State) valid(size int64) bool {
	n := numParts(size, s.PartSize)
	if s.Size != size || s.PartSize <= 0 || int64(len(s.Done)) != n || int64(len(s.Synced)) != n {
		return false
	}
	for i := range s.Done {
		l := partLen(size, s.PartSize, i)
		if s.Done[i] < 0 || s.Done[i] > l || s.Synced[i] < 0 || s.Synced[i] > s.Done[i] {
			return false
		}
	}
	return s.Hashed >= 0 && s.Hashed <= size
}

// usable returns the progress to continue from: Done within the boot that
// wrote it, Synced after a reboot (or where boots cannot be told apart).
func (s *State) usable() []int64 {
	if s.Boot != "" && s.Boot == bootID() {
		return s.Done
	}
	return s.Synced
}

// bootID returns an id of the current boot of the system; "" when unknown.
var bootID = sync.OnceValue(func() string {
	b, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
})

func numParts(size, partSize int64) int64 { return (size + partSize - 1) / partSize }

func partLen(size, partSize int64, i int) int64 {
	return min(partSize, size-int64(i)*partSize)
}
