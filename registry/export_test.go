package registry

import (
	"io/fs"
)

// SetManifestWriter makes r write manifests with fn, to make a manifest
// that cannot be written.
func SetManifestWriter(r *Registry, fn func(p string, data []byte) error) {
	r.manifestWriter = func(p string, data []byte, _ fs.FileMode) error { return fn(p, data) }
}
