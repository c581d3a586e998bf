package registry

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"strings"
	"time"

	"github.com/modelreg/modelreg/internal/atomicfile"
	"github.com/modelreg/modelreg/internal/stamp"
	"github.com/modelreg/modelreg/internal/transfer"
)

// TransferOptions tune the parallel transfer engine that [Registry.Download]
// uses for managers that implement both [RangeDownloader] and [Stater]. A
// nil *TransferOptions, and each zero field, means the default.
type TransferOptions struct {
	// PartSize is the size of each ranged part; 0 means 8 MiB.
	PartSize int64
	// Connections is how many parts of a file are transferred at once;
	// 0 means 4.
	Connections int
	// StallTimeout restarts a part that receives no byte for that long;
	// 0 means 30 s.
	StallTimeout time.Duration
	// MaxRetries is how many times in a row a part, the stream or the
	// Stat is retried without progress; 0 means 5, negative means never.
	MaxRetries int
	// MinRate and RateWindow fail an attempt that receives fewer than
	// MinRate bytes per second over RateWindow (a drip that never stalls);
	// it is retried, and slow attempts count against MaxRetries even when
	// they made progress. 0 means 1 KiB/s and 1 min; a negative MinRate
	// switches the rule off.
	MinRate    int64
	RateWindow time.Duration
	// HeaderTimeout bounds the wait for the source's answer: a Stat, and
	// the first byte of each read (a server that accepts the connection
	// and never answers); 0 means 30 s.
	HeaderTimeout time.Duration
}

// engineOptions converts o, and the registry's limits, for the transfer
// engine.
func (r *Registry) engineOptions(o *TransferOptions) *transfer.Options {
	eo := &transfer.Options{MaxSize: r.cfg.maxDownload}
	if o != nil {
		eo.PartSize, eo.Connections, eo.StallTimeout, eo.MaxRetries = o.PartSize, o.Connections, o.StallTimeout, o.MaxRetries
		eo.MinRate, eo.RateWindow, eo.HeaderTimeout = o.MinRate, o.RateWindow, o.HeaderTimeout
	}
	return eo
}

