package registry

import (
	"context"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
)

// EventKind is the kind of a download progress [Event].
type EventKind int

// Download progress events, in the order they happen for each file.
const (
	EventStart    EventKind = iota // a transfer starts; Total is known or -1
	EventProgress                  // Done of Total bytes have arrived
	EventVerify                    // the bytes were checked against the manifest
	EventExtract                   // an archive is being extracted
	EventDone                      // the model is in place at Path
)

// String returns the kind's name ("start", "progress", ...).
func (k EventKind) String() string {
	switch k {
	case EventStart:
		return "start"
	case EventProgress:
		return "progress"
	case EventVerify:
		return "verify"
	case EventExtract:
		return "extract"
	case EventDone:
		return "done"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event reports download progress.
type Event struct {
	Kind  EventKind
	Model string // full model name
	File  string // file being transferred (a multi-file model has several)
	Path  string // local path of the model, for EventDone
	Done  int64  // bytes received so far
	Total int64  // expected bytes; -1 when unknown
}

// DownloadOptions configures [Registry.Download]. A nil *DownloadOptions is
// the zero value.
type DownloadOptions struct {
	// Force downloads again even when a verified local copy exists.
	Force bool
	// Progress, when non-nil, receives progress events. It is called from the
	// downloading goroutine and must not block. When several goroutines
	// download the same model at once only the one doing the transfer sees
	// events.
	Progress func(Event)
}

// Download makes sure the model name is present locally and returns its
// local path (see [Model.Path]). It returns at once when a copy with the
// manifest's size exists (and, for an archive, its extraction completed),
// unless opts.Force.
//
// Bytes go to a temporary file in the destination directory; their size and
// sha256 are checked while they stream (against the manifest, when it gives
// them), and only then is the file synced and renamed into place, so a
// half-written or corrupt download never counts as downloaded. Without a
// sha256 in the manifest, an HTML or JSON page where a model is expected is
// rejected. When the manager fails, the entry's mirrors are tried in order.
// Concurrent calls for the same model share one transfer; across processes a
// lock file avoids duplicate work.
func (r *Registry) Download(ctx context.Context, name string, opts *DownloadOptions) (string, error) {
	if opts == nil {
		opts = &DownloadOptions{}
	}
	m, err := r.managed(ctx, name)
	if err != nil {
		return "", err
	}
	if !opts.Force && r.checkLocal(ctx, m, false) == nil {
		return m.Path(), nil
	}
	if err := r.canDownload(m); err != nil {
		return "", err
	}
	ch := r.flight.DoChan(m.filePath(), func() (any, error) {
		return nil, r.fetch(ctx, m, opts)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return "", res.Err
		}
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return m.Path(), nil
}

// managed resolves name to an entry that has a local copy.
func (r *Registry) managed(ctx context.Context, name string) (*Model, error) {
	m, err := r.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if !m.HasManager() {
		return nil, fmt.Errorf("registry: model %q has no manager (its weights are fetched elsewhere): %w", m.Name(), ErrNotManaged)
	}
	if m.BaseFilename == "" {
		return nil, fmt.Errorf("registry: model %q has no base_filename: %w", m.Name(), ErrInvalidEntry)
	}
	return m, nil
}

func (r *Registry) canDownload(m *Model) error {
	if r.cfg.offline {
		return sentinelf(ErrDownloadsDisabled, "registry: cannot download %s: offline mode is on (%s or Options.Offline)",
			m.Name(), EnvOffline)
	}
	if !r.cfg.allowDownloads {
		return sentinelf(ErrDownloadsDisabled, "registry: cannot download %s: downloads are disabled (set %s=true or Options.AllowDownloads to enable them)",
			m.Name(), EnvAllowDownloads)
	}
	if m.loc.data == "" {
		return fmt.Errorf("registry: cannot download %s: no cache directory for catalog models (set Options.CacheDir)", m.Name())
	}
	return nil
}

// fetch runs one transfer of m under the model's lock file.
func (r *Registry) fetch(ctx context.Context, m *Model, opts *DownloadOptions) error {
	dest := m.filePath()
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("registry: download %s: %w", m.Name(), err)
	}
	unlock, err := lockFile(ctx, lockPath(dest))
	if err != nil {
		return err
	}
	defer unlock()
	if !opts.Force && r.checkLocal(ctx, m, false) == nil {
		return nil // another process finished it while we waited
	}
	removeStaleTemps(dest)
	if m.extracts() {
		removeStaleTemps(m.Path())
	}
	p := &progress{fn: opts.Progress, model: m.Name()}
	switch {
	case len(m.Files) > 0 && !m.extracts():
		err = r.fetchFiles(ctx, m, opts.Force, p)
	default:
		err = r.fetchFile(ctx, m, p)
	}
	if err != nil {
		return err
	}
	p.emit(Event{Kind: EventDone, Path: m.Path(), Total: -1})
	r.log.Info("downloaded model", "model", m.Name(), "path", m.Path())
	return nil
}

// staleAge is how old a temp file or directory must be before a download
// of the same model removes it as left over by a crashed process.
const staleAge = 24 * time.Hour

// removeStaleTemps removes old temp files and directories of dest.
func removeStaleTemps(dest string) {
	matches, _ := filepath.Glob(filepath.Join(filepath.Dir(dest), atomicfile.TempPrefix(dest)+"*"))
	for _, p := range matches {
		if st, err := os.Lstat(p); err == nil && time.Since(st.ModTime()) > staleAge {
			os.RemoveAll(p)
		}
	}
}

func lockPath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".lock")
}

