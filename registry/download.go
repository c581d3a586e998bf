package registry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/internal/stamp"
	"github.com/modelreg/modelreg/internal/transfer"
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
	EventWait                      // no byte arrives: Waiting says what the transfer waits for
	EventRestart                   // the source ignored a range request: Dropped bytes were dropped, the file restarts from 0
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
	case EventWait:
		return "wait"
	case EventRestart:
		return "restart"
	}
	return fmt.Sprintf("EventKind(%d)", int(k))
}

// Event reports download progress.
type Event struct {
	Kind  EventKind
	Model string // full model name
	File  string // file being transferred (a multi-file model has several)
	Path  string // local path of the model, for EventDone
	Done  int64  // bytes received so far (for EventProgress, resumed ones included)
	Total int64  // expected bytes; -1 when unknown

	// The fields below are set for EventProgress (and Resumed for
	// EventStart) by transfers through the parallel transfer engine, used
	// for managers that implement [RangeDownloader] and [Stater]; they are
	// zero otherwise.

	Rate float64 // recent transfer rate, bytes per second
	// TimeLeft is the estimated time left for the file; 0 when unknown.
	TimeLeft time.Duration
	Retries  int   // parts retried or restarted (lost connections, stalls) so far
	Resumed  int64 // bytes kept from an earlier, interrupted download
	// Dropped is set for EventRestart: the bytes of a resumed download
	// dropped because the source answered a range request with the whole
	// file; the transfer restarts from byte 0 as one stream, with Resumed
	// 0 and a Rate that counts only the bytes received since.
	Dropped int64
	// Waiting says what the transfer waits for while no byte arrives
	// ("the source's answer", "a retry"): set for EventWait, when it
	// starts waiting, and for EventProgress while it waits.
	Waiting string

	// ModelDone and ModelTotal cover the whole model: the bytes of its files
	// already in place plus Done, and the sum of its files' sizes (-1 when
	// one is unknown). They are set for EventStart and EventProgress.
	ModelDone  int64
	ModelTotal int64
}

// DownloadOptions configures [Registry.Download]. A nil *DownloadOptions is
// the zero value.
type DownloadOptions struct {
	// Force downloads again even when a verified local copy exists.
	Force bool
	// Progress, when non-nil, receives progress events. It is called from
	// the downloading goroutine or, for transfers through the parallel
	// engine, from its reporting goroutine (every 200 ms); calls never
	// overlap, and it must not block. When several goroutines
	// download the same model at once only the one doing the transfer sees
	// events.
	Progress func(Event)
	// Transfer tunes the parallel transfer engine; nil means its defaults.
	Transfer *TransferOptions
	// IgnoreSize skips the check of every size_bytes of the entry, for an
	// entry that states a wrong one: the bytes are still checked against
	// its sha256 when it gives one, and a file whose size differs from
	// the manifest's is logged as a warning naming the entry and both
	// sizes. Only this call ignores the size: other calls (IsDownloaded,
	// Verify, a Download without IgnoreSize) still hold the local copy to
	// the manifest's size_bytes until the entry is corrected.
	IgnoreSize bool
	// FixSize is IgnoreSize that then corrects the entry: once the copy is
	// in place and verified, each size_bytes of the entry that differs from
	// its file's size is set to that size in the entry's manifest (one
	// member changes, and a warning names both sizes), so that later
	// calls accept the copy. Without a sha256 in the entry, the size is
	// then whatever the source sent: correct only an entry whose source
	// you trust. A model of a catalog cannot be corrected
	// ([ErrNotSupported]).
	FixSize bool
}

