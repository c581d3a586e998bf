package registry

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/internal/stamp"
)

// FlushOptions configures the Flush methods. A nil *FlushOptions is the
// zero value.
type FlushOptions struct {
	// Keep is the number of versions of each model FlushOld keeps; nil means
	// Options.MaxVersionsToKeep, and a negative number keeps all.
	Keep *int
	// DryRun reports what would be removed without removing anything.
	DryRun bool
}

// FlushReport says what a flush removed (or, for a dry run, would remove).
type FlushReport struct {
	DryRun  bool
	Models  []string // full names of the models flushed
	Files   []string // paths removed: files, or directories with their contents
	Bytes   int64    // bytes freed
	Skipped []string // models kept because they are held (see Registry.Hold)
	// Aliased lists the models kept because aliases point at them, as
	// "name@version (alias a, b)"; see [Registry.SetAlias].
	Aliased []string
	// Sources are models kept because their manager reads their local
	// copy (a "file" manager over the model's own directory): it is the
	// only copy. Delete the model to remove it.
	Sources []string
}

// Flush removes the local copy of the model (its file, multi-file directory
// or extracted archive, and the archive); the manifest is untouched and the
// model can be downloaded again. A copy that is its manager's source is
// kept (FlushReport.Sources). A bare name flushes only the latest
// version, as in ETA. Flushing a manager-less model does nothing.
//
// No flush (Flush, FlushOld, FlushDir, FlushAll) removes a version that an
// alias points at: it is listed in FlushReport.Aliased instead, dry run or
// not. Remove or move the alias to flush it.
func (r *Registry) Flush(ctx context.Context, name string, opts *FlushOptions) (*FlushReport, error) {
	opts = flushDefaults(opts)
	m, err := r.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	rep := &FlushReport{DryRun: opts.DryRun}
	aliases, err := r.aliasesPointingAt(ctx, m)
	if err != nil || keepAliased(m, aliases, rep) {
		return rep, err
	}
	return rep, flushCopy(ctx, m, rep)
}

// keepAliased reports whether aliases point at m, and then lists it in
// rep.Aliased when it has a local copy.
func keepAliased(m *Model, aliases []string, rep *FlushReport) bool {
	if len(aliases) == 0 {
		return false
	}
	if _, err := os.Lstat(m.filePath()); m.filePath() != "" && err == nil {
		rep.Aliased = append(rep.Aliased, fmt.Sprintf("%s (alias %s)", m.Name(), strings.Join(aliases, ", ")))
	}
	return true
}

func flushDefaults(o *FlushOptions) *FlushOptions {
	if o == nil {
		return &FlushOptions{}
	}
	return o
}

