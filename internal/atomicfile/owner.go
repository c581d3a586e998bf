package atomicfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// OwnerTag returns the part of a temporary name that identifies the process
// creating it: "p<pid>.<host hash>.". [New] puts it after [TempPrefix], and
// other writers of temporary files or directories may do the same, so that
// [Orphaned] can tell the leftovers of a dead process.
func OwnerTag() string {
	return fmt.Sprintf("p%d.%s.", os.Getpid(), hostHash())
}

// Orphaned reports whether rest, the part of a temporary name after its
// [TempPrefix], starts with the [OwnerTag] of a process of this host that no
// longer exists. It is false when that cannot be known (another host, no
// tag, a process that may still run).
func Orphaned(rest string) bool {
	tag, ok := strings.CutPrefix(rest, "p")
	if !ok {
		return false
	}
	pidText, tag, ok1 := strings.Cut(tag, ".")
	host, _, ok2 := strings.Cut(tag, ".")
	pid, err := strconv.Atoi(pidText)
	if !ok1 || !ok2 || err != nil || pid <= 0 || host != hostHash() || pid == os.Getpid() {
		return false
	}
	return !processAlive(pid)
}

// hostHash is a short hash of the host name: host names may hold any
// character, and the tag must parse.
var hostHash = sync.OnceValue(func() string {
	h, _ := os.Hostname()
	sum := sha256.Sum256([]byte(h))
	return hex.EncodeToString(sum[:4])
})

// RemoveOrphans removes the temporary files of dst left by processes of
// this host that no longer exist (a writer killed before [File.Commit] or
// [File.Abort]) and returns how many it removed. Temporary files of live
// processes, of other hosts and without an owner tag are kept.
func RemoveOrphans(dst string) int {
	prefix := TempPrefix(dst)
	entries, err := os.ReadDir(filepath.Dir(dst))
	if err != nil {
		return 0
	}
	n := 0
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), prefix)
		if ok && e.Type().IsRegular() && Orphaned(rest) && os.Remove(filepath.Join(filepath.Dir(dst), e.Name())) == nil {
			n++
		}
	}
	return n
}
