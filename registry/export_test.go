package registry

import (
	"io/fs"
	"testing"
)

// SetManifestWriter replaces the function that writes manifests until the
// test ends, to make a manifest that cannot be written. Tests that use it
// must not run in parallel.
func SetManifestWriter(t testing.TB, fn func(p string, data []byte) error) {
	old := writeManifestFile
	writeManifestFile = func(p string, data []byte, _ fs.FileMode) error { return fn(p, data) }
	t.Cleanup(func() { writeManifestFile = old })
}
