package registry

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// RegisterOptions configures [Registry.Register]. A nil *RegisterOptions is
// the zero value.
type RegisterOptions struct {
	// Dir is the models directory whose manifest receives the entry; ""
	// means the directory recommended by [Registry.RecommendPaths].
	Dir string
	// DryRun runs every check and returns the prospective record without
	// writing anything.
	DryRun bool
}

// Register adds the entry m to the manifest of a models directory (created
// and initialised if needed) and returns the record as the registry now
// sees it. It runs ETA's checks first, each failing with an error wrapping
// [ErrExists]: the full name must not exist anywhere on the search path, an
// unversioned name must not be the base name of versioned models and vice
// versa, and the versioned file name must be free in that manifest. An
// empty DateAdded is set to the current local time. Register does not
// upload anything; see [Registry.Publish].
func (r *Registry) Register(ctx context.Context, m *Model, opts *RegisterOptions) (*Model, error) {
	if opts == nil {
		opts = &RegisterOptions{}
	}
	m = m.clone()
	m.loc, m.raw, m.err = nil, nil, nil
	if err := m.validate(); err != nil {
		return nil, err
	}
	if err := checkManager(m); err != nil {
		return nil, err
	}
	if m.BaseFilename == "" {
		return nil, fmt.Errorf("registry: register %s: no base_filename (the file name the local copy gets): it could never be downloaded: %w", m.Name(), ErrInvalidEntry)
	}
	dir, err := r.registerDir(ctx, m, opts.Dir)
	if err != nil {
		return nil, err
	}
	mf, err := r.checkClashes(ctx, m, dir)
	if err != nil {
		return nil, err
	}
	if m.DateAdded == "" {
		m.DateAdded = time.Now().Format("2006-01-02 15:04:05")
	}
	m.loc = r.dirLocation(dir, filepath.Join(dir, ManifestFile))
	if checkLocalPath(mf.Name) == nil {
		m.loc.subdir = mf.Name
	}
	if err := r.checkOpens(ctx, m); err != nil {
		return nil, err
	}
	if opts.DryRun {
		return m, r.checkGrowth(m.loc.manifest, mf, m) // before Publish uploads
	}
	if !slices.Contains(r.cfg.dirs, dir) {
		r.log.Warn("models dir is not on the search path", "dir", dir, "model", m.Name())
	}
	err = r.updateManifest(ctx, dir, true, func(mf *Manifest) error {
		if err := clashInManifest(mf, m); err != nil {
			return err
		}
		if err := registerCollision(mf, filepath.Join(dir, ManifestFile), m); err != nil {
			return err
		}
		mf.Models = append(mf.Models, m.clone())
		return nil
	})
	return m, err
}

// checkOpens opens each manager of m as it will be opened from its
// manifest, so that a config its manager refuses (a "file" path outside the
// models directory, a malformed reference) is refused now rather than at the
// first download. Only errors wrapping [ErrInvalidEntry] count: a manager
// that cannot open for another reason here (no credentials on this host) is
// logged and the entry is registered.
func (r *Registry) checkOpens(ctx context.Context, m *Model) error {
	for _, spec := range m.managerSpecs() {
		mgr, _, err := r.openManager(ctx, m, spec)
		switch {
		case err == nil:
			closeManager(mgr)
		case errors.Is(err, ErrInvalidEntry):
			return fmt.Errorf("registry: register %s: %w", m.Name(), err)
		default:
			r.log.Warn("registering a model whose manager cannot be opened here", "model", m.Name(), "manager", spec.Type, "err", err)
		}
	}
	return nil
}

func (r *Registry) registerDir(ctx context.Context, m *Model, dir string) (string, error) {
	if dir == "" {
		_, rec, err := r.RecommendPaths(ctx, m.Name(), &RecommendOptions{BaseFilename: m.BaseFilename})
		if err != nil {
			return "", err
		}
		dir = rec
	}
	if dir == "" {
		return "", fmt.Errorf("registry: register %s: no models directory given and the search path is empty", m.Name())
	}
	return filepath.Abs(dir)
}

