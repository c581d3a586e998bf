package ort

import (
	"runtime"
	"unsafe"
)

// GraphOptimization is a graph optimisation level. The zero value is [OptAll].
type GraphOptimization int

// Graph optimisation levels.
const (
	OptDefault  GraphOptimization = iota // OptAll
	OptDisable                           // ORT_DISABLE_ALL
	OptBasic                             // ORT_ENABLE_BASIC
	OptExtended                          // ORT_ENABLE_EXTENDED
	OptAll                               // ORT_ENABLE_ALL
)

func (g GraphOptimization) ort() uintptr {
	switch g {
	case OptDisable:
		return 0
	case OptBasic:
		return 1
	case OptExtended:
		return 2
	}
	return 99
}

// ExecutionMode says whether independent nodes of a graph run in parallel.
type ExecutionMode int

// Execution modes. The zero value is [Sequential].
const (
	Sequential ExecutionMode = iota // ORT_SEQUENTIAL
	Parallel                        // ORT_PARALLEL; uses InterOpThreads
)

// SessionOptions configures [Env.NewSession]. A nil *SessionOptions is the
// zero value: ONNX Runtime's default thread counts, all graph optimisations,
// sequential execution, memory pattern on, CPU only.
type SessionOptions struct {
	// IntraOpThreads is the number of threads used inside one operator;
	// 0 means ONNX Runtime's default (one per physical core).
	IntraOpThreads int
	// InterOpThreads is the number of threads running independent operators
	// in Parallel mode; 0 means ONNX Runtime's default.
	InterOpThreads int
	// GraphOptimization is the optimisation level; zero means OptAll.
	GraphOptimization GraphOptimization
	// ExecutionMode is Sequential (zero) or Parallel.
	ExecutionMode ExecutionMode
	// DisableMemPattern turns off ONNX Runtime's memory pattern planning
	// (on by default; it helps when input shapes do not change).
	DisableMemPattern bool
	// OptimizedModelPath, when set, makes ONNX Runtime write the optimised
	// model to this file, which can be loaded later instead of the original
	// to skip optimisation at start-up.
	OptimizedModelPath string
	// Providers are the execution providers to try, best first. A provider
	// that is not available or fails to register is skipped (logged at Info
	// level to the Env's Logger); the CPU provider is always used last.
	Providers []Provider
	// Config holds extra session configuration entries
	// (AddSessionConfigEntry), e.g. "session.intra_op.allow_spinning": "0".
	Config map[string]string
}

// build creates an OrtSessionOptions. The caller releases it.
func (o *SessionOptions) build(a *api) (so uintptr, err error) {
	if err := a.call("CreateSessionOptions", slotCreateSessionOptions, uintptr(unsafe.Pointer(&so))); err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			a.release(slotReleaseSessionOptions, so)
		}
	}()
	return so, o.apply(a, so)
}

func (o *SessionOptions) apply(a *api, so uintptr) error {
	steps := []struct {
		op   string
		slot int
		arg  uintptr
		skip bool
	}{
		{"SetIntraOpNumThreads", slotSetIntraOpNumThreads, uintptr(o.IntraOpThreads), o.IntraOpThreads <= 0},
		{"SetInterOpNumThreads", slotSetInterOpNumThreads, uintptr(o.InterOpThreads), o.InterOpThreads <= 0},
		{"SetSessionGraphOptimizationLevel", slotSetSessionGraphOptimization, o.GraphOptimization.ort(), false},
		{"SetSessionExecutionMode", slotSetSessionExecutionMode, uintptr(o.ExecutionMode), false},
		{"DisableMemPattern", slotDisableMemPattern, 0, !o.DisableMemPattern},
	}
	for _, s := range steps {
		if s.skip {
			continue
		}
		if err := a.call(s.op, s.slot, so, s.arg); err != nil {
			return err
		}
	}
	if o.OptimizedModelPath != "" {
		if err := setOptimizedModelPath(a, so, o.OptimizedModelPath); err != nil {
			return err
		}
	}
	for k, v := range o.Config {
		if err := addConfigEntry(a, so, k, v); err != nil {
			return err
		}
	}
	return nil
}

// setOptimizedModelPath passes an ORTCHAR_T path: UTF-16 on Windows, UTF-8
// elsewhere.
func setOptimizedModelPath(a *api, so uintptr, path string) error {
	var p unsafe.Pointer
	if runtime.GOOS == "windows" {
		w := utf16z(path)
		p = unsafe.Pointer(&w[0])
	} else {
		b := cString(path)
		p = unsafe.Pointer(&b[0])
	}
	return a.call("SetOptimizedModelFilePath", slotSetOptimizedModelFilePath, so, uintptr(p))
}

func addConfigEntry(a *api, so uintptr, key, value string) error {
	k, v := cString(key), cString(value)
	return a.call("AddSessionConfigEntry", slotAddSessionConfigEntry, so,
		uintptr(unsafe.Pointer(&k[0])), uintptr(unsafe.Pointer(&v[0])))
}

// utf16z encodes s as NUL-terminated UTF-16.
func utf16z(s string) []uint16 {
	var out []uint16
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xd800+(r>>10)), uint16(0xdc00+(r&0x3ff)))
			continue
		}
		out = append(out, uint16(r))
	}
	return append(out, 0)
}
