package reload

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"sync"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/telemetry"
	"github.com/modelreg/modelreg/registry"
)

// DefaultInterval is the time between two checks of the name when
// [Options.Interval] is 0.
const DefaultInterval = 30 * time.Second

// ErrClosed is returned by calls on a closed Detector.
var ErrClosed = errors.New("reload: detector is closed")

// Options configure a [Detector]. A nil *Options is the zero value; every
// zero field means the documented default.
type Options struct {
	// Load are the options every version is loaded with (nil: deploy's
	// defaults). Their MeterProvider also receives the reload metrics.
	Load *deploy.Options
	// Interval is the time between two checks of the name; 0 means
	// DefaultInterval, and a negative value turns polling off: only
	// [Detector.Check] then looks for a new version.
	Interval time.Duration
	// Warmup runs on a newly loaded version before it serves; an error
	// keeps the old version serving. Nil means one detection on a blank
	// 64×64 image per session, all at once, so that every session has run
	// once.
	Warmup func(ctx context.Context, d detect.Detector) error
	// OnEvent, when set, receives every [Event], from the goroutine that
	// checks; it should return quickly.
	OnEvent func(Event)
	// Logger receives the events (failures at level Warn, the rest at
	// Info); nil discards them.
	Logger *slog.Logger
}

// Detector is a detector that follows a name and switches to the new
// version the name resolves to. It implements [detect.Detector] and
// [detect.Fitter], and is safe for concurrent use.
type Detector struct {
	reg     *registry.Registry
	name    string
	opts    Options
	load    *deploy.Options
	log     *slog.Logger
	metrics *telemetry.Reload

	checkMu sync.Mutex // one check at a time
	failed  string     // key of a version that failed for good; not retried

	mu     sync.Mutex
	cur    *generation
	closed bool

	stop     context.CancelFunc
	pollDone chan struct{}
}

// generation is one loaded version and the calls running on it.
type generation struct {
	det      detect.Detector
	version  string // the resolved name, "yolox@2"
	key      string // what identifies the manifest entry it was loaded from
	inflight int
	retired  bool
	done     chan struct{} // closed once det is closed
	closeErr error
}

// New resolves name in reg, loads it as [deploy.LoadDetector] does, warms
// it up, and starts following the name (unless Options.Interval is
// negative). An error loading the first version is returned as is. Close
// the Detector when done.
func New(ctx context.Context, reg *registry.Registry, name string, opts *Options) (*Detector, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Interval == 0 {
		o.Interval = DefaultInterval
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	load := &deploy.Options{}
	if o.Load != nil {
		c := *o.Load
		load = &c
	}
	d := &Detector{reg: reg, name: name, opts: o, load: load, log: o.Logger.With("model", name)}
	start := time.Now()
	m, key, err := d.resolve(ctx)
	if err != nil {
		return nil, err
	}
	g, err := d.loadVersion(ctx, m, key)
	if err != nil {
		return nil, err
	}
	d.metrics = telemetry.NewReload(load.MeterProvider, name)
	d.metrics.Served(g.version)
	d.cur = g
	d.emit(Event{Kind: EventLoaded, Version: g.version, Serving: g.version, Providers: providers(g.det), Took: time.Since(start)})
	pctx, stop := context.WithCancel(context.Background())
	d.stop = stop
	d.pollDone = make(chan struct{})
	if o.Interval > 0 {
		go d.poll(pctx)
	} else {
		close(d.pollDone)
	}
	return d, nil
}

// Name returns the name followed.
func (d *Detector) Name() string { return d.name }

// Version returns the resolved name of the version serving now
// ("yolox@2"); "" once closed.
func (d *Detector) Version() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return ""
	}
	return d.cur.version
}

// Detect returns the objects found in img by the version serving now.
func (d *Detector) Detect(ctx context.Context, img image.Image) ([]detect.Detection, error) {
	dets, _, err := d.DetectVersion(ctx, img)
	return dets, err
}

// DetectVersion is Detect that also returns the resolved name of the
// version that ran ("yolox@2").
func (d *Detector) DetectVersion(ctx context.Context, img image.Image) ([]detect.Detection, string, error) {
	g, err := d.acquire()
	if err != nil {
		return nil, "", err
	}
	defer d.release(g)
	dets, err := g.det.Detect(ctx, img)
	return dets, g.version, err
}

