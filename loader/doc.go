// Package loader finds and opens the ONNX Runtime shared library at run time,
// without cgo.
//
// [Find] searches for the library and returns its path without opening
// anything; [Open] loads a library with purego (dlopen on Unix, LoadLibrary on
// Windows), checks its version and returns a [*Library] holding the OrtApi
// function table that package [github.com/modelreg/modelreg/loader/ort] binds.
// [Load] does both.
//
// # Installing the library
//
// From any module, with nothing but Go:
//
//	go run github.com/modelreg/modelreg/cmd/models@latest runtime install
//
// downloads ONNX Runtime [Version] (npm's onnxruntime-node tarball, pinned by
// sha256; --url and --sha256 take an official release tarball instead,
// --gpu a GPU build) and puts the library into [InstallDir], where [Find]
// looks for it; a second run is a no-op. Package
// [github.com/modelreg/modelreg/loader/install] is the API behind it, and
// `models doctor` reports which library [Find] picks and what it offers.
// Inside the repository, scripts/install-ort.sh does the same with npm and
// tar. Set MODELREG_ORT_DIR to use another directory, or
// ONNXRUNTIME_SHARED_LIBRARY_PATH to name a library file directly (for a
// static binary shipped with its library, see docs/runtime.md).
//
// # Search order
//
// [Find] tries, in this order: [FindOptions].Path; the file named by
// ONNXRUNTIME_SHARED_LIBRARY_PATH; [FindOptions].Dirs; the directory of the
// running executable; [InstallDir]; and finally system locations
// (LD_LIBRARY_PATH, /usr/local/lib, /usr/lib, … on Linux; DYLD_LIBRARY_PATH,
// /opt/homebrew/lib, /usr/local/lib on macOS; PATH on Windows). An explicit
// path, from the options or the environment, is the only candidate when set.
//
// # Errors
//
// A failed search returns a [*SearchError] that lists every path tried,
// names the install directory and the command that fills it
// ([InstallCommand]), and wraps [ErrNotFound]. A file that
// cannot be loaded gives an [*OpenError] (wrapping [ErrOpen]); a library too old
// for the binding gives a [*VersionError] (wrapping [ErrVersion]).
//
// # Lifetime
//
// Nothing happens in init. Opening the same path twice returns the same
// [*Library]: the package keeps one process-wide handle per path, and a loaded
// library is never unloaded (ONNX Runtime does not support being unloaded while
// its thread pools exist).
package loader
