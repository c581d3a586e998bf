package registry

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// updateManifest applies fn to the manifest in dir and writes the result
// atomically, holding the directory's manifest lock (serialising writers
// across processes where flock exists). When create is true a missing
// manifest starts empty; otherwise it is an error wrapping ErrNotFound.
func (r *Registry) updateManifest(ctx context.Context, dir string, create bool, fn func(*Manifest) error) error {
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
	m, err := readManifestFile(p, create)
	if err != nil {
		return err
	}
	if err := fn(m); err != nil {
		return err
	}
	data, err := m.Marshal()
	if err != nil {
		return fmt.Errorf("registry: encode %s: %w", p, err)
	}
	if err := atomicfile.WriteFile(p, data, 0o644); err != nil {
		return fmt.Errorf("registry: write %s: %w", p, err)
	}
	return nil
}

func readManifestFile(p string, create bool) (*Manifest, error) {
	data, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) && create:
		return &Manifest{}, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, fmt.Errorf("registry: %s does not exist: %w", p, ErrNotFound)
	case err != nil:
		return nil, fmt.Errorf("registry: %w", err)
	}
	m, err := ParseManifest(data)
	if err != nil {
		return nil, fmt.Errorf("registry: %s is not a valid manifest, refusing to rewrite it: %w", p, err)
	}
	return m, nil
}

// InitDir makes dir a models directory: it creates it if needed and writes
// an empty manifest. An existing manifest gives an error wrapping
// [ErrExists]. It does not add dir to the search path.
func (r *Registry) InitDir(ctx context.Context, dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	return r.updateManifest(ctx, abs, true, func(m *Manifest) error {
		if m.kinds != nil {
			return fmt.Errorf("registry: %s already has a %s: %w", abs, ManifestFile, ErrExists)
		}
		return nil
	})
}

// DeleteOptions configures [Registry.Delete]. A nil *DeleteOptions is the
// zero value, with which Delete refuses to run.
type DeleteOptions struct {
	// Confirm is asked before anything is deleted; Delete does nothing when
	// it returns false.
	Confirm func(m *Model) bool
	// Force deletes without asking.
	Force bool
}

// DeleteReport says what [Registry.Delete] did.
type DeleteReport struct {
	Model     string       // full name
	Confirmed bool         // false: nothing was touched
	Local     *FlushReport // the local copy removed
	// Remote says what happened to the remote copy, e.g. "deleted",
	// "already absent" or "left alone: the https manager cannot delete".
	Remote          string
	RemoteDeleted   bool
	ManifestUpdated bool
	Manifest        string // the manifest the entry was removed from
}

// Delete permanently removes a model: after confirmation (opts.Confirm, or
// opts.Force), its local copy, then its remote copy when the manager
// implements [Deleter] (otherwise the remote copy is left alone and the
// report says so), then its manifest entry. A bare name deletes the latest
// version. Models of a catalog cannot be deleted ([ErrNotSupported]). If
// the remote delete fails, the manifest is left unchanged.
func (r *Registry) Delete(ctx context.Context, name string, opts *DeleteOptions) (*DeleteReport, error) {
	if opts == nil {
		opts = &DeleteOptions{}
	}
	m, err := r.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	rep := &DeleteReport{Model: m.Name(), Manifest: m.loc.manifest}
	if m.loc.dir == "" {
		return rep, fmt.Errorf("registry: cannot delete %s: catalog %q is read-only: %w", m.Name(), m.loc.catalog, ErrNotSupported)
	}
	if !opts.Force && opts.Confirm == nil {
		return rep, fmt.Errorf("registry: delete %s: needs DeleteOptions.Confirm or Force", m.Name())
	}
	if rep.Confirmed = opts.Force || opts.Confirm(m); !rep.Confirmed {
		return rep, nil
	}
	rep.Local = &FlushReport{}
	if err := flushModel(ctx, m, rep.Local); err != nil {
		return rep, err
	}
	if err := r.deleteRemote(ctx, m, rep); err != nil {
		return rep, err
	}
	err = r.updateManifest(ctx, m.loc.dir, false, func(mf *Manifest) error { return removeEntry(mf, m.Name()) })
	rep.ManifestUpdated = err == nil
	return rep, err
}

func removeEntry(mf *Manifest, name string) error {
	for i, e := range mf.Models {
		if e.raw == nil && e.Name() == name {
			mf.Models = append(mf.Models[:i], mf.Models[i+1:]...)
			return nil
		}
	}
	return fmt.Errorf("registry: %s vanished from the manifest: %w", name, ErrNotFound)
}

func (r *Registry) deleteRemote(ctx context.Context, m *Model, rep *DeleteReport) error {
	if m.Manager == nil {
		rep.Remote = "none: the model has no manager"
		return nil
	}
	mgr, key, err := r.openManager(ctx, m, *m.Manager)
	if err != nil {
		return err
	}
	defer closeManager(mgr)
	d, ok := mgr.(Deleter)
	if !ok {
		rep.Remote = fmt.Sprintf("left alone: the %s manager cannot delete", m.Manager.Type)
		return nil
	}
	keys := []string{key}
	if len(m.Files) > 0 && !m.extracts() {
		keys = keys[:0]
		for _, f := range m.Files {
			keys = append(keys, key+"/"+f.Path)
		}
	}
	rep.Remote = "deleted"
	for _, k := range keys {
		err := d.Delete(ctx, k)
		if errors.Is(err, ErrNotFound) {
			rep.Remote = "already absent"
			continue
		}
		if err != nil {
			return fmt.Errorf("registry: delete remote copy of %s: %w", m.Name(), err)
		}
	}
	rep.RemoteDeleted = true
	return nil
}