// DetectAll returns one result per image, all from the same version.
func (d *Detector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	g, err := d.acquire()
	if err != nil {
		return nil, err
	}
	defer d.release(g)
	return g.det.DetectAll(ctx, imgs)
}

// RecordDecode forwards to the version serving now when it is a
// [detect.DecodeRecorder], so that the decode stage is recorded under the
// version that will run the image.
func (d *Detector) RecordDecode(ctx context.Context, took time.Duration) {
	g, err := d.acquire()
	if err != nil {
		return
	}
	defer d.release(g)
	if r, ok := g.det.(detect.DecodeRecorder); ok {
		r.RecordDecode(ctx, took)
	}
}

// MinImageSize forwards to the version serving now when it is a
// [detect.Fitter]; otherwise it returns w×h. Versions of one name are
// expected to share their input size; if a new one does not, an image
// decoded for the old one is only resampled more.
func (d *Detector) MinImageSize(w, h int) image.Point {
	g, err := d.acquire()
	if err != nil {
		return image.Pt(w, h)
	}
	defer d.release(g)
	if f, ok := g.det.(detect.Fitter); ok {
		return f.MinImageSize(w, h)
	}
	return image.Pt(w, h)
}

func (d *Detector) acquire() (*generation, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closed {
		return nil, ErrClosed
	}
	d.cur.inflight++
	return d.cur, nil
}

func (d *Detector) release(g *generation) {
	d.mu.Lock()
	g.inflight--
	last := g.retired && g.inflight == 0
	d.mu.Unlock()
	if last {
		d.retire(g)
	}
}

// retire closes g, whose last call returned.
func (d *Detector) retire(g *generation) {
	g.closeErr = g.det.Close()
	close(g.done)
	if g.closeErr != nil {
		d.log.Warn("reload: closing old version", "version", g.version, "err", g.closeErr)
	}
	d.emit(Event{Kind: EventRetired, Version: g.version, Serving: d.Version(), Err: g.closeErr})
}

// Close stops following the name, waits for a check in progress (the
// poller's is cancelled; one called by the user finishes), then closes the version serving once the calls running on
// it return. Calls that start after Close return ErrClosed.
func (d *Detector) Close() error {
	d.stop()
	<-d.pollDone
	d.checkMu.Lock() // a Check called by the user finishes first
	defer d.checkMu.Unlock()
	d.mu.Lock()
	if d.closed {
		g := d.cur
		d.mu.Unlock()
		<-g.done
		return g.closeErr
	}
	d.closed = true
	g := d.cur
	g.retired = true
	last := g.inflight == 0
	d.mu.Unlock()
	if last {
		d.retire(g)
	}
	<-g.done
	d.metrics.Close()
	return g.closeErr
}

func (d *Detector) emit(e Event) {
	e.Name = d.name
	switch e.Kind {
	case EventFailed:
		d.log.Warn("reload: "+e.Kind.String(), "version", e.Version, "serving", e.Serving, "retry", e.Retry, "err", e.Err)
	default:
		attrs := []any{"version", e.Version, "serving", e.Serving}
		if len(e.Providers) > 0 {
			attrs = append(attrs, "providers", e.Providers)
		}
		if e.Took > 0 {
			attrs = append(attrs, "took", e.Took)
		}
		d.log.Info("reload: "+e.Kind.String(), attrs...)
	}
	if d.opts.OnEvent != nil {
		d.opts.OnEvent(e)
	}
}

// entryKey identifies a manifest entry: its resolved name and every field
// of the entry, so that a version whose files or digests change counts as
// new too.
func entryKey(m *registry.Model) (string, error) {
	data, err := m.MarshalJSON()
	if err != nil {
		return "", err
	}
	return m.Name() + "\x00" + string(data), nil
}

func (d *Detector) resolve(ctx context.Context) (*registry.Model, string, error) {
	m, err := d.reg.Get(ctx, d.name)
	if err != nil {
		return nil, "", err
	}
	key, err := entryKey(m)
	if err != nil {
		return nil, "", fmt.Errorf("reload: %q: %w", d.name, err)
	}
	return m, key, nil
}

// providers returns the execution providers of det when its deployment
// type reports them (ONNX Runtime detectors do).
func providers(det detect.Detector) []string {
	var m any = det
	if u, ok := m.(interface{ Unwrap() deploy.Model }); ok {
		m = u.Unwrap()
	}
	if p, ok := m.(interface{ Providers() []string }); ok {
		return p.Providers()
	}
	return nil
}
