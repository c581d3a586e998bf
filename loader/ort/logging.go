package ort

import (
	"context"
	"log/slog"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// purego can make about 2000 callbacks per process and never frees them, so
// the binding makes exactly one, on first use, for every Env of every
// library. ONNX Runtime passes it the logger_param given at creation, here
// an ID in the table loggers.
var (
	logCallback = sync.OnceValue(func() uintptr { return purego.NewCallback(logMessage) })

	loggersMu    sync.RWMutex // held briefly, never across a C call: ONNX Runtime may log during any call
	loggers      = map[uintptr]*slog.Logger{}
	lastLoggerID uintptr
)

// registerLogger adds l to the table and returns its ID, never 0.
func registerLogger(l *slog.Logger) uintptr {
	loggersMu.Lock()
	defer loggersMu.Unlock()
	lastLoggerID++
	loggers[lastLoggerID] = l
	return lastLoggerID
}

// unregisterLogger removes the logger with ID id; 0 does nothing.
func unregisterLogger(id uintptr) {
	if id == 0 {
		return
	}
	loggersMu.Lock()
	defer loggersMu.Unlock()
	delete(loggers, id)
}

// registeredLoggers is the number of loggers in the table, for tests.
func registeredLoggers() int {
	loggersMu.RLock()
	defer loggersMu.RUnlock()
	return len(loggers)
}

// logMessage is the OrtLoggingFunction of every Env:
// void(void* param, OrtLoggingLevel severity, const char* category,
// const char* logid, const char* code_location, const char* message).
// A message for a logger no longer registered is dropped.
func logMessage(param, severity, category, logid, location, message uintptr) {
	loggersMu.RLock()
	l := loggers[param]
	loggersMu.RUnlock()
	if l == nil {
		return
	}
	lvl := slogLevels[min(max(int(int32(severity)), 0), len(slogLevels)-1)]
	l.LogAttrs(context.Background(), lvl, goString(message),
		slog.String("category", goString(category)), slog.String("logid", goString(logid)),
		slog.String("location", goString(location)))
}

// ONNX Runtime has one environment per library and process: creating an
// OrtEnv while one exists returns the same handle with its reference count
// raised, and ignores the new logging settings. The binding keeps the same
// count per handle, so that the logger ONNX Runtime calls stays registered
// until the environment is really released.
var (
	envsMu sync.Mutex // serialises creating and releasing environments
	envs   = map[uintptr]*sharedEnv{}
)

// sharedEnv is an OrtEnv and the binding's Envs on it.
type sharedEnv struct {
	refs     int
	loggerID uintptr // the ID ONNX Runtime was given; 0: its default logger
}

// acquireEnv creates an OrtEnv or takes one more reference to the
// existing one. logger may be nil (ONNX Runtime's default logger).
func acquireEnv(a *api, level LogLevel, logger *slog.Logger, logID string) (uintptr, error) {
	cid := cString(logID)
	envsMu.Lock()
	defer envsMu.Unlock()
	var h, id uintptr
	var err error
	if logger != nil {
		id = registerLogger(logger)
		err = a.call("CreateEnvWithCustomLogger", slotCreateEnvWithCustomLogger, logCallback(), id, level.ort(),
			uintptr(unsafe.Pointer(&cid[0])), uintptr(unsafe.Pointer(&h)))
	} else {
		err = a.call("CreateEnv", slotCreateEnv, level.ort(), uintptr(unsafe.Pointer(&cid[0])),
			uintptr(unsafe.Pointer(&h)))
	}
	if err != nil {
		unregisterLogger(id)
		return 0, err
	}
	if s := envs[h]; s != nil {
		s.refs++
		unregisterLogger(id) // ONNX Runtime kept the first Env's logger
		return h, nil
	}
	envs[h] = &sharedEnv{refs: 1, loggerID: id}
	return h, nil
}

// releaseEnv drops one reference to the OrtEnv h. With the last one, ONNX
// Runtime destroys it and its logger is unregistered.
func releaseEnv(a *api, h uintptr) {
	envsMu.Lock()
	defer envsMu.Unlock()
	a.release(slotReleaseEnv, h)
	s := envs[h]
	if s == nil {
		return
	}
	if s.refs--; s.refs == 0 {
		delete(envs, h)
		unregisterLogger(s.loggerID) // after the release: ONNX Runtime may log while tearing down
	}
}
