package registry

import "github.com/modelreg/modelreg/internal/atomicfile"

// writeManifestFile atomically replaces the manifest at p with data. It is
// a variable so that tests can make a manifest that cannot be written (a
// read-only or full file system, which root's tests cannot otherwise make).
var writeManifestFile = func(p string, data []byte) error {
	return atomicfile.WriteFile(p, data, 0o644)
}
