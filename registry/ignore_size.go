package registry

import "sync"

// ignoreSizes returns the copy of m that a download with
// [DownloadOptions].IgnoreSize works on: every size_bytes unknown, every
// sha256 kept. The returned func records the sizes that arrive (wrapping
// progress, which may be nil) and, for the files that arrived verified, logs a
// warning naming the entry, each file and both sizes where they differ.
func (r *Registry) ignoreSizes(m *Model, progress func(Event)) (*Model, func(Event), func()) {
	c := *m
	stated := map[string]int64{}
	if m.SizeBytes != nil {
		stated[m.BaseFilename] = *m.SizeBytes
	}
	c.SizeBytes = nil
	c.Files = nil
	for _, f := range m.Files {
		if f.SizeBytes != nil {
			stated[f.Path] = *f.SizeBytes
		}
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
	warn := func() {
		mu.Lock()
		defer mu.Unlock()
		for file, n := range got {
			if want, ok := stated[file]; ok && want != n {
				r.log.Warn("size check skipped: the file's size differs from the manifest's size_bytes",
					"model", m.Name(), "manifest", m.ManifestPath(), "file", file, "size_bytes", want, "got", n, "sha256_checked", m.sha256Of(file) != "")
			}
		}
	}
	return &c, wrapped, warn
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