// Download makes sure the model name is present locally and returns its
// local path (see [Model.Path]). It returns at once when a verified copy
// exists (see [Registry.IsDownloaded]: the manifest's size, and its sha256
// through the file's verification stamp or a new hash), unless opts.Force; a
// present copy with other bytes is downloaded again, and when it cannot be
// the error wraps [ErrCorrupt].
//
// Bytes go to a temporary file in the destination directory; their size and
// sha256 are checked while they stream (against the manifest, when it gives
// them), and only then is the file synced and renamed into place, so a
// half-written or corrupt download never counts as downloaded. Without a
// sha256 in the manifest, an HTML or JSON page where a model is expected is
// rejected. When the manager fails, the entry's mirrors are tried in order.
// Concurrent calls for the same model, in this process or others, take
// turns through the model's lock file: one transfers, the others wait and
// then find the verified copy (with Force, each downloads in turn); see
// internal/transfer/DESIGN.md.
//
// When the manager reads ranges and stats objects ([RangeDownloader] and
// [Stater]: the file, http(s), mem, gdrive and blob managers), files are
// fetched by the parallel transfer engine (see [TransferOptions]): ranged
// parts over several connections, hashed while they arrive, with stalled or
// failed parts retried, and progress recorded beside the partial file so that
// a later Download, in this or another process (after a crash, a kill or a
// cancelled context), fetches only the missing bytes. A resumed partial file is
// used when the manifest gives its sha256, or else when the source's strong
// ETag is unchanged; without either, the file comes as one stream from its
// first byte (never parts of two versions of a replaced object). Stalled,
// silent and too slow transfers are retried (see [TransferOptions]); a file
// without size_bytes is capped by [Options].MaxDownloadSize. Other managers
// stream each file once.
func (r *Registry) Download(ctx context.Context, name string, opts *DownloadOptions) (p string, err error) {
	if opts == nil {
		opts = &DownloadOptions{}
	}
	m, err := r.managed(ctx, name)
	if err != nil {
		return "", err
	}
	if opts.IgnoreSize || opts.FixSize {
		var differ func() map[string]int64
		o := *opts
		stated := m
		m, o.Progress, differ = r.ignoreSizes(m, opts.Progress)
		opts = &o
		defer func() {
			diff := differ()
			if opts.FixSize && err == nil {
				if len(diff) == 0 { // no file arrived: the copy was in place
					diff = presentSizes(stated)
				}
				err = r.fixSizes(ctx, stated, diff)
			}
		}()
	}
	local := errors.New("forced")
	if !opts.Force {
		if local = r.checkLocal(ctx, m, false); local == nil {
			return m.Path(), nil
		}
	}
	if err := r.canDownload(m); err != nil {
		return "", corruptCopy(local, err)
	}
	if err := r.fetch(ctx, m, opts); err != nil {
		return "", corruptCopy(local, err)
	}
	return m.Path(), nil
}

