//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package registry

import "os"

// removeIdleLock removes the lock file at path when no one holds its lock:
// it takes the lock without waiting and removes the file while holding it,
// which the lock protocol allows (a waiter on the removed file retries on a
// new one; see lockFile). With dryRun it only tests the lock. It reports
// whether the lock was idle.
func removeIdleLock(path string, dryRun bool) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return os.IsNotExist(err)
	}
	defer f.Close()
	if tryLock(f) != nil {
		return false
	}
	defer unlockFile(f)
	if !lockedIsCurrent(f, path) {
		return false
	}
	if dryRun {
		return true
	}
	return os.Remove(path) == nil
}
