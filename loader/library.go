package loader

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// OrtApi versions. The binding in package ort uses only functions present in
// MinAPIVersion; newer ones (up to MaxAPIVersion, the version of the
// onnxruntime_c_api.h its slot table was computed from) are used when the
// library has them.
const (
	MinAPIVersion = 17 // ONNX Runtime 1.17
	MaxAPIVersion = 24 // ONNX Runtime 1.24 headers; the OrtApi table is append-only
)

// Library is a loaded ONNX Runtime shared library. It is safe for concurrent
// use. A Library is never unloaded.
type Library struct {
	path       string
	handle     uintptr
	api        unsafe.Pointer
	apiVersion int
	version    string
}

// Path returns the absolute path the library was loaded from.
func (l *Library) Path() string { return l.path }

// Version returns the library's version string, e.g. "1.30.0".
func (l *Library) Version() string { return l.version }

// APIVersion returns the OrtApi version of the table returned by [Library.API]:
// the library's own API version capped at [MaxAPIVersion].
func (l *Library) APIVersion() int { return l.apiVersion }

// API returns the library's OrtApi function table (const OrtApi*). It is
// meant for bindings such as package ort; the table stays valid for the life
// of the process.
func (l *Library) API() unsafe.Pointer { return l.api }

// Lookup returns the address of an exported symbol.
func (l *Library) Lookup(symbol string) (uintptr, error) { return dlsym(l.handle, symbol) }

// opened is the process-wide table of loaded libraries, keyed by absolute path.
var opened = struct {
	sync.Mutex
	m map[string]*Library
}{m: map[string]*Library{}}

// Load finds the library with [Find] and opens it with [Open].
func Load(opts *FindOptions) (*Library, error) {
	path, err := Find(opts)
	if err != nil {
		return nil, err
	}
	return Open(path)
}

// Open loads the ONNX Runtime library at path and fetches its OrtApi table:
// OrtGetApiBase, then GetVersionString, then GetApi(N) with N the library's
// API version capped at [MaxAPIVersion]. Opening a path again returns the same
// *Library. Errors are an [*OpenError] (not a loadable ONNX Runtime library)
// or a [*VersionError] (older than [MinAPIVersion]).
func Open(path string) (*Library, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	opened.Lock()
	defer opened.Unlock()
	if l := opened.m[abs]; l != nil {
		return l, nil
	}
	l, err := open(abs)
	if err != nil {
		return nil, err
	}
	opened.m[abs] = l
	return l, nil
}

func open(path string) (*Library, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	h, err := dlopen(path)
	if err != nil {
		return nil, &OpenError{Path: path, Err: err}
	}
	l, err := initLibrary(path, h)
	if err != nil {
		dlclose(h)
		return nil, err
	}
	return l, nil
}

// initLibrary reads the OrtApiBase of a freshly loaded library.
func initLibrary(path string, h uintptr) (*Library, error) {
	getBase, err := dlsym(h, "OrtGetApiBase")
	if err != nil {
		return nil, &OpenError{Path: path, Err: fmt.Errorf("not an onnxruntime library: %w", err)}
	}
	base, _, _ := purego.SyscallN(getBase)
	if base == 0 {
		return nil, &OpenError{Path: path, Err: fmt.Errorf("OrtGetApiBase returned NULL")}
	}
	// struct OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
	fns := (*apiBase)(ptr(base))
	vs, _, _ := purego.SyscallN(fns.getVersionString)
	version := goString(vs)
	minor := apiVersionOf(version)
	if minor < MinAPIVersion {
		return nil, &VersionError{Path: path, Version: version, Want: MinAPIVersion}
	}
	n := min(minor, MaxAPIVersion)
	api, _, _ := purego.SyscallN(fns.getAPI, uintptr(n))
	if api == 0 {
		return nil, &VersionError{Path: path, Version: version, Want: MinAPIVersion}
	}
	return &Library{path: path, handle: h, api: ptr(api), apiVersion: n, version: version}, nil
}

// apiBase mirrors struct OrtApiBase.
type apiBase struct {
	getAPI           uintptr
	getVersionString uintptr
}

// apiVersionOf returns the OrtApi version of an ONNX Runtime version string
// "1.N.x", which is N, or 0 when the string is not of that form.
func apiVersionOf(version string) int {
	parts := strings.Split(version, ".")
	if len(parts) < 2 || parts[0] != "1" {
		return 0
	}
	n, err := strconv.Atoi(parts[1])
	if err != nil {
		return 0
	}
	return n
}

// ptr converts an address returned by C into an unsafe.Pointer. The memory
// it points to is not managed by Go.
func ptr(u uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&u)) }

// goString copies a NUL-terminated C string.
func goString(p uintptr) string {
	if p == 0 {
		return ""
	}
	b := (*byte)(ptr(p))
	n := 0
	for *(*byte)(unsafe.Add(unsafe.Pointer(b), n)) != 0 {
		n++
	}
	return string(unsafe.Slice(b, n))
}
