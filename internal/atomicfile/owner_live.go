package atomicfile

import (
	"os"
	"strconv"
	"strings"
)

// OwnedByLive reports whether rest, the part of a temporary name after its
// [TempPrefix], starts with the [OwnerTag] of a process of this host that
// still runs (this process included). It is false for another host's tag or
// a name without one.
func OwnedByLive(rest string) bool {
	tag, ok := strings.CutPrefix(rest, "p")
	if !ok {
		return false
	}
	pidText, tag, ok1 := strings.Cut(tag, ".")
	host, _, ok2 := strings.Cut(tag, ".")
	pid, err := strconv.Atoi(pidText)
	if !ok1 || !ok2 || err != nil || pid <= 0 || host != hostHash() {
		return false
	}
	return pid == os.Getpid() || processAlive(pid)
}
