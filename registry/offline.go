package registry

import "fmt"

// ErrOffline reports an operation refused because offline mode is on
// ([Options.Offline] or MODELS_OFFLINE=1) and it would need the network. It
// wraps [ErrDownloadsDisabled], so errors.Is(err, ErrDownloadsDisabled)
// holds for it too.
var ErrOffline error = &msgError{msg: "registry: offline mode is on", err: ErrDownloadsDisabled}

// localManagerTypes are the manager types (after ETA aliases are resolved)
// that never use the network: in offline mode a model they serve still
// installs. "file" reads a local directory or a catalog embedded in the
// binary; "mem" is the in-memory manager of tests and examples.
var localManagerTypes = map[string]bool{"file": true, "mem": true}

// Offline reports whether offline mode is on: no manager that uses the
// network is opened, and only models already downloaded, served by a local
// manager ("file", "mem") or imported from a bundle can be used.
func (r *Registry) Offline() bool { return r.cfg.offline }

// isLocalSpec reports whether spec names a manager that never uses the
// network. An ETA entry whose "url" is a file:// URL is local.
func isLocalSpec(spec ManagerSpec) bool {
	typ, _, err := resolveManager(spec)
	return err == nil && localManagerTypes[typ]
}

// checkOffline returns nil unless offline mode is on and no manager of m
// (its manager or a mirror) is local; then it returns an error wrapping
// [ErrOffline] that says the model is missing and how to get it.
func (r *Registry) checkOffline(m *Model) error {
	if !r.cfg.offline {
		return nil
	}
	for _, spec := range m.managerSpecs() {
		if isLocalSpec(spec) {
			return nil
		}
	}
	return sentinelf(ErrOffline, "registry: model %q is not downloaded and offline mode is on (%s=1): "+
		"download it on a connected machine, or import a bundle with \"models import\"", m.Name(), EnvOffline)
}

// checkOfflineSpec returns an error wrapping [ErrOffline] when offline mode
// is on and spec (the manager or a mirror of m) uses the network, so that
// the transfer skips it without opening it.
func (r *Registry) checkOfflineSpec(m *Model, spec ManagerSpec) error {
	if !r.cfg.offline || isLocalSpec(spec) {
		return nil
	}
	return fmt.Errorf("registry: %s: %s manager not used: %w", m.Name(), spec.Type, ErrOffline)
}
