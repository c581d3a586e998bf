package registry

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// writeManifestFile atomically replaces the manifest at p with data; perm
// is the mode of the manifest it replaces (0o644 for a new one). Tests set
// r.manifestWriter to make a manifest that cannot be written (a read-only
// or full file system, which root's tests cannot otherwise make).
func (r *Registry) writeManifestFile(p string, data []byte, perm fs.FileMode) error {
	if r.manifestWriter != nil {
		return r.manifestWriter(p, data, perm)
	}
	return atomicfile.WriteFile(p, data, perm)
}

// updateManifest applies fn to the manifest in dir and writes the result
// atomically, holding the directory's manifest lock (serialising writers
// across processes where file locks exist). When create is true a missing
// manifest starts empty; otherwise it is an error wrapping ErrNotFound.
func (r *Registry) updateManifest(ctx context.Context, dir string, create bool, fn func(*Manifest) error) error {
	return r.updateManifestOr(ctx, dir, create, fn, nil)
}

// updateManifestOr is updateManifest that calls undo, still holding the
// lock, when fn ran but the manifest was not written (fn, the encoding or
// the write failed), so that what fn did on disk is taken back before
// another writer can see it.
func (r *Registry) updateManifestOr(ctx context.Context, dir string, create bool, fn func(*Manifest) error, undo func()) (err error) {
	p := filepath.Join(dir, ManifestFile)
	if create {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("registry: %w", err)
		}
	}
	unlock, err := lockFile(ctx, filepath.Join(dir, "."+ManifestFile+".lock"))
	if err != nil {
		return err
	}
	defer unlock()
	defer r.forget(p)
	removeStaleTemps(p) // left by writers that were killed
	perm, err := manifestPerm(p)
	if err != nil {
		return err
	}
	if st, err := os.Stat(p); err == nil {
		if err := r.checkManifestSize(p, st.Size()); err != nil {
			return fmt.Errorf("registry: edit refused, nothing written: %w", err)
		}
	}
	m, was, err := readManifestData(p, create)
	if err != nil {
		return err
	}
	written := false
	if undo != nil {
		defer func() {
			if err != nil && !written {
				undo()
			}
		}()
	}
	if err := fn(m); err != nil {
		return err
	}
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("registry: encode %s: %w", p, err)
	}
	if err := r.checkManifestSize(p, int64(len(data))); err != nil {
		// written, it would be skipped at the next read, with every model in it
		return fmt.Errorf("registry: edit refused, nothing written (it would make the manifest larger than the registry reads): %w", err)
	}
	if r.manifestEdited != nil {
		r.manifestEdited(p)
	}
	if err := checkUnchanged(p, was); err != nil {
		return err
	}
	if err := r.writeManifestFile(p, data, perm); err != nil {
		now, _ := os.ReadFile(p)
		written = bytes.Equal(now, data) // renamed, but not synced
		return fmt.Errorf("registry: write %s: %w", p, err)
	}
	return nil
}

func readManifestFile(p string, create bool) (*Manifest, error) {
	m, _, err := readManifestData(p, create)
	return m, err
}

// readManifestData is readManifestFile that also returns the bytes read
// (nil when p does not exist).
func readManifestData(p string, create bool) (*Manifest, []byte, error) {
	data, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		return &Manifest{}, nil, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil, fmt.Errorf("registry: %s does not exist: %w", p, ErrNotFound)
	case err != nil:
		return nil, nil, fmt.Errorf("registry: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, nil, fmt.Errorf("registry: %s is not a valid manifest, refusing to rewrite it: %w", p, err)
	}
	return m, data, nil
}

// InitDir makes dir a models directory: it creates it if needed and writes
// an empty manifest. An existing manifest gives an error wrapping
// [ErrExists]. It does not add dir to the search path.
func (r *Registry) InitDir(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if _, err := os.Lstat(filepath.Join(abs, ManifestFile)); err == nil { // a read-only one, a link, even dangling
		return fmt.Errorf("registry: %s already has a %s: %w", abs, ManifestFile, ErrExists)
	}
	return r.updateManifest(ctx, abs, true, func(m *Manifest) error {
		if m.kinds != nil {
			return fmt.Errorf("registry: %s already has a %s: %w", abs, ManifestFile, ErrExists)
		}
		return nil
	})
}
