// Package stamp records, beside a file, that its sha256 was verified, so that
// a later load can skip re-hashing a file that has not changed since. A stamp
// is ".<base>.sha256" in the file's directory and holds the digest with the
// size, modification time and inode the file had when it was hashed; any
// change to the file invalidates it. Stamps are an optimisation only: a
// missing, stale or unwritable stamp means "hash again", never "trust".
package stamp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

type record struct {
	SHA256  string `json:"sha256"`
	Size    int64  `json:"size"`
	ModTime int64  `json:"mtime_ns"`
	Ino     uint64 `json:"ino,omitempty"`
}

// Path returns the stamp path for file.
func Path(file string) string {
	return filepath.Join(filepath.Dir(file), "."+filepath.Base(file)+".sha256")
}

// Write records that file, as it is now, has the given sha256 (hex). It is
// best effort: the error is for logging only.
func Write(file, sha256 string) error {
	rec, err := current(file)
	if err != nil {
		return err
	}
	rec.SHA256 = strings.ToLower(sha256)
	data, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return atomicfile.WriteFile(Path(file), data, 0o644)
}

// Valid reports whether file has a stamp for sha256 (hex) that still matches
// the file's size, modification time and inode.
func Valid(file, sha256 string) bool {
	data, err := os.ReadFile(Path(file))
	if err != nil {
		return false
	}
	var rec record
	if json.Unmarshal(data, &rec) != nil {
		return false
	}
	now, err := current(file)
	if err != nil {
		return false
	}
	now.SHA256 = strings.ToLower(sha256)
	return rec == now
}

// Remove deletes file's stamp, if any.
func Remove(file string) error {
	err := os.Remove(Path(file))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

func current(file string) (record, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return record{}, err
	}
	return record{Size: fi.Size(), ModTime: fi.ModTime().UnixNano(), Ino: inode(fi)}, nil
}

// IsStamp reports whether name (a base name) is a stamp file.
func IsStamp(name string) bool {
	return strings.HasPrefix(name, ".") && strings.HasSuffix(name, ".sha256") && len(name) > len("..sha256")
}