// fetchFile downloads the model's single file or archive.
func (r *Registry) fetchFile(ctx context.Context, m *Model, p *progress) error {
	dest := m.filePath()
	if m.extracts() && m.SHA256 != "" {
		if err := verifyFile(ctx, dest, m.Size(), m.SHA256); err == nil {
			return r.extract(ctx, m, dest, p) // a verified archive is already here
		}
	}
	f, err := atomicfile.New(dest, 0o644)
	if err != nil {
		return fmt.Errorf("registry: download %s: %w", m.Name(), err)
	}
	defer f.Abort()
	want := want{size: m.Size(), sha256: m.SHA256, name: m.BaseFilename}
	if err := r.transfer(ctx, m, "", f.File, want, p); err != nil {
		return err
	}
	if m.extracts() {
		if err := r.extract(ctx, m, f.Name(), p); err != nil {
			return err
		}
		if m.flags().Delete {
			return nil // the deferred Abort removes the archive
		}
	}
	if err := f.Commit(); err != nil {
		return fmt.Errorf("registry: download %s: %w", m.Name(), err)
	}
	return nil
}

// fetchFiles downloads each missing file of a multi-file model.
func (r *Registry) fetchFiles(ctx context.Context, m *Model, force bool, p *progress) error {
	root := m.filePath()
	for _, file := range m.Files {
		dest := filepath.Join(root, filepath.FromSlash(file.Path))
		size := sizeOf(file.SizeBytes)
		if !force && verifyFile(ctx, dest, size, "") == nil {
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		if err := r.fetchOne(ctx, m, file, dest, p); err != nil {
			return err
		}
	}
	return nil
}

func (r *Registry) fetchOne(ctx context.Context, m *Model, file File, dest string, p *progress) error {
	f, err := atomicfile.New(dest, 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	w := want{size: sizeOf(file.SizeBytes), sha256: file.SHA256, name: file.Path}
	if err := r.transfer(ctx, m, file.Path, f.File, w, p); err != nil {
		return err
	}
	return f.Commit()
}

func sizeOf(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// transfer downloads the object (sub is a file of a multi-file model) into
// f, trying the manager and then each mirror, and verifies it.
func (r *Registry) transfer(ctx context.Context, m *Model, sub string, f *os.File, w want, p *progress) error {
	var errs []string
	var last error
	for i, spec := range m.managerSpecs() {
		if err := resetFile(f); err != nil {
			return err
		}
		err := r.transferFrom(ctx, m, spec, sub, f, w, p)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		last = err
		label := "manager " + spec.Type
		if i > 0 {
			label = fmt.Sprintf("mirror %d (%s)", i, spec.Type)
		}
		r.log.Warn("download failed", "model", m.Name(), "source", label, "err", err)
		errs = append(errs, label+": "+err.Error())
	}
	if len(errs) == 1 {
		return fmt.Errorf("registry: download %s: %w", m.Name(), last)
	}
	return fmt.Errorf("registry: download %s failed from every source: %s: %w", m.Name(), strings.Join(errs, "; "), last)
}

func resetFile(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.Seek(0, 0)
	return err
}

func (r *Registry) transferFrom(ctx context.Context, m *Model, spec ManagerSpec, sub string, f *os.File, w want, p *progress) error {
	mgr, key, err := r.openManager(ctx, m, spec)
	if err != nil {
		return err
	}
	if sub != "" {
		key = path.Join(key, sub)
	}
	total := w.size
	if st, ok := mgr.(Stater); ok && total < 0 {
		if info, err := st.Stat(ctx, key); err == nil {
			total = info.Size
		}
	}
	p.file, p.total = w.name, total
	p.emit(Event{Kind: EventStart})
	v := newVerifier(f, w, p)
	if err := mgr.Download(ctx, key, v); err != nil {
		if v.err != nil {
			return v.err
		}
		return err
	}
	if err := v.finish(); err != nil {
		return err
	}
	p.emit(Event{Kind: EventVerify, Done: v.n})
	return nil
}

// progress forwards events to the caller's callback.
type progress struct {
	fn    func(Event)
	model string
	file  string
	total int64
}

func (p *progress) emit(e Event) {
	if p.fn == nil {
		return
	}
	e.Model = p.model
	if e.File == "" {
		e.File = p.file
	}
	if e.Kind != EventDone {
		e.Total = p.total
	}
	p.fn(e)
}
