package registry

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
)

// ignoreSizes returns the copy of m that a download with
// [DownloadOptions].IgnoreSize works on: every size_bytes unknown, every
// sha256 kept. The returned func records the sizes that arrive (wrapping
// progress, which may be nil); the last one, called once the download is
// over, logs for each file that arrived with another size than the manifest
// states a warning naming the entry, the file and both sizes, and returns
// those files' sizes.
func (r *Registry) ignoreSizes(m *Model, progress func(Event)) (*Model, func(Event), func() map[string]int64) {
	c := *m
	stated := statedSizes(m)
	c.SizeBytes = nil
	c.Files = nil
	for _, f := range m.Files {
		c.Files = append(c.Files, File{Path: f.Path, SHA256: f.SHA256})
	}
	var mu sync.Mutex
	got := map[string]int64{}
	wrapped := func(e Event) {
		if e.Kind == EventVerify {
			mu.Lock()
			got[e.File] = e.Done
			mu.Unlock()
		}
		if progress != nil {
			progress(e)
		}
	}
	differ := func() map[string]int64 {
		mu.Lock()
		defer mu.Unlock()
		diff := map[string]int64{}
		for file, n := range got {
			if want, ok := stated[file]; ok && want != n {
				r.log.Warn("size check skipped: the file's size differs from the manifest's size_bytes",
					"model", m.Name(), "manifest", m.ManifestPath(), "file", file, "size_bytes", want, "got", n, "sha256_checked", m.sha256Of(file) != "")
				diff[file] = n
			}
		}
		return diff
	}
	return &c, wrapped, differ
}

// statedSizes returns the sizes m's manifest entry states, by file: its own
// file's (base_filename) and those of its Files.
func statedSizes(m *Model) map[string]int64 {
	stated := map[string]int64{}
	if m.SizeBytes != nil {
		stated[m.BaseFilename] = *m.SizeBytes
	}
	for _, f := range m.Files {
		if f.SizeBytes != nil {
			stated[f.Path] = *f.SizeBytes
		}
	}
	return stated
}

// presentSizes returns, for a copy of m that is in place and verified, the
// sizes on disk of its files that differ from the ones the manifest states
// (a FixSize download uses it when no file arrived: the copy was in place
// before). An extracted archive keeps no archive to measure, and gives none.
func presentSizes(m *Model) map[string]int64 {
	diff := map[string]int64{}
	if m.extracts() {
		return diff
	}
	for file, want := range statedSizes(m) {
		p := m.filePath()
		if file != m.BaseFilename || len(m.Files) > 0 {
			p = filepath.Join(m.Path(), filepath.FromSlash(file))
		}
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Size() != want {
			diff[file] = st.Size()
		}
	}
	return diff
}

// fixSizes corrects, in m's manifest, the size_bytes of m's files listed in
// got to the sizes given there ([DownloadOptions].FixSize): one member of
// the entry changes per file, and a size that someone corrected meanwhile is
// left as it is.
func (r *Registry) fixSizes(ctx context.Context, m *Model, got map[string]int64) error {
	if len(got) == 0 {
		return nil
	}
	if m.loc.dir == "" {
		return fmt.Errorf("registry: %s: size_bytes not corrected: catalog %q is read-only: %w", m.Name(), m.loc.catalog, ErrNotSupported)
	}
	stated := statedSizes(m)
	err := r.updateManifest(ctx, m.loc.dir, false, func(mf *Manifest) error {
		i := slices.IndexFunc(mf.Models, func(e *Model) bool { return e.raw == nil && e.Name() == m.Name() })
		if i < 0 {
			return fmt.Errorf("registry: %s vanished from the manifest: %w", m.Name(), ErrNotFound)
		}
		e := mf.Models[i]
		for file, n := range got {
			if file == e.BaseFilename && e.SizeBytes != nil && *e.SizeBytes == stated[file] {
				e.SizeBytes = &n
			}
			for j, f := range e.Files {
				if f.Path == file && f.SizeBytes != nil && *f.SizeBytes == stated[file] {
					e.Files[j].SizeBytes = &n
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("registry: %s is in place, but its size_bytes could not be corrected: %w", m.Name(), err)
	}
	for file, n := range got {
		r.log.Warn("size_bytes corrected in the manifest", "model", m.Name(), "manifest", m.ManifestPath(), "file", file,
			"size_bytes", stated[file], "now", n)
	}
	return nil
}

// sha256Of returns the sha256 the manifest gives for file (the entry's own
// file or one of its Files); "" when it gives none.
func (m *Model) sha256Of(file string) string {
	if file == m.BaseFilename {
		return m.SHA256
	}
	for _, f := range m.Files {
		if f.Path == file {
			return f.SHA256
		}
	}
	return ""
}
