package reload

import (
	"context"
	"errors"
	"fmt"
	"image"
	"sync"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/registry"
)

// poll checks the name every Interval until ctx ends.
func (d *Detector) poll(ctx context.Context) {
	defer close(d.pollDone)
	t := time.NewTicker(d.opts.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			d.Check(ctx) // failures are reported as events
		}
	}
}

// Check resolves the name now and, when it resolves to another entry than
// the one serving, loads that version and swaps it in. It returns whether
// a new version serves, and why not when loading one failed (the error
// also goes out as an [EventFailed]). A version that failed for good is
// not tried again until the manifest changes: Check then returns false and
// nil. Checks run one at a time; the poller calls Check too.
func (d *Detector) Check(ctx context.Context) (bool, error) {
	d.checkMu.Lock()
	defer d.checkMu.Unlock()
	d.mu.Lock()
	closed, cur := d.closed, d.cur
	d.mu.Unlock()
	if closed {
		return false, ErrClosed
	}
	m, key, err := d.resolve(ctx)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		d.emit(Event{Kind: EventFailed, Version: d.name, Serving: cur.version, Err: err, Retry: true})
		return false, err
	}
	if key == cur.key || key == d.failed {
		return false, nil
	}
	d.emit(Event{Kind: EventFound, Version: m.Name(), Serving: cur.version})
	start := time.Now()
	g, err := d.loadVersion(ctx, m, key)
	if err != nil {
		if ctx.Err() != nil {
			return false, ctx.Err() // stopped by Close: not the version's fault
		}
		retry := retryable(err)
		if !retry {
			d.failed = key
		}
		d.metrics.Result(ctx, false)
		d.emit(Event{Kind: EventFailed, Version: m.Name(), Serving: cur.version, Err: err, Retry: retry, Took: time.Since(start)})
		return false, err
	}
	d.failed = ""
	d.mu.Lock()
	if d.closed { // Close waits for Check, so this cannot happen; be safe
		d.mu.Unlock()
		g.det.Close()
		return false, ErrClosed
	}
	old := d.cur
	d.cur = g
	old.retired = true
	last := old.inflight == 0
	d.mu.Unlock()
	d.metrics.Served(g.version)
	d.metrics.Result(ctx, true)
	d.emit(Event{Kind: EventSwapped, Version: g.version, Serving: g.version, Providers: providers(g.det), Took: time.Since(start)})
	if last {
		d.retire(old)
	}
	return true, nil
}

// retryable says whether a failed load may succeed at the next check
// without a change of the manifest: a transient download error may; a
// corrupt file, a permanent manager error or a model that does not load
// will not.
func retryable(err error) bool {
	var le *loadError
	if !errors.As(err, &le) {
		return false
	}
	return le.stage == stageDownload && !registry.IsPermanent(err) && !errors.Is(err, registry.ErrCorrupt)
}

// Stages of loading a version, for errors.
const (
	stageDownload = "download"
	stageLoad     = "load"
	stageWarmup   = "warm up"
)

// loadError says which stage of loading a version failed.
type loadError struct {
	version, stage string
	err            error
}

func (e *loadError) Error() string {
	return fmt.Sprintf("reload: %s %s: %v", e.stage, e.version, e.err)
}

func (e *loadError) Unwrap() error { return e.err }

// loadVersion downloads, verifies, loads and warms up the version m; key
// identifies its entry.
func (d *Detector) loadVersion(ctx context.Context, m *registry.Model, key string) (*generation, error) {
	name := m.Name()
	if m.HasManager() {
		if err := deploy.Download(ctx, d.reg, name, d.load); err != nil {
			return nil, &loadError{version: name, stage: stageDownload, err: err}
		}
	}
	det, err := deploy.LoadDetector(ctx, d.reg, name, d.load)
	if err != nil {
		return nil, &loadError{version: name, stage: stageLoad, err: err}
	}
	warm := d.opts.Warmup
	if warm == nil {
		warm = d.warmup
	}
	if err := warm(ctx, det); err != nil {
		det.Close()
		return nil, &loadError{version: name, stage: stageWarmup, err: err}
	}
	return &generation{det: det, version: name, key: key, done: make(chan struct{})}, nil
}

// warmup runs one detection per session at once on a blank image.
func (d *Detector) warmup(ctx context.Context, det detect.Detector) error {
	n := d.load.Sessions
	if n <= 0 {
		n = deploy.DefaultSessions(d.load.Threads, d.load.Providers)
	}
	blank := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range blank.Pix {
		blank.Pix[i] = 114
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { _, errs[i] = det.Detect(ctx, blank) })
	}
	wg.Wait()
	return errors.Join(errs...)
}
