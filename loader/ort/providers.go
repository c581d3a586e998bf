package ort

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"runtime"
	"slices"
	"unsafe"
)

// Execution provider names, as ONNX Runtime reports them.
const (
	CPU      = "CPUExecutionProvider"
	CUDA     = "CUDAExecutionProvider"
	TensorRT = "TensorrtExecutionProvider"
	CoreML   = "CoreMLExecutionProvider"
	DirectML = "DmlExecutionProvider"
)

// Provider is an execution provider to try, with its provider options.
type Provider struct {
	// Name is one of the constants CUDA, TensorRT, CoreML, DirectML, or
	// another provider name ONNX Runtime's
	// SessionOptionsAppendExecutionProvider accepts (e.g. "XNNPACK").
	Name string
	// Options are the provider's options, e.g. {"device_id": "0"} for CUDA
	// (through OrtCUDAProviderOptionsV2) or {"MLComputeUnits": "ALL"} for
	// CoreML. Nil means the provider's defaults.
	Options map[string]string
}

// appendProviders registers the providers that are available, in order, and
// returns the names of those registered. Failures are logged, not returned.
func (e *Env) appendProviders(so uintptr, ps []Provider) []string {
	if len(ps) == 0 {
		return nil
	}
	avail, _ := e.AvailableProviders()
	var used []string
	for _, p := range ps {
		if p.Name == CPU {
			continue
		}
		err := e.appendProvider(so, p, avail)
		if err != nil {
			e.logger.LogAttrs(context.Background(), slog.LevelInfo, "ort: execution provider skipped",
				slog.String("provider", p.Name), slog.String("reason", err.Error()))
			continue
		}
		used = append(used, p.Name)
	}
	return used
}

func (e *Env) appendProvider(so uintptr, p Provider, avail []string) error {
	if !slices.Contains(avail, p.Name) {
		return fmt.Errorf("not in this build of onnxruntime (available: %v)", avail)
	}
	keys, values := splitOptions(p.Options)
	kb, kp := cStrings(keys)
	vb, vp := cStrings(values)
	defer runtime.KeepAlive(vb)
	defer runtime.KeepAlive(kb)
	switch p.Name {
	case CUDA:
		return e.appendV2(so, slotCreateCUDAProviderOptions, slotUpdateCUDAProviderOptions,
			slotAppendCUDAV2, slotReleaseCUDAProviderOptions, kp, vp)
	case TensorRT:
		return e.appendV2(so, slotCreateTensorRTProviderOptions, slotUpdateTensorRTProviderOptions,
			slotAppendTensorRTV2, slotReleaseTensorRTProviderOptions, kp, vp)
	}
	name := map[string]string{CoreML: "CoreML", DirectML: "DML"}[p.Name]
	if name == "" {
		name = p.Name
	}
	n := cString(name)
	return e.api.call("SessionOptionsAppendExecutionProvider", slotAppendExecutionProvider, so,
		uintptr(unsafe.Pointer(&n[0])), uintptr(unsafe.Pointer(&kp[0])), uintptr(unsafe.Pointer(&vp[0])),
		uintptr(len(keys)))
}

// appendV2 registers CUDA or TensorRT through their V2 options structs:
// Create…ProviderOptions, Update…ProviderOptions, Append…_V2, Release….
func (e *Env) appendV2(so uintptr, create, update, appendSlot, release int, kp, vp []uintptr) error {
	a := e.api
	var opts uintptr
	if err := a.call("CreateProviderOptions", create, uintptr(unsafe.Pointer(&opts))); err != nil {
		return err
	}
	defer a.release(release, opts)
	n := len(kp) - 1
	err := a.call("UpdateProviderOptions", update, opts, uintptr(unsafe.Pointer(&kp[0])),
		uintptr(unsafe.Pointer(&vp[0])), uintptr(n))
	if err != nil {
		return err
	}
	return a.call("SessionOptionsAppendExecutionProvider_V2", appendSlot, so, opts)
}

// splitOptions returns the keys and values of m in key order.
func splitOptions(m map[string]string) (keys, values []string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		keys = append(keys, k)
		values = append(values, m[k])
	}
	return keys, values
}
