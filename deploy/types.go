package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
)

// Model is a loaded, runnable model. Concrete models add behaviour: a
// detector implements [detect.Detector].
type Model interface {
	Close() error
}

// File is one verified local file of a model.
type File struct {
	Path   string // absolute path of the local copy
	Size   int64  // expected size; -1 when the manifest gives none
	SHA256 string // expected sha256 in hex; "" when the manifest gives none
}

// Request is what a [Factory] receives: the resolved model, its merged
// deployment config and the caller's options.
type Request struct {
	// Name is the resolved model name, with its version ("yolox-nano-coco@1").
	Name string
	// Type is the deployment type the factory was registered under.
	Type string
	// Config is the manifest's default deployment config with the caller's
	// overrides merged in (caller keys win).
	Config json.RawMessage
	// Files are the model's local files, downloaded and verified; for a
	// single-file model, one entry.
	Files []File
	// Options are the caller's options, never nil.
	Options *Options
	// Logger is never nil.
	Logger *slog.Logger
	// CacheDir is a directory of this deployment type's own in the
	// caller's cache (Options.CacheDir), where the factory may keep what
	// it derives from the model's files to load faster next time; it may
	// not exist yet. "" when caching is off.
	CacheDir string

	reqs requirements
}

// Factory builds a model from a request. It must honour ctx while loading.
type Factory func(ctx context.Context, req *Request) (Model, error)

var (
	typesMu sync.RWMutex
	types   = map[string]Factory{}
)

// Register makes a deployment type available under name. Packages that
// implement a type call it from init, as image codecs and database/sql
// drivers do; the caller then blank-imports that package. It panics if f is
// nil or name is already registered.
func Register(name string, f Factory) {
	typesMu.Lock()
	defer typesMu.Unlock()
	if f == nil {
		panic("deploy: Register factory is nil")
	}
	if _, dup := types[name]; dup {
		panic("deploy: Register called twice for type " + name)
	}
	types[name] = f
}

// Types returns the sorted names of the registered deployment types.
func Types() []string {
	typesMu.RLock()
	defer typesMu.RUnlock()
	return slices.Sorted(maps.Keys(types))
}

// factory finds the factory for a deployment type, explaining misses.
func factory(typ string) (Factory, error) {
	typesMu.RLock()
	f, ok := types[typ]
	typesMu.RUnlock()
	if ok {
		return f, nil
	}
	if isForeignType(typ) {
		return nil, &TypeError{Type: typ, Err: ErrUnsupportedType}
	}
	return nil, &TypeError{Type: typ, Err: ErrUnknownType}
}

// foreignPrefixes are the Python packages whose deployment types ETA and
// FiftyOne manifests use (TensorFlow, PyTorch and friends): recognised, and
// refused with a clear message rather than "unknown".
var foreignPrefixes = []string{"eta.", "fiftyone."}

func isForeignType(typ string) bool {
	for _, p := range foreignPrefixes {
		if strings.HasPrefix(typ, p) {
			return true
		}
	}
	return false
}

// TypeError reports a deployment type that cannot be loaded. It wraps
// [ErrUnknownType] or [ErrUnsupportedType].
type TypeError struct {
	Type string
	Err  error
}

func (e *TypeError) Error() string {
	if e.Err == ErrUnsupportedType {
		return fmt.Sprintf("deploy: deployment type %q is a Python (ETA/FiftyOne) model class, not supported in this library: "+
			"export the model to ONNX and declare it as %q", e.Type, "onnxruntime/detector")
	}
	return fmt.Sprintf("deploy: unknown deployment type %q (forgotten import?); registered: %s",
		e.Type, strings.Join(Types(), ", "))
}

// Unwrap returns the sentinel.
func (e *TypeError) Unwrap() error { return e.Err }
