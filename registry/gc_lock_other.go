//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly || windows)

package registry

// removeIdleLock never removes a lock file where file locks are
// unavailable: no lock can be tested there (and lockFile creates none).
func removeIdleLock(path string, dryRun bool) bool { return false }
