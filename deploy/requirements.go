package deploy

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/modelreg/modelreg/registry"
)

// ErrorLevel says what happens when a requirement is not met, with ETA's
// numbering: 0 fail, 1 warn and go on, 2 ignore.
type ErrorLevel int

const (
	LevelFail   ErrorLevel = iota // return an error wrapping ErrRequirements (the default)
	LevelWarn                     // log a warning and load anyway
	LevelIgnore                   // load without checking
)

// requirements is the part of a manifest's "requirements" object this
// library can check. ETA's own keys are read: "cpu": {"support": bool} and
// "gpu": {"support": bool} (Python "packages" lists are not ours to check);
// "runtimes" is this library's extension, a map from runtime name to a
// minimum version, {"onnxruntime": ">=1.17"}.
type requirements struct {
	CPU      *support          `json:"cpu"`
	GPU      *support          `json:"gpu"`
	Runtimes map[string]string `json:"runtimes"`
}

type support struct {
	Support *bool `json:"support"`
}

func parseRequirements(raw json.RawMessage) (requirements, error) {
	var r requirements
	if len(raw) == 0 || string(raw) == "null" {
		return r, nil
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return r, fmt.Errorf("deploy: manifest requirements: %w", err)
	}
	for name, want := range r.Runtimes {
		if _, err := minVersion(want); err != nil {
			return r, fmt.Errorf("deploy: manifest requirements: runtimes.%s: %w", name, err)
		}
	}
	return r, nil
}

// minVersion parses a runtime constraint: "X" or ">=X", both meaning X or
// newer; other operators are refused rather than misread.
func minVersion(want string) (string, error) {
	v := strings.TrimSpace(want)
	if rest, ok := strings.CutPrefix(v, ">="); ok {
		v = strings.TrimSpace(rest)
	}
	if v == "" || strings.ContainsAny(v, "<>=!~^, ") {
		return "", fmt.Errorf("unsupported version constraint %q (write \">=1.17\")", want)
	}
	return v, registry.CheckVersion(v)
}

func (s *support) denied() bool { return s != nil && s.Support != nil && !*s.Support }

// RequirementError reports an unmet requirement; it wraps [ErrRequirements].
type RequirementError struct {
	Model  string // model name
	Reason string // what is missing, and what to do
}

func (e *RequirementError) Error() string {
	return fmt.Sprintf("deploy: model %q: %s (set Options.Requirements to LevelWarn or LevelIgnore to load anyway)", e.Model, e.Reason)
}

// Unwrap returns [ErrRequirements].
func (e *RequirementError) Unwrap() error { return ErrRequirements }

// checkDevices compares the model's CPU/GPU support with the providers
// the caller asked for.
func (r *Request) checkDevices() error {
	gpu := wantsGPU(r.Options.Providers)
	switch {
	case !gpu && r.reqs.CPU.denied():
		return r.unmet("the model does not support CPU execution; ask for a GPU execution provider (Options.Providers)")
	case gpu && r.reqs.GPU.denied() && r.reqs.CPU.denied():
		return r.unmet("the model supports neither CPU nor GPU execution")
	case gpu && r.reqs.GPU.denied():
		return r.unmet("the model does not support GPU execution; leave Options.Providers empty for CPU")
	}
	return nil
}

func wantsGPU(providers []string) bool {
	for _, p := range providers {
		if !strings.EqualFold(p, "cpu") {
			return true
		}
	}
	return false
}

// CheckRuntime checks the manifest's minimum version for the named runtime
// ("onnxruntime") against version, the version of the runtime actually
// loaded. Factories call it once they know the version. The caller's
// error level applies: the result is nil when the level is warn or ignore.
func (r *Request) CheckRuntime(name, version string) error {
	want, ok := r.reqs.Runtimes[name]
	if !ok {
		return nil
	}
	floor, _ := minVersion(want) // validated by parseRequirements
	if registry.CompareVersions(version, floor) >= 0 {
		return nil
	}
	return r.unmet(fmt.Sprintf("needs %s %s or newer, found %s: install a newer library (go run github.com/modelreg/modelreg/cmd/models@latest runtime install --version V)", name, floor, version))
}

// unmet applies the error level to a failed requirement.
func (r *Request) unmet(reason string) error {
	switch r.Options.Requirements {
	case LevelIgnore:
		return nil
	case LevelWarn:
		r.Logger.Warn("deploy: requirement not met; loading anyway", "model", r.Name, "reason", reason)
		return nil
	}
	return &RequirementError{Model: r.Name, Reason: reason}
}
