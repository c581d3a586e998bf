package deploy

import "errors"

// Sentinel errors; test for them with [errors.Is].
var (
	// ErrUnknownType reports a deployment type nobody registered.
	ErrUnknownType = errors.New("deploy: unknown deployment type")
	// ErrUnsupportedType reports a deployment type this library recognises
	// but cannot run (ETA's TensorFlow detectors and other Python classes).
	ErrUnsupportedType = errors.New("deploy: deployment type not supported in this library")
	// ErrNoDeployment reports a model whose manifest entry has no default
	// deployment config.
	ErrNoDeployment = errors.New("deploy: model has no default deployment")
	// ErrNotDetector reports a model loaded where a detector was asked for.
	ErrNotDetector = errors.New("deploy: model is not a detector")
	// ErrRequirements reports a requirement of the manifest that this
	// process does not meet.
	ErrRequirements = errors.New("deploy: requirements not met")
)
