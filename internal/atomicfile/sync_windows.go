//go:build windows

package atomicfile

// SyncDir does nothing on Windows, where directories cannot be synced.
func SyncDir(dir string) error { return nil }
