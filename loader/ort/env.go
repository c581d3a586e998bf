package ort

import (
	"log/slog"
	"sync"
	"unsafe"

	"github.com/modelreg/modelreg/loader"
)

// LogLevel is the minimum severity of ONNX Runtime's own log messages. The
// zero value is [LogError].
type LogLevel int

// Log levels, least severe first.
const (
	LogDefault LogLevel = iota // LogError
	LogVerbose
	LogInfo
	LogWarning
	LogError
	LogFatal
)

// ort returns the OrtLoggingLevel.
func (l LogLevel) ort() uintptr {
	if l <= LogDefault || l > LogFatal {
		return 3 // ORT_LOGGING_LEVEL_ERROR
	}
	return uintptr(l - LogVerbose)
}

// slogLevels maps OrtLoggingLevel (VERBOSE..FATAL) to slog levels.
var slogLevels = [...]slog.Level{slog.LevelDebug - 4, slog.LevelDebug, slog.LevelWarn, slog.LevelError, slog.LevelError + 4}

// EnvOptions configures [NewEnv]. A nil *EnvOptions is the zero value.
type EnvOptions struct {
	// LogLevel is the minimum severity ONNX Runtime logs; zero means LogError,
	// which keeps initializer warnings quiet.
	LogLevel LogLevel
	// Logger receives ONNX Runtime's messages, with attributes "category",
	// "logid" and "location"; ONNX Runtime's verbose, info, warning, error
	// and fatal become slog levels Debug-4, Debug, Warn, Error and Error+4.
	// Nil means ONNX Runtime prints to stderr. ONNX Runtime keeps the
	// logging settings of the Env that created its environment (see [Env]).
	Logger *slog.Logger
	// LogID names the environment in log messages; "" means "modelreg".
	LogID string
}

// Env is an ONNX Runtime environment (OrtEnv). Sessions are created from an
// Env, which must stay open until they are closed. ONNX Runtime has one
// environment per library and process: an Env created while another is
// open shares it, and ONNX Runtime keeps the logging settings (level,
// Logger) of the first until every Env sharing it is closed. Envs cost
// nothing that is not freed by Close, so a process may create and close
// any number of them (see the package documentation).
type Env struct {
	api    *api
	handle uintptr
	logger *slog.Logger

	mu     sync.Mutex
	closed bool
}

// NewEnv creates an environment in lib.
func NewEnv(lib *loader.Library, opts *EnvOptions) (*Env, error) {
	if opts == nil {
		opts = &EnvOptions{}
	}
	a := newAPI(lib)
	id := opts.LogID
	if id == "" {
		id = "modelreg"
	}
	h, err := acquireEnv(a, opts.LogLevel, opts.Logger, id)
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Env{api: a, handle: h, logger: logger}, nil
}

// Library returns the library the environment was created in.
func (e *Env) Library() *loader.Library { return e.api.lib }

// BuildInfo returns ONNX Runtime's build information string.
func (e *Env) BuildInfo() string {
	return goString(e.api.callVoid(slotGetBuildInfoString))
}

// AvailableProviders returns the execution providers compiled into the
// library, e.g. ["CUDAExecutionProvider", "CPUExecutionProvider"]. A listed
// provider may still fail to load (for example without its CUDA libraries).
func (e *Env) AvailableProviders() ([]string, error) {
	var list uintptr
	var n int32
	err := e.api.call("GetAvailableProviders", slotGetAvailableProviders,
		uintptr(unsafe.Pointer(&list)), uintptr(unsafe.Pointer(&n)))
	if err != nil {
		return nil, err
	}
	names := make([]string, n)
	for i, p := range unsafe.Slice((*uintptr)(ptr(list)), n) {
		names[i] = goString(p)
	}
	err = e.api.call("ReleaseAvailableProviders", slotReleaseAvailableProviders, list, uintptr(n))
	return names, err
}

// Close releases the environment. Close all sessions first. Calling Close
// again does nothing.
func (e *Env) Close() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return nil
	}
	e.closed = true
	releaseEnv(e.api, e.handle)
	return nil
}
