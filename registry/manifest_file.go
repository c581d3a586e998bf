package registry

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
)

// ErrManifestChanged reports a manifest that changed on disk while the
// registry was editing it: edited by hand, or by a program that does not
// take the manifest's lock. Nothing was written; run the edit again.
var ErrManifestChanged = errors.New("registry: manifest changed during the edit")

// checkUnchanged returns an error wrapping [ErrManifestChanged] when the
// manifest at p no longer holds was (nil: p did not exist), so that an
// edit made beside the registry's lock is not overwritten.
func checkUnchanged(p string, was []byte) error {
	now, err := os.ReadFile(p)
	switch {
	case errors.Is(err, fs.ErrNotExist) && was == nil:
		return nil
	case err == nil && was != nil && bytes.Equal(now, was):
		return nil
	}
	return fmt.Errorf("registry: %s changed while it was being edited (by hand, or by a program that does not take %s); nothing was written: run the edit again: %w",
		p, "."+ManifestFile+".lock", ErrManifestChanged)
}

// ErrReadOnly reports a manifest that the registry reads but will not
// edit: one without write permission. Make it writable to edit it.
var ErrReadOnly = errors.New("registry: read-only manifest")

// manifestPerm returns the permission bits the manifest at p is rewritten
// with: its own, so that an edit neither opens a private manifest to
// others nor makes a read-only one writable (0o644 when p does not exist).
// A manifest without write permission wraps [ErrReadOnly]; one that is a
// symbolic link wraps [ErrSymlink]: the rename that replaces it would
// replace the link with a file and leave the manifest it points to as it
// was, so the registry reads through such links but edits nothing through
// them.
func manifestPerm(p string) (fs.FileMode, error) {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0o644, nil
	case err != nil:
		return 0, fmt.Errorf("registry: %w", err)
	case st.Mode()&fs.ModeSymlink != 0:
		target, _ := os.Readlink(p)
		return 0, fmt.Errorf("registry: %s is a symbolic link to %s; the registry reads manifests through links but edits nothing through them: put the directory of %s on the search path to edit it there, or replace the link with a copy: %w",
			p, target, target, ErrSymlink)
	case !st.Mode().IsRegular():
		return 0, fmt.Errorf("registry: %s is not a regular file (%v): %w", p, st.Mode().Type(), ErrInvalidEntry)
	case st.Mode().Perm()&0o222 == 0:
		return 0, fmt.Errorf("registry: %s is read-only (mode %04o); make it writable (chmod u+w) to edit it: %w", p, st.Mode().Perm(), ErrReadOnly)
	}
	return st.Mode().Perm(), nil
}

// readTwice reports whether the manifest at p is a file already in seen: a
// models directory that links to another one on the search path, or a
// manifest that links to another's. Such a manifest is read once, at its
// first place on the path, so that an edit through one path (moving an
// alias, which removes the old definition from the other manifests) does
// not find its own result again under the other. Otherwise p is added to
// seen.
func readTwice(seen *[]fs.FileInfo, p string) bool {
	st, err := os.Stat(p)
	if err != nil {
		return false
	}
	for _, s := range *seen {
		if os.SameFile(s, st) {
			return true
		}
	}
	*seen = append(*seen, st)
	return false
}

// checkGrowth returns a *ManifestTooLargeError (wrapped) when adding m to
// mf, the manifest at p, would make it larger than the registry reads, so
// that Publish refuses before it uploads rather than when it registers.
func (r *Registry) checkGrowth(p string, mf *Manifest, m *Model) error {
	grown := *mf
	grown.Models = append(slices.Clone(mf.Models), m.clone())
	data, err := grown.Marshal()
	if err != nil {
		return nil // the edit itself reports it
	}
	if err := r.checkManifestSize(p, int64(len(data))); err != nil {
		return fmt.Errorf("registry: register %s refused (it would make the manifest larger than the registry reads): %w", m.Name(), err)
	}
	return nil
}
