package install

import (
	"errors"
	"fmt"
)

// ErrChecksum is wrapped by errors that report a download or a library file
// whose sha256 is not the pinned one. Nothing is installed.
var ErrChecksum = errors.New("install: sha256 mismatch")

// ErrUnsafeArchive is wrapped by errors that report a tarball with an entry
// that could write outside the directory it unpacks into: an absolute path,
// a ".." element, or a link whose target leaves the archive.
var ErrUnsafeArchive = errors.New("install: unsafe tarball entry")

// ErrTooLarge is wrapped by errors that report a download or a library file
// over the size limit of [Options].
var ErrTooLarge = errors.New("install: over the size limit")

// ErrNoLibrary is wrapped by errors that report a tarball without the
// library files wanted.
var ErrNoLibrary = errors.New("install: no onnxruntime library in tarball")

// ErrNoGPUBuild is wrapped by errors that report a GPU install for which the
// chosen source has no GPU build (npm's onnxruntime-node has none for
// Linux). Use an official GPU release tarball with [Options].URL and
// [Options].SHA256.
var ErrNoGPUBuild = errors.New("install: no GPU build from this source")

// ErrNoPin is wrapped by errors that report an install whose bytes could
// not be checked: an [Options].URL, or a version or platform without a
// pinned sha256, given without [Options].SHA256.
var ErrNoPin = errors.New("install: no sha256 to check the download against")

// ChecksumError reports bytes whose sha256 is not the pinned one. It wraps
// [ErrChecksum].
type ChecksumError struct {
	What string // the tarball's URL, or a member's name
	Got  string // hex sha256 of the bytes received
	Want string // the pinned hex sha256
}

// Error names the file and both digests.
func (e *ChecksumError) Error() string {
	return fmt.Sprintf("install: sha256 mismatch for %s: got %s, want %s; nothing was installed", e.What, e.Got, e.Want)
}

// Unwrap returns [ErrChecksum].
func (e *ChecksumError) Unwrap() error { return ErrChecksum }

// ArchiveError reports an unsafe tarball entry. It wraps [ErrUnsafeArchive].
type ArchiveError struct {
	Name   string // the entry's name as the tarball spells it
	Reason string // what is wrong with it
}

// Error names the entry and the reason.
func (e *ArchiveError) Error() string {
	return fmt.Sprintf("install: refusing tarball: entry %q %s; nothing was installed", e.Name, e.Reason)
}

// Unwrap returns [ErrUnsafeArchive].
func (e *ArchiveError) Unwrap() error { return ErrUnsafeArchive }

// SizeError reports a download or member over a size limit. It wraps
// [ErrTooLarge].
type SizeError struct {
	What   string // the tarball's URL, or a member's name
	Limit  int64  // the limit in bytes
	Option string // the option that sets it
}

// Error names the file, the limit and the option that raises it.
func (e *SizeError) Error() string {
	return fmt.Sprintf("install: %s is over %d bytes (raise install.Options.%s); nothing was installed", e.What, e.Limit, e.Option)
}

// Unwrap returns [ErrTooLarge].
func (e *SizeError) Unwrap() error { return ErrTooLarge }