// checkClashes runs ETA's register dry-run checks against the search path
// and the target manifest.
func (r *Registry) checkClashes(ctx context.Context, m *Model, dir string) (*Manifest, error) {
	ix, err := r.index(ctx)
	if err != nil {
		return nil, err
	}
	for _, e := range ix.all {
		if e.BaseName != m.BaseName {
			continue
		}
		switch {
		case e.Version == m.Version:
			return nil, fmt.Errorf("registry: model %q already exists in %s: %w", m.Name(), e.loc.manifest, ErrExists)
		case m.Version == "":
			return nil, fmt.Errorf("registry: cannot register unversioned %q: versioned models of that name exist (%s): %w", m.Name(), e.Name(), ErrExists)
		case e.Version == "":
			return nil, fmt.Errorf("registry: cannot register versioned %q: an unversioned %q exists: %w", m.Name(), e.BaseName, ErrExists)
		}
	}
	if d := ix.aliases[m.BaseName][m.Version]; d != nil {
		return nil, &AliasError{Model: m.BaseName, Alias: m.Version, Version: d.Version,
			Err: fmt.Errorf("cannot register version %q: it is an alias (of %s, in %s): %w", m.Version, d.Version, d.Manifest, ErrAliasTaken)}
	}
	p := filepath.Join(dir, ManifestFile)
	if _, err := manifestPerm(p); err != nil { // before Publish uploads
		return nil, err
	}
	mf, err := readManifestFile(p, true)
	if err != nil {
		return nil, err
	}
	if err := clashInManifest(mf, m); err != nil {
		return mf, err
	}
	return mf, registerCollision(mf, p, m)
}

func clashInManifest(mf *Manifest, m *Model) error {
	fn := VersionedFilename(m.BaseFilename, m.Version)
	for _, e := range mf.Models {
		if e.raw != nil {
			continue
		}
		if e.Name() == m.Name() {
			return fmt.Errorf("registry: model %q already exists in this manifest: %w", m.Name(), ErrExists)
		}
		if fn != "" && VersionedFilename(e.BaseFilename, e.Version) == fn {
			return fmt.Errorf("registry: file name %q is already used by %s: %w", fn, e.Name(), ErrExists)
		}
	}
	return nil
}

// PublishOptions configures [Registry.Publish]. A nil *PublishOptions is
// the zero value.
type PublishOptions struct {
	Dir    string // as RegisterOptions.Dir
	DryRun bool   // check and hash, but upload and write nothing
	// Force overwrites a remote object that another entry uses or that
	// holds other content (see [ObjectConflictError]).
	Force bool
}

// PublishReport says what [Registry.Publish] did.
type PublishReport struct {
	Model    *Model // the registered record, with size and sha256
	Uploaded bool   // false when the manager cannot upload ([Uploader])
	Reused   bool   // the remote object already held these bytes: not uploaded again
	Key      string // the key uploaded to
	Path     string // the local copy made from the published file
	// Manager is the manager spec registered with the entry: the one
	// given, or, for a [Pinner] manager, the one naming the content
	// published (an OCI manifest digest).
	Manager *ManagerSpec
}

// Publish registers the file at src as the model m: it records its size
// and sha256 in the entry (a BaseFilename left empty becomes src's base
// name), uploads it through the entry's manager when the manager implements
// [Uploader], registers the entry, and copies src to the model's local path
// so that it counts as downloaded. A manager that cannot upload leaves the
// upload to someone else, as ETA's publishing did; the report says so.
// The checks of [Registry.Register] run before anything is uploaded, and
// so does the check of the remote object (see [ObjectConflictError]): an
// object that another entry uses, or that exists with other content, is
// not overwritten unless opts.Force; one that already holds the same bytes
// (same size, and the same sha256 when read back) is reused, not uploaded.
// A manager that is a [Pinner] (an OCI registry) names what it stored by
// content: the entry is registered with the config it returns (the
// manifest digest), reported in PublishReport.Manager.
func (r *Registry) Publish(ctx context.Context, src string, m *Model, opts *PublishOptions) (*PublishReport, error) {
	if opts == nil {
		opts = &PublishOptions{}
	}
	m = m.clone()
	size, sum, err := hashFile(ctx, src)
	if err != nil {
		return nil, fmt.Errorf("registry: publish: %w", err)
	}
	m.SizeBytes, m.SHA256 = &size, sum
	if m.BaseFilename == "" {
		m.BaseFilename = filepath.Base(src)
	}
	if m.Manager == nil {
		return nil, fmt.Errorf("registry: publish %s: the entry needs a manager: %w", m.Name(), ErrInvalidEntry)
	}
	rec, err := r.Register(ctx, m, &RegisterOptions{Dir: opts.Dir, DryRun: true})
	if err != nil {
		return &PublishReport{Model: rec}, err
	}
	rep, err := r.upload(ctx, rec, src, opts)
	if err != nil || opts.DryRun {
		return rep, err
	}
	if rep.Manager != nil {
		m.Manager = rep.Manager
	}
	if rep.Model, err = r.Register(ctx, m, &RegisterOptions{Dir: opts.Dir}); err != nil {
		return rep, err
	}
	return rep, r.copyLocal(rep, src)
}

