package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
)

// Registry resolves model names against the manifests on a search path and
// manages the local copies of the models. It is safe for concurrent use.
type Registry struct {
	cfg *config
	log *slog.Logger

	mu       sync.Mutex
	cache    map[string]*cachedManifest // by manifest path
	writable map[string]bool            // by directory
	ix       *index                     // the last index built, see Registry.index

	holdMu sync.Mutex
	holds  map[string]int // local path → open holds

	// manifestEdited, when set (by tests), is called with the manifest's
	// path once an edit is encoded, just before the check that the file
	// did not change, so that a test can change it there.
	manifestEdited func(path string)
	// manifestWriter, when set (by tests), writes manifests instead of
	// atomicfile.WriteFile.
	manifestWriter func(p string, data []byte, perm fs.FileMode) error
}

// New returns a Registry configured by opts (nil means defaults, see
// [Options]). It does no I/O beyond reading the environment: manifests are
// read when first needed and re-read whenever they change on disk.
func New(opts *Options) (*Registry, error) {
	cfg, err := resolveOptions(opts)
	if err != nil {
		return nil, err
	}
	return &Registry{
		cfg:      cfg,
		log:      cfg.log,
		cache:    map[string]*cachedManifest{},
		writable: map[string]bool{},
		holds:    map[string]int{},
	}, nil
}

// Dirs returns the models search path (absolute directories, in order).
func (r *Registry) Dirs() []string { return append([]string(nil), r.cfg.dirs...) }

// Warning reports a problem that does not stop the registry: a manifest that
// cannot be read, an entry that cannot be used, a duplicate name.
type Warning struct {
	Manifest string // the manifest concerned
	Model    string // the entry's name, when the warning is about one
	Err      error
}

// String returns the warning as one line: manifest, model and cause.
func (w Warning) String() string {
	if w.Model != "" {
		return fmt.Sprintf("%s: %s: %v", w.Manifest, w.Model, w.Err)
	}
	return fmt.Sprintf("%s: %v", w.Manifest, w.Err)
}

type cachedManifest struct {
	info fs.FileInfo
	m    *Manifest
	err  error
}

// loaded is one manifest on the search path.
type loaded struct {
	loc *location
	m   *Manifest
}

// manifests reads (or takes from the cache) every manifest on the search
// path, in order; manifests that cannot be read become warnings.
func (r *Registry) manifests(ctx context.Context) ([]loaded, []Warning, error) {
	var out []loaded
	var warns []Warning
	var seen []fs.FileInfo
	for _, dir := range r.cfg.dirs {
		if err := ctx.Err(); err != nil {
			return nil, nil, err
		}
		p := filepath.Join(dir, ManifestFile)
		if readTwice(&seen, p) {
			r.log.Debug("manifest already read from an earlier models dir (a link)", "manifest", p)
			continue
		}
		m, err := r.readManifest(p, func() (fs.FileInfo, error) { return os.Stat(p) }, func() ([]byte, error) { return os.ReadFile(p) })
		if errors.Is(err, fs.ErrNotExist) {
			r.log.Debug("models dir has no manifest", "dir", dir)
			continue
		}
		out, warns = r.addLoaded(out, warns, p, m, err, r.dirLocation(dir, p))
	}
	for _, c := range r.cfg.catalogs {
		p := "catalog:" + c.Name + "/" + ManifestFile
		m, err := r.readManifest(p, func() (fs.FileInfo, error) { return fs.Stat(c.FS, ManifestFile) },
			func() ([]byte, error) { return fs.ReadFile(c.FS, ManifestFile) })
		if errors.Is(err, fs.ErrNotExist) {
			warns = append(warns, Warning{Manifest: p, Err: fmt.Errorf("catalog has no %s", ManifestFile)})
			continue
		}
		loc := &location{manifest: p, fsys: c.FS, data: filepath.Join(r.cfg.cacheDir, c.Name), catalog: c.Name}
		out, warns = r.addLoaded(out, warns, p, m, err, loc)
	}
	return out, warns, nil
}

func (r *Registry) addLoaded(out []loaded, warns []Warning, p string, m *Manifest, err error, loc *location) ([]loaded, []Warning) {
	if err != nil {
		r.log.Warn("skipping manifest", "manifest", p, "err", err)
		return out, append(warns, Warning{Manifest: p, Err: fmt.Errorf("skipped: %w", err)})
	}
	if m.Name != "" {
		if err := checkLocalPath(m.Name); err != nil {
			return out, append(warns, Warning{Manifest: p, Err: fmt.Errorf("skipped: manifest name: %w", err)})
		}
		loc.subdir = m.Name
	}
	return append(out, loaded{loc: loc, m: m}), warns
}

func (r *Registry) dirLocation(dir, manifest string) *location {
	loc := &location{manifest: manifest, dir: dir, fsys: os.DirFS(dir), data: dir}
	if !r.isWritable(dir) && r.cfg.cacheDir != "" {
		sum := sha256.Sum256([]byte(dir))
		loc.data = filepath.Join(r.cfg.cacheDir, filepath.Base(dir)+"-"+hex.EncodeToString(sum[:4]))
	}
	return loc
}

// isWritable probes (once per Registry) whether files can be created in dir.
func (r *Registry) isWritable(dir string) bool {
	r.mu.Lock()
	w, ok := r.writable[dir]
	r.mu.Unlock()
	if ok {
		return w
	}
	f, err := os.CreateTemp(dir, ".modelreg-probe-*")
	if errors.Is(err, fs.ErrNotExist) {
		return true // not created yet: whoever creates it can write to it
	}
	if err == nil {
		f.Close()
		os.Remove(f.Name())
	}
	r.mu.Lock()
	r.writable[dir] = err == nil
	r.mu.Unlock()
	return err == nil
}

// readManifest returns the parsed manifest at key, re-reading it only when
// its size, modification time or identity (inode) changed.
func (r *Registry) readManifest(key string, stat func() (fs.FileInfo, error), read func() ([]byte, error)) (*Manifest, error) {
	info, err := stat()
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	c := r.cache[key]
	r.mu.Unlock()
	if c != nil && sameFile(c.info, info) {
		return c.m, c.err
	}
	if err := r.checkManifestSize(key, info.Size()); err != nil {
		return nil, err
	}
	data, err := read()
	if err != nil {
		return nil, err
	}
	if err := r.checkManifestSize(key, int64(len(data))); err != nil {
		return nil, err // it grew since
	}
	m, perr := parseManifest(data, false) // read-only: no text kept
	if perr != nil {
		perr = fmt.Errorf("not a valid manifest: %w", perr)
	}
	r.mu.Lock()
	r.cache[key] = &cachedManifest{info: info, m: m, err: perr}
	r.mu.Unlock()
	return m, perr
}

func sameFile(a, b fs.FileInfo) bool {
	if a.Size() != b.Size() || !a.ModTime().Equal(b.ModTime()) {
		return false
	}
	if a.Sys() == nil || b.Sys() == nil {
		return true
	}
	return os.SameFile(a, b)
}

// forget drops the cached copy of a manifest after the registry wrote it.
func (r *Registry) forget(path string) {
	r.mu.Lock()
	delete(r.cache, path)
	r.mu.Unlock()
}
