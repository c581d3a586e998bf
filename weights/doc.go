// Package weights holds a model's bytes in memory for a runtime to load:
// a read-only memory map on unix (no cgo: the syscall package), a plain read
// elsewhere.
//
// [Open] checks the file against what the manifest promises before anyone
// can use the bytes: the size always, and the sha256 when asked to, or when
// the file has changed since it was last verified (a small stamp file beside
// the model records the last verification; see [Options.Verify]). A file
// damaged after download is therefore refused instead of being fed to the
// runtime.
//
// # Errors
//
// A size or digest mismatch returns a [*digest.Error] (registry.DigestError), which wraps
// [ErrCorrupt] (the same value as [digest.ErrCorrupt] and registry.ErrCorrupt). A missing file
// returns an error wrapping [fs.ErrNotExist].
package weights
