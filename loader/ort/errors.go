package ort

import (
	"errors"
	"fmt"
)

// ErrClosed is returned by methods of a closed [Env], [Session] or [Value].
var ErrClosed = errors.New("ort: use of closed object")

// ErrShape is wrapped by errors about a tensor's shape or its data length.
var ErrShape = errors.New("ort: shape does not match data")

// ErrType is wrapped by errors about a tensor's element type.
var ErrType = errors.New("ort: wrong element type")

// ErrArgs is wrapped by errors about the number of inputs or outputs passed
// to [Session.Run].
var ErrArgs = errors.New("ort: wrong number of values")

// ErrorCode is ONNX Runtime's OrtErrorCode.
type ErrorCode int32

// OrtErrorCode values.
const (
	CodeOK ErrorCode = iota
	CodeFail
	CodeInvalidArgument
	CodeNoSuchFile
	CodeNoModel
	CodeEngineError
	CodeRuntimeException
	CodeInvalidProtobuf
	CodeModelLoaded
	CodeNotImplemented
	CodeInvalidGraph
	CodeEPFail
	CodeModelLoadCanceled
	CodeModelRequiresCompilation
	CodeNotFound
)

var codeNames = [...]string{"OK", "FAIL", "INVALID_ARGUMENT", "NO_SUCHFILE", "NO_MODEL", "ENGINE_ERROR",
	"RUNTIME_EXCEPTION", "INVALID_PROTOBUF", "MODEL_LOADED", "NOT_IMPLEMENTED", "INVALID_GRAPH", "EP_FAIL",
	"MODEL_LOAD_CANCELED", "MODEL_REQUIRES_COMPILATION", "NOT_FOUND"}

// String returns the code's name without the ORT_ prefix, e.g. "INVALID_PROTOBUF".
func (c ErrorCode) String() string {
	if c >= 0 && int(c) < len(codeNames) {
		return codeNames[c]
	}
	return fmt.Sprintf("ErrorCode(%d)", int32(c))
}

// Error is an error reported by ONNX Runtime through an OrtStatus.
type Error struct {
	Op      string    // the OrtApi function that failed, e.g. "CreateSessionFromArray"
	Code    ErrorCode // ONNX Runtime's error code
	Message string    // ONNX Runtime's message
}

// Error formats the error as "ort: Op: CODE: message".
func (e *Error) Error() string {
	return fmt.Sprintf("ort: %s: %v: %s", e.Op, e.Code, e.Message)
}