func (r *Registry) upload(ctx context.Context, m *Model, src string, opts *PublishOptions) (*PublishReport, error) {
	rep := &PublishReport{Model: m}
	mgr, key, err := r.openManager(ctx, m, *m.Manager)
	if err != nil {
		return rep, err
	}
	defer closeManager(mgr)
	up, ok := mgr.(Uploader)
	if !ok {
		r.log.Warn("manager cannot upload; registering only", "model", m.Name(), "manager", m.Manager.Type)
		return rep, nil
	}
	if rep.Reused, err = r.checkTarget(ctx, m, mgr, key, opts.Force); err != nil || opts.DryRun || rep.Reused {
		rep.Key = key
		if err == nil && rep.Reused {
			err = r.pin(ctx, rep, mgr, key)
		}
		return rep, err
	}
	size := *m.SizeBytes
	f, err := os.Open(src)
	if err != nil {
		return rep, err
	}
	defer f.Close()
	if err := up.Upload(ctx, key, f, size); err != nil {
		return rep, fmt.Errorf("registry: upload %s: %w", m.Name(), err)
	}
	rep.Uploaded, rep.Key = true, key
	return rep, r.pin(ctx, rep, mgr, key)
}

// pin sets rep.Manager to the entry's manager spec pinned to the content
// now at key (see [Pinner]).
func (r *Registry) pin(ctx context.Context, rep *PublishReport, mgr Manager, key string) error {
	spec, err := pinConfig(ctx, mgr, key, *rep.Model.Manager)
	if err != nil {
		return err
	}
	rep.Manager = &spec
	return nil
}

// copyLocal installs the published file as the model's local copy.
func (r *Registry) copyLocal(rep *PublishReport, src string) error {
	m := rep.Model
	dest := m.filePath()
	if m.extracts() || len(m.Files) > 0 || dest == "" || sameFilePath(src, dest) {
		return nil // an archive is extracted by the next Download
	}
	if err := checkModelDirs(m); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := atomicfile.Write(dest, f, 0o644); err != nil {
		return fmt.Errorf("registry: publish %s: copy to %s: %w", m.Name(), dest, err)
	}
	rep.Path = dest
	return nil
}

func sameFilePath(a, b string) bool {
	sa, err1 := os.Stat(a)
	sb, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(sa, sb)
}

// RecommendOptions are the explicit choices [Registry.RecommendPaths]
// starts from. A nil *RecommendOptions is the zero value.
type RecommendOptions struct {
	ModelPath    string // a local file of the model, if any
	BaseFilename string
	Dir          string
}

// RecommendPaths suggests the base_filename and models directory for a new
// model named name, as ETA does: explicit values first, then those of the
// latest existing version of the same base name, then the base name and
// directory of ModelPath, then (for the directory) the first directory on
// the search path. Either result may be "" when nothing applies.
func (r *Registry) RecommendPaths(ctx context.Context, name string, opts *RecommendOptions) (baseFilename, dir string, err error) {
	if opts == nil {
		opts = &RecommendOptions{}
	}
	ref, err := ParseRef(name)
	if err != nil {
		return "", "", err
	}
	baseFilename, dir = opts.BaseFilename, opts.Dir
	if ix, err := r.index(ctx); err != nil {
		return "", "", err
	} else if prev := ix.byBase[ref.Name]; len(prev) > 0 {
		l := latest(prev)
		baseFilename = cmp.Or(baseFilename, l.BaseFilename)
		if l.loc.dir != "" {
			dir = cmp.Or(dir, l.loc.dir)
		}
	}
	if opts.ModelPath != "" {
		baseFilename = cmp.Or(baseFilename, filepath.Base(opts.ModelPath))
		dir = cmp.Or(dir, filepath.Dir(opts.ModelPath))
	}
	if dir == "" && len(r.cfg.dirs) > 0 {
		dir = r.cfg.dirs[0]
	}
	return baseFilename, dir, nil
}
