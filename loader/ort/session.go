package ort

import (
	"errors"
	"runtime"
	"slices"
	"sync"
	"unsafe"
)

// Session is a loaded model (OrtSession).
//
// # Concurrency
//
// [Session.Run] is safe to call from many goroutines at once on one Session;
// ONNX Runtime runs them concurrently. [Session.Close] waits for runs in
// progress and makes later calls fail with [ErrClosed].
type Session struct {
	env       *Env
	api       *api
	handle    uintptr
	inputs    []IOInfo
	outputs   []IOInfo
	names     []uintptr // C strings: input names, then output names (ORT allocator)
	providers []string

	rw     sync.RWMutex // Run holds it shared, Close exclusively
	closed bool
	idle   runOptionsPool
}

// NewSession loads an ONNX model from its bytes. ONNX Runtime copies what it
// needs; model may be reused or freed when NewSession returns.
func (e *Env) NewSession(model []byte, opts *SessionOptions) (*Session, error) {
	if opts == nil {
		opts = &SessionOptions{}
	}
	if len(model) == 0 {
		return nil, &Error{Op: "CreateSessionFromArray", Code: CodeInvalidArgument, Message: "empty model"}
	}
	a := e.api
	so, err := opts.build(a)
	if err != nil {
		return nil, err
	}
	defer a.release(slotReleaseSessionOptions, so)
	registered := e.appendProviders(so, opts.Providers)
	recordEPs := a.version >= apiVersionEpAssignment && addConfigEntry(a, so, "session.record_ep_graph_assignment_info", "1") == nil
	s := &Session{env: e, api: a}
	e.mu.Lock()
	closed := e.closed
	e.mu.Unlock()
	if closed {
		return nil, ErrClosed
	}
	err = a.call("CreateSessionFromArray", slotCreateSessionFromArray, e.handle,
		uintptr(unsafe.Pointer(&model[0])), uintptr(len(model)), so, uintptr(unsafe.Pointer(&s.handle)))
	runtime.KeepAlive(model)
	if err != nil {
		return nil, err
	}
	if err := s.init(registered, recordEPs); err != nil {
		return nil, errors.Join(err, s.Close())
	}
	return s, nil
}

// init reads the session's I/O metadata and execution providers.
func (s *Session) init(registered []string, recordEPs bool) error {
	var err error
	if s.inputs, err = s.ioInfos(true); err != nil {
		return err
	}
	if s.outputs, err = s.ioInfos(false); err != nil {
		return err
	}
	s.providers = append(registered, CPU)
	if recordEPs {
		if used, err := s.assignedProviders(); err == nil {
			s.providers = orderProviders(used, s.providers)
		}
	}
	return nil
}

// assignedProviders lists the execution providers ONNX Runtime assigned
// nodes to (API 24+).
func (s *Session) assignedProviders() ([]string, error) {
	var subgraphs uintptr
	var n uintptr
	err := s.api.call("Session_GetEpGraphAssignmentInfo", slotSessionGetEpGraphAssignmentInfo, s.handle,
		uintptr(unsafe.Pointer(&subgraphs)), uintptr(unsafe.Pointer(&n)))
	if err != nil || n == 0 {
		return nil, err
	}
	var names []string
	for _, sg := range unsafe.Slice((*uintptr)(ptr(subgraphs)), n) {
		var name uintptr
		if err := s.api.call("EpAssignedSubgraph_GetEpName", slotEpAssignedSubgraphGetEpName, sg,
			uintptr(unsafe.Pointer(&name))); err != nil {
			return nil, err
		}
		if nm := goString(name); !slices.Contains(names, nm) {
			names = append(names, nm)
		}
	}
	return names, nil
}

// orderProviders returns the providers in used, in the order of pref, then
// any others.
func orderProviders(used, pref []string) []string {
	var out []string
	for _, p := range pref {
		if slices.Contains(used, p) {
			out = append(out, p)
		}
	}
	for _, p := range used {
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// Inputs describes the model's inputs, in the order Run takes them. The
// caller must not modify the result.
func (s *Session) Inputs() []IOInfo { return s.inputs }

// Outputs describes the model's outputs, in the order Run returns them. The
// caller must not modify the result.
func (s *Session) Outputs() []IOInfo { return s.outputs }

// Providers returns the execution providers the session uses, best first;
// the last is always CPUExecutionProvider. With ONNX Runtime 1.24 or later
// this is where ONNX Runtime actually placed the model's nodes (a provider
// that was registered but got no nodes is left out); with older versions it
// is the list of providers that registered successfully.
func (s *Session) Providers() []string { return slices.Clone(s.providers) }

// Close waits for runs in progress, then releases the session. Calling Close
// again, or after NewSession failed part way, does nothing.
func (s *Session) Close() error {
	s.rw.Lock()
	defer s.rw.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.idle.releaseAll(s.api)
	for _, p := range s.names {
		s.api.free(p)
	}
	s.names = nil
	s.api.release(slotReleaseSession, s.handle)
	s.handle = 0
	return nil
}
