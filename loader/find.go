package loader

import (
	"os"
	"path/filepath"
	"runtime"
)

// Version is the ONNX Runtime release that [InstallCommand] installs and
// that the binding is tested against.
const Version = "1.30.0"

// Environment variables read by [Find] and [InstallDir].
const (
	// EnvLibraryPath names the library file to use; when set, it is the
	// only candidate unless [FindOptions].Path is set.
	EnvLibraryPath = "ONNXRUNTIME_SHARED_LIBRARY_PATH"
	// EnvInstallDir overrides [InstallDir], for [InstallCommand] and
	// scripts/install-ort.sh too.
	EnvInstallDir = "MODELREG_ORT_DIR"
)

// FindOptions configures [Find]. A nil *FindOptions is the zero value.
type FindOptions struct {
	// Path names the library file. When set, it is the only candidate.
	Path string
	// Dirs are searched, in order, before the default directories.
	Dirs []string
}

// Find returns the path of an ONNX Runtime shared library, searching in the
// order the package documentation gives. It only looks at the file system
// (os.Stat); nothing is opened or loaded. When no candidate exists it
// returns a [*SearchError] that lists every path tried and wraps
// [ErrNotFound].
func Find(opts *FindOptions) (string, error) {
	if opts == nil {
		opts = &FindOptions{}
	}
	tried := candidates(opts)
	for _, p := range tried {
		if isFile(p) {
			return p, nil
		}
	}
	dir, err := InstallDir()
	return "", &SearchError{Tried: tried, InstallDir: dir, InstallDirErr: err}
}

// InstallDir returns the directory that [InstallCommand] (and
// scripts/install-ort.sh) installs the library into: $MODELREG_ORT_DIR when set, else
// <os.UserCacheDir()>/modelreg/onnxruntime/<Version>/<GOOS>-<GOARCH>
// (on Linux ${XDG_CACHE_HOME:-$HOME/.cache}/…, on macOS ~/Library/Caches/…).
func InstallDir() (string, error) {
	if d := os.Getenv(EnvInstallDir); d != "" {
		return d, nil
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(cache, "modelreg", "onnxruntime", Version, runtime.GOOS+"-"+runtime.GOARCH), nil
}

// candidates lists the files Find tries, in order.
func candidates(opts *FindOptions) []string {
	if opts.Path != "" {
		return []string{opts.Path}
	}
	if p := os.Getenv(EnvLibraryPath); p != "" {
		return []string{p}
	}
	dirs := append([]string(nil), opts.Dirs...)
	if exe, err := os.Executable(); err == nil {
		dirs = append(dirs, filepath.Dir(exe))
	}
	if d, err := InstallDir(); err == nil {
		dirs = append(dirs, d)
	}
	dirs = append(dirs, systemDirs()...)
	var out []string
	for _, d := range dirs {
		for _, n := range libraryNames {
			out = append(out, filepath.Join(d, n))
		}
	}
	return out
}

// envDirs splits a PATH-like environment variable, dropping empty entries.
func envDirs(name string) []string {
	var dirs []string
	for _, d := range filepath.SplitList(os.Getenv(name)) {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	return dirs
}

func isFile(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular()
}