// FlushOld keeps the newest Keep downloaded versions of each model (by base
// name, across the search path; an unversioned model counts as the oldest)
// and flushes the others, oldest first. With Keep < 0 it does nothing.
// Versions held by this process are never flushed, nor older versions that
// an alias points at (listed in FlushReport.Aliased); an aliased version
// among the newest Keep counts as one of them.
func (r *Registry) FlushOld(ctx context.Context, opts *FlushOptions) (*FlushReport, error) {
	opts = flushDefaults(opts)
	keep := r.cfg.maxKeep
	if opts.Keep != nil {
		keep = *opts.Keep
	}
	rep := &FlushReport{DryRun: opts.DryRun}
	ix, err := r.index(ctx)
	if err != nil || keep < 0 {
		return rep, err
	}
	for _, base := range slices.Sorted(maps.Keys(ix.byBase)) {
		if err := r.flushOldOf(ctx, ix, ix.byBase[base], keep, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (r *Registry) flushOldOf(ctx context.Context, ix *index, ms []*Model, keep int, rep *FlushReport) error {
	var have []*Model
	for _, m := range ms {
		if m.HasManager() && m.BaseFilename != "" && r.checkLocal(ctx, m, false) == nil {
			have = append(have, m)
		}
	}
	slices.SortFunc(have, func(a, b *Model) int { return CompareVersions(a.Version, b.Version) })
	for i := 0; i < len(have)-keep; i++ {
		if keepAliased(have[i], ix.aliasesOf(have[i]), rep) {
			continue
		}
		if r.held(have[i]) {
			rep.Skipped = append(rep.Skipped, have[i].Name())
			continue
		}
		if err := flushCopy(ctx, have[i], rep); err != nil {
			return err
		}
	}
	return nil
}

// FlushDir flushes every model declared by the manifest in dir, which need
// not be on the search path. A dir without a manifest gives an error
// wrapping [ErrNotFound].
func (r *Registry) FlushDir(ctx context.Context, dir string, opts *FlushOptions) (*FlushReport, error) {
	opts = flushDefaults(opts)
	l, err := r.loadDir(dir)
	if err != nil {
		return nil, err
	}
	rep := &FlushReport{DryRun: opts.DryRun}
	return rep, flushLoaded(ctx, l, rep)
}

// FlushAll flushes every model of every manifest on the search path.
func (r *Registry) FlushAll(ctx context.Context, opts *FlushOptions) (*FlushReport, error) {
	opts = flushDefaults(opts)
	ls, _, err := r.manifests(ctx)
	if err != nil {
		return nil, err
	}
	rep := &FlushReport{DryRun: opts.DryRun}
	for _, l := range ls {
		if err := flushLoaded(ctx, l, rep); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

// loadDir reads the manifest of a directory given by the caller.
func (r *Registry) loadDir(dir string) (loaded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return loaded{}, err
	}
	p := filepath.Join(abs, ManifestFile)
	m, err := r.readManifest(p, func() (fs.FileInfo, error) { return os.Stat(p) }, func() ([]byte, error) { return os.ReadFile(p) })
	if os.IsNotExist(err) {
		return loaded{}, fmt.Errorf("registry: %s has no %s (run init first?): %w", abs, ManifestFile, ErrNotFound)
	}
	if err != nil {
		return loaded{}, fmt.Errorf("registry: %s: %w", p, err)
	}
	var warns []Warning
	ls, warns := r.addLoaded(nil, warns, p, m, nil, r.dirLocation(abs, p))
	if len(ls) == 0 {
		return loaded{}, fmt.Errorf("registry: %s", warns[0])
	}
	return ls[0], nil
}

func flushLoaded(ctx context.Context, l loaded, rep *FlushReport) error {
	all, _ := l.m.Aliases() // a malformed "aliases" protects nothing, as it points at nothing
	aliasesOf := func(m *Model) []string {
		return slices.DeleteFunc(aliasesTo(all, m.BaseName, m.Version), func(a string) bool {
			return l.m.entry(Ref{Name: m.BaseName, Version: a}.String()) != nil // shadowed by a version
		})
	}
	for _, e := range l.m.Models {
		if e.err != nil {
			continue // its file name may not be safe to touch
		}
		m := e.clone()
		m.loc = l.loc
		if keepAliased(m, aliasesOf(m), rep) {
			continue
		}
		if err := flushCopy(ctx, m, rep); err != nil {
			return err
		}
	}
	return nil
}

// flushModel removes (or, for a dry run, measures) the local copy of m. It
// holds the model's download lock meanwhile, so that it never removes a
// download or an extraction half-way through (it waits for the one running).
func flushModel(ctx context.Context, m *Model, rep *FlushReport) error {
	file := m.filePath()
	if file == "" {
		return nil
	}
	if err := checkNoLinks(m.loc.data, path.Dir(m.Filename())); err != nil {
		return fmt.Errorf("registry: flush %s: %w", m.Name(), err)
	}
	if !rep.DryRun {
		unlock, err := lockFile(ctx, lockPath(file))
		if err != nil {
			return fmt.Errorf("registry: flush %s: %w", m.Name(), err)
		}
		defer unlock()
		// Again: the lock may have taken long to come (a download
		// running), and a directory on the way replaced by a link since.
		if err := checkNoLinks(m.loc.data, path.Dir(m.Filename())); err != nil {
			return fmt.Errorf("registry: flush %s: %w", m.Name(), err)
		}
		if m.extracts() {
			// First, so that a flush cut short never leaves a partial
			// tree that counts as extracted.
			os.Remove(filepath.Join(m.Path(), markerFile)) // errors show in the removal below
		}
	}
	paths := []string{file}
	if p := m.Path(); p != file {
		paths = append(paths, p)
	}
	found := false
	for _, p := range paths {
		n, err := diskUsage(p)
		if os.IsNotExist(err) {
			continue
		}
		if err != nil {
			return err
		}
		found = true
		rep.Files = append(rep.Files, p)
		rep.Bytes += n
		if !rep.DryRun {
			if err := removeTree(m.loc.data, p); err != nil {
				return fmt.Errorf("registry: flush %s: %w", m.Name(), err)
			}
		}
	}
	if found {
		rep.Models = append(rep.Models, m.Name())
	}
	if !rep.DryRun {
		cleanLeftovers(file)
		if p := m.Path(); p != file {
			reclaimLeftovers(p)
		}
		removeEmptyParents(filepath.Dir(file), m.loc.data)
	}
	return nil
}

// removeTree removes the file or directory tree p, which lies below the
// directory root, through an [os.Root] opened on root: a directory on the
// way that was replaced by a symbolic link to elsewhere fails the removal
// instead of removing what the link points at. A directory (an extracted
// archive, a multi-file model) is first renamed to a temp name beside it,
// so that the model's path is gone at once, whatever a check that started
// before the flush still writes into the old tree (the verification stamp
// it refreshes, which made the removal fail with "directory not empty");
// the detached tree is then removed, again if such a write refilled it. A
// tree that still cannot be removed stays under its temp name, which a
// later download or gc reclaims once this process is gone: the model is
// flushed either way.
func removeTree(root, p string) error {
	rel, err := filepath.Rel(root, p)
	if err != nil || !filepath.IsLocal(rel) {
		return fmt.Errorf("registry: %s is not below %s", p, root)
	}
	r, err := os.OpenRoot(root)
	if err != nil {
		return err
	}
	defer r.Close()
	fi, err := r.Lstat(rel)
	switch {
	case os.IsNotExist(err):
		return nil
	case err != nil:
		return err
	case !fi.IsDir():
		return r.Remove(rel)
	}
	tmp := filepath.Join(filepath.Dir(rel), atomicfile.TempPrefix(p)+atomicfile.OwnerTag()+"flush-"+randSuffix())
	if err := r.Rename(rel, tmp); err != nil {
		return r.RemoveAll(rel)
	}
	for range 3 {
		if r.RemoveAll(tmp) == nil {
			break
		}
	}
	return nil
}

// cleanLeftovers removes the lock file of a flushed model, which the caller
// holds (a waiter then locks a new one), its stamp, and the leftovers of
// dead processes and stopped downloads (see reclaimLeftovers); temp files
// of downloads still running are left to their owners.
func cleanLeftovers(file string) {
	os.Remove(lockPath(file))
	stamp.Remove(file)
	reclaimLeftovers(file)
}

func diskUsage(p string) (int64, error) {
	var n int64
	err := filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if info, err := d.Info(); err == nil && info.Mode().IsRegular() {
			n += info.Size()
		}
		return nil
	})
	return n, err
}

// removeEmptyParents removes dir and its parents while they are empty,
// stopping at stop (never removed).
func removeEmptyParents(dir, stop string) {
	for dir != stop && strings.HasPrefix(dir, stop+string(filepath.Separator)) {
		if os.Remove(dir) != nil {
			return
		}
		dir = filepath.Dir(dir)
	}
}
