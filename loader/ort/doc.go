// Package ort binds the ONNX Runtime C API without cgo, through purego, for
// running ONNX models such as object detectors.
//
// The library comes from package [github.com/modelreg/modelreg/loader]:
//
//	lib, err := loader.Load(nil) // finds and opens libonnxruntime
//	env, err := ort.NewEnv(lib, &ort.EnvOptions{Logger: slog.Default()})
//	sess, err := env.NewSession(modelBytes, &ort.SessionOptions{IntraOpThreads: 1})
//	in, err := ort.NewTensor([]int64{1, 3, 416, 416}, pixels) // over pixels, no copy
//	outs, err := sess.Run(ctx, []*ort.Value{in}, nil)
//	boxes := outs[0].Float32s() // valid until outs[0].Close()
//
// Only the C API calls a detector needs are bound: environment with logging
// (to log/slog), session options, execution providers with fallback, sessions
// from bytes, I/O metadata, tensors, Run with cancellation.
//
// # Memory ownership
//
//   - [NewTensor] wraps Go memory; ONNX Runtime reads (or, for outputs,
//     writes) it in place and the [Value] keeps it alive until Close.
//   - Outputs that ONNX Runtime allocates live in C memory; [Value.Float32s]
//     and friends return slices over it that are valid until [Value.Close].
//   - The model bytes passed to [Env.NewSession] are not retained.
//   - [Session.Inputs] and [Session.Outputs] are Go copies; the C names are
//     owned by the Session and freed by Close.
//
// Every [Env], [Session] and [Value] must be closed exactly once it is no
// longer needed; Close is idempotent and also safe after a failed
// constructor (which returns nil and releases what it made).
//
// # Environments and logging
//
// ONNX Runtime has one environment per library and process, counted by
// reference: [NewEnv] while another [Env] is open shares it, and ONNX
// Runtime keeps the first Env's log level and Logger until the last Env
// sharing it is closed. A long-lived process may create and close Envs
// (and so detectors, which own one each) any number of times: purego can
// make only about 2000 callbacks per process and never frees them, so
// the binding makes a single log callback, on first use, for every Env of
// every library. ONNX Runtime hands it the ID the Env was created with,
// and the callback passes the message to the Logger registered under that
// ID; the registration is removed when the environment it belongs to is
// released.
//
// # Concurrency
//
// [Session.Run] may be called from many goroutines at once on one
// [Session]. A [Value] may be an input of concurrent runs, but a
// pre-allocated output must be used by one run at a time. Close waits for a
// session's runs in progress.
//
// # Cancellation
//
// Run takes a context. When it is cancelled during a run, the binding sets
// the run's terminate flag (RunOptionsSetTerminate); ONNX Runtime stops
// between operators and Run returns ctx.Err(). A context that can never be
// cancelled costs nothing.
//
// # Errors
//
// Failures reported by ONNX Runtime are [*Error] values carrying its
// [ErrorCode] and message. Misuse of the binding is reported with errors
// wrapping [ErrArgs], [ErrShape], [ErrType] or [ErrClosed].
//
// # Execution providers
//
// [SessionOptions].Providers lists providers in order of preference (CUDA and
// TensorRT through their V2 options, CoreML, DirectML, or any name ONNX
// Runtime accepts). One that the library lacks or that fails to register is
// skipped; the CPU provider is always last. [Session.Providers] reports
// which providers the session uses.
package ort