// cancelled reports whether err comes from a cancelled context.
func cancelled(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
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
	if err := r.checkOffline(m); err != nil {
		return err
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
	if err := checkModelDirs(m); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return fmt.Errorf("registry: download %s: %w", m.Name(), err)
	}
	unlock, err := lockFile(ctx, lockPath(dest))
	if err != nil {
		return err
	}
	defer func() {
		// Removed while held, which the lock protocol allows: a waiter on
		// it retries on a new file, and none is left behind.
		os.Remove(lockPath(dest))
		unlock()
	}()
	removeModelTemps(m) // first: even a model that is complete may have some
	if !opts.Force && r.checkLocal(ctx, m, false) == nil {
		return nil // another process finished it while we waited
	}
	p := &progress{fn: opts.Progress, model: m.Name(), engine: r.engineOptions(opts.Transfer), modelTotal: modelSize(m),
		single: len(m.Files) == 0 || m.extracts()}
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

// removeStaleTemps removes the temp files and directories of dest left by
// processes that died (see atomicfile.Orphaned), and old ones. The transfer
// engine's partial downloads ("dl-") hold resume data: they are its own
// business, and removed here only once old.
func removeStaleTemps(dest string) {
	prefix := atomicfile.TempPrefix(dest)
	matches, _ := filepath.Glob(globEscape(filepath.Join(filepath.Dir(dest), prefix)) + "*")
	for _, p := range matches {
		rest := strings.TrimPrefix(filepath.Base(p), prefix)
		st, err := os.Lstat(p)
		if err == nil && (time.Since(st.ModTime()) > staleAge || !strings.HasPrefix(rest, "dl-") && atomicfile.Orphaned(rest)) {
			os.RemoveAll(p)
		}
	}
}

// removeModelTemps removes what killed processes left of m's files: temp
// files of the file (or archive) and of its verification stamp, of the
// extraction directory, and of each file of a multi-file model with its
// stamp.
func removeModelTemps(m *Model) {
	dest := m.filePath()
	removeStaleTemps(dest)
	removeStaleTemps(stamp.Path(dest))
	if m.extracts() {
		removeStaleTemps(m.Path())
	}
	if len(m.Files) > 0 && !m.extracts() {
		for _, f := range m.Files {
			p := filepath.Join(dest, filepath.FromSlash(f.Path))
			removeStaleTemps(p)
			removeStaleTemps(stamp.Path(p))
		}
	}
}

// globEscape escapes the glob metacharacters of p.
func globEscape(p string) string {
	return strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`).Replace(p)
}

func lockPath(dest string) string {
	return filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+".lock")
}

// fetchFile downloads the model's single file or archive.
func (r *Registry) fetchFile(ctx context.Context, m *Model, p *progress) error {
	dest := m.filePath()
	have := false // a verified archive is already here
	if m.extracts() && m.SHA256 != "" {
		err := verifyFile(ctx, dest, m.Size(), m.SHA256)
		if cancelled(err) {
			return err // stopped while hashing: not a reason to download it again
		}
		have = err == nil
	}
	if !have {
		want := want{size: m.Size(), sha256: m.SHA256, name: m.BaseFilename}
		if err := r.transferTo(ctx, m, "", dest, want, p); err != nil {
			return err
		}
	}
	if !m.extracts() {
		return nil
	}
	err := r.extract(ctx, m, dest, p)
	if err != nil && (have || cancelled(err)) {
		return err // the verified archive stays, for the next Download to extract without downloading it
	}
	if err != nil || m.flags().Delete {
		if rerr := removeFile(dest); err == nil && rerr != nil {
			return fmt.Errorf("registry: download %s: %w", m.Name(), rerr)
		}
	}
	return err
}

// fetchFiles downloads each missing file of a multi-file model.
func (r *Registry) fetchFiles(ctx context.Context, m *Model, force bool, p *progress) error {
	root := m.filePath()
	for _, file := range m.Files {
		dest := filepath.Join(root, filepath.FromSlash(file.Path))
		size := sizeOf(file.SizeBytes)
		if !force && checkPresent(ctx, dest, size, file.SHA256, false) == nil {
			p.base += max(size, 0)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
			return err
		}
		w := want{size: size, sha256: file.SHA256, name: file.Path}
		if err := r.transferTo(ctx, m, file.Path, dest, w, p); err != nil {
			return err
		}
		p.base += max(size, 0)
	}
	return nil
}

// modelSize returns the sum of the sizes of m's files; -1 when one is
// unknown.
func modelSize(m *Model) int64 {
	if len(m.Files) == 0 || m.extracts() {
		return m.Size()
	}
	var n int64
	for _, f := range m.Files {
		if f.SizeBytes == nil {
			return -1
		}
		n += *f.SizeBytes
	}
	return n
}

func sizeOf(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}

// progress forwards events to the caller's callback.
type progress struct {
	fn         func(Event)
	model      string
	file       string
	total      int64
	engine     *transfer.Options
	base       int64 // bytes of the model's files already in place
	modelTotal int64 // -1 when unknown
	single     bool  // the model is one file (or archive)
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
	if e.Kind == EventStart || e.Kind == EventProgress {
		e.ModelDone, e.ModelTotal = p.base+e.Done, p.modelTotal
		if p.single && p.modelTotal < 0 {
			e.ModelTotal = e.Total
		}
	}
	p.fn(e)
}
