package ort

import (
	"context"
	"log/slog"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
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
	// Nil means ONNX Runtime prints to stderr. Each
	// Env with a Logger uses one purego callback; a process can create at
	// most about 2000 and they are never freed, so create Envs once.
	Logger *slog.Logger
	// LogID names the environment in log messages; "" means "modelreg".
	LogID string
}

// Env is an ONNX Runtime environment (OrtEnv). Sessions are created from an
// Env, which must stay open until they are closed. ONNX Runtime has one
// environment per process: a second Env shares it, and ONNX Runtime keeps the
// logging settings of the first.
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
	cid := cString(id)
	var h uintptr
	var err error
	if opts.Logger != nil {
		cb := purego.NewCallback(logFunc(opts.Logger))
		err = a.call("CreateEnvWithCustomLogger", slotCreateEnvWithCustomLogger, cb, 0, opts.LogLevel.ort(),
			uintptr(unsafe.Pointer(&cid[0])), uintptr(unsafe.Pointer(&h)))
	} else {
		err = a.call("CreateEnv", slotCreateEnv, opts.LogLevel.ort(), uintptr(unsafe.Pointer(&cid[0])),
			uintptr(unsafe.Pointer(&h)))
	}
	if err != nil {
		return nil, err
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &Env{api: a, handle: h, logger: logger}, nil
}

// logFunc returns an OrtLoggingFunction:
// void(void* param, OrtLoggingLevel severity, const char* category,
// const char* logid, const char* code_location, const char* message).
func logFunc(l *slog.Logger) func(param, severity, category, logid, location, message uintptr) {
	return func(_, severity, category, logid, location, message uintptr) {
		lvl := slogLevels[min(int(int32(severity)), len(slogLevels)-1)]
		l.LogAttrs(context.Background(), lvl, goString(message),
			slog.String("category", goString(category)), slog.String("logid", goString(logid)),
			slog.String("location", goString(location)))
	}
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
	e.api.release(slotReleaseEnv, e.handle)
	return nil
}