// transferTo downloads the object (sub is a file of a multi-file model) to
// dest, trying the manager and then each mirror in order. A source that
// cannot be reached (connection refused, host unreachable) while another
// remains is passed over at once and tried again, with retries, after the
// others. dest is replaced only by verified bytes.
func (r *Registry) transferTo(ctx context.Context, m *Model, sub, dest string, w want, p *progress) error {
	var errs []string
	var last error
	specs := m.managerSpecs()
	type source struct {
		i        int
		spec     ManagerSpec
		deferred bool // tried again after an unreachable first try
	}
	queue := make([]source, len(specs))
	for i, spec := range specs {
		queue[i] = source{i: i, spec: spec}
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		err := r.transferFrom(ctx, m, s.spec, sub, dest, w, p, !s.deferred && len(queue) > 0)
		if err == nil {
			if sub != "" || !m.extracts() { // archives are not loaded, their contents are
				r.stamp(dest, w.sha256)
			}
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		label := "manager " + s.spec.Type
		if s.i > 0 {
			label = fmt.Sprintf("mirror %d (%s)", s.i, s.spec.Type)
		}
		if errors.Is(err, transfer.ErrUnreachable) && !s.deferred {
			r.log.Warn("source unreachable, trying the next one first", "model", m.Name(), "source", label, "err", err)
			queue = append(queue, source{i: s.i, spec: s.spec, deferred: true})
			continue
		}
		last = err
		r.log.Warn("download failed", "model", m.Name(), "source", label, "err", err)
		errs = append(errs, label+": "+err.Error())
	}
	if len(errs) == 1 {
		return fmt.Errorf("registry: download %s: %w", m.Name(), last)
	}
	return fmt.Errorf("registry: download %s failed from every source: %s: %w", m.Name(), strings.Join(errs, "; "), last)
}

// transferFrom downloads from one source: through the transfer engine when
// the manager reads ranges and stats objects, else as one verified stream.
func (r *Registry) transferFrom(ctx context.Context, m *Model, spec ManagerSpec, sub, dest string, w want, p *progress, failUnreachable bool) error {
	if err := r.checkOfflineSpec(m, spec); err != nil {
		return err
	}
	mgr, key, err := r.openManager(ctx, m, spec)
	if err != nil {
		return err
	}
	defer closeManager(mgr)
	if sub != "" {
		key = path.Join(key, sub)
	}
	rd, ranged := mgr.(RangeDownloader)
	st, stats := mgr.(Stater)
	if ranged && stats {
		src := &rangeSource{mgr: mgr, rd: rd, st: st, key: key}
		return r.engineFetch(ctx, src, sourceID(spec, key), dest, w, p, failUnreachable)
	}
	return r.streamTo(ctx, mgr, key, dest, w, p)
}

// engineFetch downloads src to dest with the transfer engine.
func (r *Registry) engineFetch(ctx context.Context, src *rangeSource, id, dest string, w want, p *progress, failUnreachable bool) error {
	p.file, p.total = w.name, w.size
	started, waiting, dropped := false, "", int64(0)
	eo := *p.engine
	eo.FailUnreachable = failUnreachable
	req := &transfer.Request{
		Dest: dest, Source: src, SourceID: id, Size: w.size, SHA256: strings.ToLower(w.sha256),
		CheckHead: func(head []byte) error {
			v := verifier{want: w, head: head}
			return v.sniff()
		},
		Progress: func(tp transfer.Progress) {
			if tp.Waiting != waiting {
				waiting = tp.Waiting
				if waiting != "" {
					p.emit(Event{Kind: EventWait, Waiting: waiting, Done: tp.Done})
				}
			}
			if tp.Waiting != "" && !started {
				return // before the transfer: the Stat
			}
			if !started {
				started, p.total = true, tp.Total
				p.emit(Event{Kind: EventStart, Resumed: tp.Resumed})
			}
			if tp.Dropped != dropped {
				dropped = tp.Dropped
				r.log.Info("download restarts from 0: the source ignored a range request", "file", w.name, "dropped_bytes", tp.Dropped)
				p.emit(Event{Kind: EventRestart, Dropped: tp.Dropped, Done: tp.Done})
			}
			p.emit(Event{Kind: EventProgress, Done: tp.Done, Rate: tp.Rate, TimeLeft: tp.ETA, Retries: tp.Retries, Resumed: tp.Resumed, Waiting: tp.Waiting})
		},
	}
	res, err := transfer.Fetch(ctx, req, &eo)
	if err != nil {
		return engineError(w, err)
	}
	if !started {
		p.total = res.Size
		p.emit(Event{Kind: EventStart})
		p.emit(Event{Kind: EventProgress, Done: res.Size})
	}
	p.emit(Event{Kind: EventVerify, Done: res.Size})
	if res.Resumed > 0 || res.Retries > 0 || res.Dropped > 0 {
		r.log.Info("download resumed or retried", "file", w.name, "resumed_bytes", res.Resumed, "dropped_bytes", res.Dropped, "part_retries", res.Retries)
	}
	return nil
}

// engineError converts the engine's errors to the registry's.
func engineError(w want, err error) error {
	if me, ok := errors.AsType[*transfer.MismatchError](err); ok {
		derr := &DigestError{Path: w.name, WantSize: w.size, GotSize: me.GotSize, Want: me.Want, Got: me.Got}
		if me.Announced {
			return fmt.Errorf("registry: %s: the source now holds other bytes than the manifest's sha256 "+
				"(a moved branch or a replaced object; nothing was downloaded): %w", w.name, derr)
		}
		return derr
	}
	if lerr, ok := limitError(w, err); ok {
		return lerr
	}
	if errors.Is(err, transfer.ErrChanged) {
		return fmt.Errorf("registry: %s: %w: %w", w.name, ErrCorrupt, err)
	}
	return err
}

// sourceID identifies a source in the engine's resume state without
// recording the manager's config itself.
func sourceID(spec ManagerSpec, key string) string {
	sum := sha256.Sum256([]byte(spec.Type + "\x00" + string(spec.Config) + "\x00" + key))
	return spec.Type + ":" + hex.EncodeToString(sum[:12])
}

// rangeSource adapts a manager to the engine's Source, classifying its
// errors: a missing object or a corrupt one is permanent, a manager that
// turns out unable to read ranges makes the engine use one stream.
type rangeSource struct {
	mgr Manager
	rd  RangeDownloader
	st  Stater
	key string
}

func (s *rangeSource) Stat(ctx context.Context) (transfer.Info, error) {
	info, err := s.st.Stat(ctx, s.key)
	if err != nil {
		return transfer.Info{}, classify(err)
	}
	return transfer.Info{Size: info.Size, ETag: info.ETag, ModTime: info.ModTime, SHA256: info.SHA256}, nil
}

func (s *rangeSource) ReadRange(ctx context.Context, off, n int64, w io.Writer) error {
	err := s.rd.DownloadRange(ctx, s.key, off, n, w)
	if errors.Is(err, ErrNotSupported) {
		return fmt.Errorf("%w: %w", transfer.ErrRangesUnsupported, err)
	}
	return classify(err)
}

func (s *rangeSource) Read(ctx context.Context, w io.Writer) error {
	return classify(s.mgr.Download(ctx, s.key, w))
}

// classify marks the errors that retrying cannot help.
func classify(err error) error {
	if IsPermanent(err) || errors.Is(err, ErrCorrupt) || errors.Is(err, ErrInvalidEntry) || errors.Is(err, ErrNotSupported) ||
		errors.Is(err, ErrDownloadsDisabled) {
		return transfer.Permanent(err)
	}
	return err
}

// streamTo downloads the object at key to dest as one stream, through a
// verifier, into a temp file renamed into place once verified.
func (r *Registry) streamTo(ctx context.Context, mgr Manager, key, dest string, w want, p *progress) error {
	f, err := atomicfile.New(dest, 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	total := w.size
	if st, ok := mgr.(Stater); ok && total < 0 {
		if info, err := st.Stat(ctx, key); err == nil {
			total = info.Size
		}
	}
	p.file, p.total = w.name, total
	p.emit(Event{Kind: EventStart})
	v := newVerifier(f.File, w, p)
	if w.size < 0 {
		v.limit = r.cfg.maxDownload
	}
	if err := mgr.Download(ctx, key, v); err != nil {
		if v.err != nil {
			return v.err
		}
		return err
	}
	if err := v.finish(); err != nil {
		return err
	}
	if err := f.Commit(); err != nil {
		return err
	}
	p.emit(Event{Kind: EventVerify, Done: v.n})
	return nil
}

// removeFile removes p, ignoring a missing file.
func removeFile(p string) error {
	if err := os.Remove(p); err != nil && !os.IsNotExist(err) {
		return err
	}
	return stamp.Remove(p)
}

// stamp records that dest was verified against sum (a sha256), so that loading it
// (package weights) need not hash it again until it changes. It is an
// optimisation only: a failure is logged and ignored.
func (r *Registry) stamp(dest, sum string) {
	if sum == "" {
		return
	}
	if err := stamp.Write(dest, sum); err != nil {
		r.log.Debug("registry: cannot write verification stamp", "file", dest, "err", err)
	}
}
