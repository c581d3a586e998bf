package registry

import (
	"context"
	"encoding/json"
	"fmt"
)

// Pinner is an optional interface for managers that store content under a
// name that can move (an OCI registry's tag) and can name what a publish
// stored by its content instead (the manifest digest). After
// [Registry.Publish] uploads (or reuses) the object at key, it asks the
// manager for the config that names that exact content and registers the
// entry with it, so that later downloads fetch what was published even
// when the name moves.
type Pinner interface {
	// PinnedConfig returns the manager config naming the content now
	// stored at key, given the entry's config; nil means keep config.
	PinnedConfig(ctx context.Context, key string, config json.RawMessage) (json.RawMessage, error)
}

// pinConfig returns the entry's manager spec pinned to what mgr stores at
// key, or spec itself when mgr is not a [Pinner].
func pinConfig(ctx context.Context, mgr Manager, key string, spec ManagerSpec) (ManagerSpec, error) {
	p, ok := mgr.(Pinner)
	if !ok {
		return spec, nil
	}
	cfg, err := p.PinnedConfig(ctx, key, spec.Config)
	if err != nil {
		return spec, fmt.Errorf("registry: pin %s object %s: %w", spec.Type, key, err)
	}
	if cfg != nil {
		spec.Config = cfg
	}
	return spec, nil
}
