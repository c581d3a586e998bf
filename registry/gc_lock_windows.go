//go:build windows

package registry

import "os"

// removeIdleLock removes the lock file at path when no one holds its lock.
// Windows refuses to remove a file that any handle holds open (Go opens
// files without FILE_SHARE_DELETE), so it tests the lock, closes the file
// and then removes it: the removal fails, harmlessly, when another caller
// opened it meanwhile. With dryRun it only tests the lock. It reports
// whether the lock was idle.
func removeIdleLock(path string, dryRun bool) bool {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return os.IsNotExist(err)
	}
	if tryLock(f) != nil {
		f.Close()
		return false
	}
	unlockFile(f)
	f.Close()
	if dryRun {
		return true
	}
	return os.Remove(path) == nil
}
