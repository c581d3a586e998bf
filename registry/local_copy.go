package registry

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"

	"github.com/modelreg/modelreg/internal/stamp"
)

// DownloadedOptions are the options of [Registry.IsDownloaded]; nil means
// the defaults.
type DownloadedOptions struct {
	// Rehash hashes every file again instead of trusting its verification
	// stamp.
	Rehash bool
}

// IsDownloaded reports whether a verified local copy of the model exists:
// every file present with the manifest's size and sha256, or, for an
// extracted archive, the completion marker present and every file it
// records unchanged. A sha256 is trusted from the file's verification stamp
// while the file's size, modification time and inode are unchanged, and
// checked again otherwise; [DownloadedOptions].Rehash re-hashes every file
// regardless. A manager-less model gives false and an error wrapping
// [ErrNotManaged].
func (r *Registry) IsDownloaded(ctx context.Context, name string, opts *DownloadedOptions) (bool, error) {
	if opts == nil {
		opts = &DownloadedOptions{}
	}
	m, err := r.managed(ctx, name)
	if err != nil {
		return false, err
	}
	err = r.checkLocal(ctx, m, opts.Rehash)
	var de *DigestError
	if err == nil || errors.Is(err, ErrNotDownloaded) || errors.As(err, &de) {
		return err == nil, nil
	}
	return false, err
}

// Verify re-hashes the local copy of the model. It returns nil when every
// file matches the manifest (files without a sha256 are checked by size),
// a *DigestError on a mismatch, and an error wrapping [ErrNotDownloaded]
// when there is no local copy.
func (r *Registry) Verify(ctx context.Context, name string) error {
	m, err := r.managed(ctx, name)
	if err != nil {
		return err
	}
	return r.checkLocal(ctx, m, true)
}

// checkLocal checks the local copy of m; see IsDownloaded and Verify. A
// file with a sha256 in the manifest counts only when its verification stamp
// matches or it is hashed again (see checkPresent); hash hashes every file
// whatever its stamp.
func (r *Registry) checkLocal(ctx context.Context, m *Model, hash bool) error {
	if m.extracts() {
		return checkExtracted(ctx, m, hash)
	}
	if len(m.Files) > 0 {
		return checkFiles(ctx, m.filePath(), m.Files, hash)
	}
	return checkPresent(ctx, m.filePath(), m.Size(), m.SHA256, hash)
}

func checkExtracted(ctx context.Context, m *Model, hash bool) error {
	mk, err := readMarker(m.Path())
	if err != nil {
		return err
	}
	if err := checkMarkerFiles(ctx, m.Path(), mk, hash); err != nil {
		return err
	}
	if err := checkFiles(ctx, m.Path(), m.Files, hash); err != nil {
		return err
	}
	if hash && m.SHA256 != "" {
		err := verifyFile(ctx, m.filePath(), m.Size(), m.SHA256)
		if !errors.Is(err, ErrNotDownloaded) {
			return err // the archive was kept: check it too
		}
	}
	return nil
}

func checkFiles(ctx context.Context, root string, files []File, hash bool) error {
	for _, f := range files {
		if err := checkPresent(ctx, filepath.Join(root, filepath.FromSlash(f.Path)), sizeOf(f.SizeBytes), f.SHA256, hash); err != nil {
			return err
		}
	}
	return nil
}

// LocalFile is a file of a model's local copy, with what the manifest
// expects of it.
type LocalFile struct {
	Path   string // absolute local path
	Size   int64  // expected size; -1 when the manifest does not say
	SHA256 string // expected sha256; "" when the manifest does not say
}

// LocalFiles lists the files of the model's local copy with their expected
// size and sha256; they exist once the model is downloaded. For an archive
// whose manifest lists no "files", they are the files the extraction
// recorded, with their size and sha256 (or, for an extraction recorded
// without them, the extracted tree walked, Size -1); this needs the model
// downloaded, else the error wraps [ErrNotDownloaded].
func (r *Registry) LocalFiles(ctx context.Context, name string) ([]LocalFile, error) {
	m, err := r.managed(ctx, name)
	if err != nil {
		return nil, err
	}
	switch {
	case len(m.Files) > 0:
		root := m.Path()
		out := make([]LocalFile, len(m.Files))
		for i, f := range m.Files {
			out[i] = LocalFile{Path: filepath.Join(root, filepath.FromSlash(f.Path)), Size: sizeOf(f.SizeBytes), SHA256: f.SHA256}
		}
		return out, nil
	case m.extracts():
		return walkExtracted(m.Path())
	}
	return []LocalFile{{Path: m.Path(), Size: m.Size(), SHA256: m.SHA256}}, nil
}

func walkExtracted(root string) ([]LocalFile, error) {
	mk, err := readMarker(root)
	if err != nil {
		return nil, err
	}
	if len(mk.Files) > 0 {
		out := make([]LocalFile, len(mk.Files))
		for i, f := range mk.Files {
			out[i] = LocalFile{Path: filepath.Join(root, filepath.FromSlash(f.Path)), Size: f.Size, SHA256: f.SHA256}
		}
		return out, nil
	}
	var out []LocalFile
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !(d.Name() == markerFile && filepath.Dir(p) == root) && !stamp.IsStamp(d.Name()) {
			out = append(out, LocalFile{Path: p, Size: -1})
		}
		return err
	})
	return out, err
}

// Hold pins the local copy of the model so that [Registry.FlushOld] never
// removes it while it is in use by this process. release undoes it and may
// be called more than once.
func (r *Registry) Hold(ctx context.Context, name string) (release func(), err error) {
	m, err := r.managed(ctx, name)
	if err != nil {
		return nil, err
	}
	key := m.filePath()
	r.holdMu.Lock()
	r.holds[key]++
	r.holdMu.Unlock()
	done := false
	return func() {
		r.holdMu.Lock()
		defer r.holdMu.Unlock()
		if !done {
			done = true
			if r.holds[key]--; r.holds[key] <= 0 {
				delete(r.holds, key)
			}
		}
	}, nil
}

func (r *Registry) held(m *Model) bool {
	r.holdMu.Lock()
	defer r.holdMu.Unlock()
	return r.holds[m.filePath()] > 0
}
