package ort

import (
	"unsafe"

	"github.com/ebitengine/purego"
	"github.com/modelreg/modelreg/loader"
)

// OrtApi slots: the index of each function pointer in struct OrtApi, counted
// in onnxruntime_c_api.h (ORT_API_VERSION 24). The table is append-only, so
// these indices hold for every later version. Slots at or above slotV24 exist
// only from API version 24 on.
const (
	slotGetErrorCode                    = 1
	slotGetErrorMessage                 = 2
	slotCreateEnv                       = 3
	slotCreateEnvWithCustomLogger       = 4
	slotCreateSessionFromArray          = 8
	slotRun                             = 9
	slotCreateSessionOptions            = 10
	slotSetOptimizedModelFilePath       = 11
	slotSetSessionExecutionMode         = 13
	slotEnableMemPattern                = 16
	slotDisableMemPattern               = 17
	slotSetSessionGraphOptimization     = 23
	slotSetIntraOpNumThreads            = 24
	slotSetInterOpNumThreads            = 25
	slotSessionGetInputCount            = 30
	slotSessionGetOutputCount           = 31
	slotSessionGetInputTypeInfo         = 33
	slotSessionGetOutputTypeInfo        = 34
	slotSessionGetInputName             = 36
	slotSessionGetOutputName            = 37
	slotCreateRunOptions                = 39
	slotRunOptionsSetTerminate          = 46
	slotRunOptionsUnsetTerminate        = 47
	slotCreateTensorWithDataAsOrtValue  = 49
	slotGetTensorMutableData            = 51
	slotCastTypeInfoToTensorInfo        = 55
	slotGetOnnxTypeFromTypeInfo         = 56
	slotGetTensorElementType            = 60
	slotGetDimensionsCount              = 61
	slotGetDimensions                   = 62
	slotGetTensorShapeElementCount      = 64
	slotGetTensorTypeAndShape           = 65
	slotCreateCPUMemoryInfo             = 69
	slotAllocatorFree                   = 76
	slotGetAllocatorWithDefaultOptions  = 78
	slotReleaseEnv                      = 92
	slotReleaseStatus                   = 93
	slotReleaseMemoryInfo               = 94
	slotReleaseSession                  = 95
	slotReleaseValue                    = 96
	slotReleaseRunOptions               = 97
	slotReleaseTypeInfo                 = 98
	slotReleaseTensorTypeAndShapeInfo   = 99
	slotReleaseSessionOptions           = 100
	slotGetAvailableProviders           = 125
	slotReleaseAvailableProviders       = 126
	slotAddSessionConfigEntry           = 130
	slotAppendTensorRTV2                = 170
	slotCreateTensorRTProviderOptions   = 171
	slotUpdateTensorRTProviderOptions   = 172
	slotReleaseTensorRTProviderOptions  = 174
	slotAppendCUDAV2                    = 204
	slotCreateCUDAProviderOptions       = 205
	slotUpdateCUDAProviderOptions       = 206
	slotReleaseCUDAProviderOptions      = 208
	slotAppendExecutionProvider         = 216
	slotGetBuildInfoString              = 254
	slotSessionGetEpGraphAssignmentInfo = 407 // since API 24
	slotEpAssignedSubgraphGetEpName     = 408 // since API 24

	apiVersionEpAssignment = 24
)

// api is a library's OrtApi function table.
type api struct {
	lib     *loader.Library
	table   unsafe.Pointer
	version int
}

func newAPI(lib *loader.Library) *api {
	return &api{lib: lib, table: lib.API(), version: lib.APIVersion()}
}

// fn returns the function pointer in a slot.
func (a *api) fn(slot int) uintptr {
	return *(*uintptr)(unsafe.Add(a.table, slot*int(unsafe.Sizeof(uintptr(0)))))
}

// call calls an OrtApi function that returns OrtStatus* and turns a non-NULL
// status into an *Error. Pointer arguments converted with
// uintptr(unsafe.Pointer(p)) in the call expression stay alive and in place
// for the call (go:uintptrescapes moves them to the heap).
//
//go:uintptrescapes
func (a *api) call(op string, slot int, args ...uintptr) error {
	st, _, _ := purego.SyscallN(a.fn(slot), args...)
	if st == 0 {
		return nil
	}
	return a.statusError(op, st)
}

// callVoid calls an OrtApi function whose result is not an OrtStatus*.
//
//go:uintptrescapes
func (a *api) callVoid(slot int, args ...uintptr) uintptr {
	r, _, _ := purego.SyscallN(a.fn(slot), args...)
	return r
}

// statusError converts and releases an OrtStatus.
func (a *api) statusError(op string, st uintptr) error {
	code := a.callVoid(slotGetErrorCode, st)
	msg := goString(a.callVoid(slotGetErrorMessage, st))
	a.callVoid(slotReleaseStatus, st)
	return &Error{Op: op, Code: ErrorCode(int32(code)), Message: msg}
}

// release calls a Release* function on a non-NULL handle.
func (a *api) release(slot int, h uintptr) {
	if h != 0 {
		a.callVoid(slot, h)
	}
}

// allocator returns ORT's default CPU allocator (not to be released).
func (a *api) allocator() (uintptr, error) {
	var al uintptr
	err := a.call("GetAllocatorWithDefaultOptions", slotGetAllocatorWithDefaultOptions, uintptr(unsafe.Pointer(&al)))
	return al, err
}

// free releases memory that ORT allocated with the default allocator.
func (a *api) free(p uintptr) {
	if p == 0 {
		return
	}
	if al, err := a.allocator(); err == nil {
		_ = a.call("AllocatorFree", slotAllocatorFree, al, p)
	}
}

// ptr converts an address returned by C into an unsafe.Pointer. The memory
// it points to is not managed by Go.
func ptr(u uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&u)) }

// goString copies a NUL-terminated C string.
func goString(p uintptr) string {
	if p == 0 {
		return ""
	}
	n := 0
	for *(*byte)(unsafe.Add(ptr(p), n)) != 0 {
		n++
	}
	return string(unsafe.Slice((*byte)(ptr(p)), n))
}

// cString returns s as a NUL-terminated byte slice for C.
func cString(s string) []byte { return append([]byte(s), 0) }

// cStrings returns NUL-terminated copies of ss and an array of pointers to
// them. Both must be kept alive while C uses the array.
func cStrings(ss []string) ([][]byte, []uintptr) {
	bufs := make([][]byte, len(ss))
	ptrs := make([]uintptr, len(ss)+1)
	for i, s := range ss {
		bufs[i] = cString(s)
		ptrs[i] = uintptr(unsafe.Pointer(&bufs[i][0]))
	}
	return bufs, ptrs
}
