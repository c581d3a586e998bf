package loader

import (
	"errors"
	"fmt"
	"strings"
)

// InstallCommand is the command that installs the ONNX Runtime library
// where [Find] looks for it ([InstallDir]). It works from any module; see
// package [github.com/modelreg/modelreg/loader/install] for the API behind it.
const InstallCommand = "go run github.com/modelreg/modelreg/cmd/models@latest runtime install"

// ErrNotFound is wrapped by errors that report a missing ONNX Runtime library.
var ErrNotFound = errors.New("loader: onnxruntime library not found")

// ErrOpen is wrapped by errors that report a file that could not be loaded as
// an ONNX Runtime library.
var ErrOpen = errors.New("loader: cannot load onnxruntime library")

// ErrVersion is wrapped by errors that report a library too old for the
// binding.
var ErrVersion = errors.New("loader: onnxruntime library too old")

// SearchError reports a failed [Find]. It lists every path tried, in order,
// and wraps [ErrNotFound].
type SearchError struct {
	Tried []string // candidate files, in the order they were tried
	// InstallDir is where [InstallCommand] puts the library, or "" when
	// there is none (InstallDirErr says why).
	InstallDir    string
	InstallDirErr error
}

// Error lists the paths tried, names the install directory and says how to
// install the library.
func (e *SearchError) Error() string {
	where := "into " + e.InstallDir
	if e.InstallDir == "" {
		where = fmt.Sprintf("with --dir DIR (no default install directory: %v)", e.InstallDirErr)
	}
	return fmt.Sprintf("%v (tried %s); install it %s with `%s`, or set %s to the library file",
		ErrNotFound, strings.Join(e.Tried, ", "), where, InstallCommand, EnvLibraryPath)
}

// Unwrap returns [ErrNotFound].
func (e *SearchError) Unwrap() error { return ErrNotFound }

// OpenError reports a file that could not be loaded as an ONNX Runtime
// library. It wraps both [ErrOpen] and the cause (for a missing file, an error
// for which errors.Is(err, fs.ErrNotExist) holds).
type OpenError struct {
	Path string // the file
	Err  error  // the cause
}

// Error names the file and the cause.
func (e *OpenError) Error() string {
	return fmt.Sprintf("loader: cannot load onnxruntime library %s: %v", e.Path, e.Err)
}

// Unwrap returns [ErrOpen] and the cause.
func (e *OpenError) Unwrap() []error { return []error{ErrOpen, e.Err} }

// VersionError reports a library older than the binding needs. It wraps
// [ErrVersion].
type VersionError struct {
	Path    string // the library file
	Version string // the library's version string, e.g. "1.16.3"
	Want    int    // the minimum OrtApi version, MinAPIVersion
}

// Error names both versions and says how to install a new library.
func (e *VersionError) Error() string {
	return fmt.Sprintf("loader: onnxruntime %s at %s is too old: need API version %d (onnxruntime >= 1.%d); install %s with %s",
		e.Version, e.Path, e.Want, e.Want, Version, InstallCommand)
}

// Unwrap returns [ErrVersion].
func (e *VersionError) Unwrap() error { return ErrVersion }
