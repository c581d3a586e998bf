package ortdetect

import (
	"context"
	"errors"
	"fmt"
	"image"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/telemetry"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

// ErrClosed is returned by calls on a closed Detector.
var ErrClosed = errors.New("ortdetect: detector is closed")

// Options tune a Detector. A nil *Options is the zero value; every zero
// field means the documented default.
type Options struct {
	// Threads is the number of intra-op threads of each session; 0 means 1.
	Threads int
	// Sessions is the number of sessions, hence of Detect calls that run in
	// parallel; 0 means 1.
	Sessions int
	// Providers are the execution providers to try, best first; the CPU
	// provider is always the last resort. Nil means CPU only.
	Providers []ort.Provider
	// GraphOptimization is ONNX Runtime's graph optimisation level; zero
	// means all optimisations, which run fastest (lower levels run 1.5–2×
	// slower on the bundled models).
	GraphOptimization ort.GraphOptimization
	// MaxBatch is the most images one run of DetectAll takes on a model
	// with a dynamic batch dimension (see [Detector.Batched]); 0 or less
	// means [DefaultMaxBatch]. Each session keeps an input buffer for as
	// many images as the largest batch it has run.
	MaxBatch int
	// Logger receives ONNX Runtime's messages of level error and above;
	// nil discards them, as everywhere in the module (pass slog.Default()
	// to see them). ONNX Runtime has one environment per
	// process: while several detectors are open, its messages go to the
	// Logger of the one opened first (see ort.Env).
	Logger *slog.Logger
	// CacheDir, when set, is where the detector keeps ONNX Runtime's
	// optimised graph of the model, so that later loads of the same model
	// with the same library, optimisation level and CPU skip graph
	// optimisation (session creation about 2× faster for the bundled
	// models). The first load writes it; a cached graph that ONNX Runtime
	// refuses is rebuilt, while a load stopped by its context returns the
	// context's error and leaves the cache as it was. Only CPU-only
	// detectors use it. "" means no cache.
	CacheDir string
	// ModelSHA256 is the hex sha256 of the model bytes, when the caller
	// knows it; it names the cached graph. When it is empty and CacheDir
	// is set, New hashes the model.
	ModelSHA256 string
	// MeterProvider, when set, receives the detector's metrics: the time
	// of each stage of Detect (pre, run, post) in the histogram
	// modelreg.detect.duration and the sessions in use in
	// modelreg.detect.sessions.busy, with the attribute model set to Name.
	// Nil records nothing.
	MeterProvider metric.MeterProvider
	// Name is the model's name in metrics ("yolox-nano-coco@1").
	Name string
}

// Detector is an object detector running on ONNX Runtime. It implements
// [detect.Detector].
type Detector struct {
	pipe      *detect.Pipeline
	env       *ort.Env
	sessions  []*ort.Session
	slots     chan *slot
	nslots    int // slots made; Close takes back this many
	done      chan struct{}
	closed    atomic.Bool
	closeOnce sync.Once
	closeErr  error
	providers []string
	maxBatch  int          // images per batched run; 0: DetectAll loops over Detect
	runs      atomic.Int64 // Detect calls and batched runs, for tests
	graph     graphUse     // whether the optimised-graph cache was used
	tel       *telemetry.Detect
}

var _ detect.Detector = (*Detector)(nil)

// New loads model (the bytes of an ONNX file; not retained) into
// opts.Sessions sessions on lib, checks its inputs and outputs against the
// pipeline, and returns a detector. Weights that the file also lists as
// graph inputs are loaded as constants, since a detector only feeds the
// image: ONNX Runtime can then fold and fuse them.
func New(ctx context.Context, lib *loader.Library, model []byte, pipe *detect.Pipeline, opts *Options) (_ *Detector, err error) {
	if opts == nil {
		opts = &Options{}
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	env, err := ort.NewEnv(lib, &ort.EnvOptions{LogLevel: ort.LogError, Logger: logger, LogID: "modelreg"})
	if err != nil {
		return nil, err
	}
	n := max(opts.Sessions, 1)
	d := &Detector{pipe: pipe, env: env, slots: make(chan *slot, n), done: make(chan struct{}),
		tel: telemetry.NewDetect(opts.MeterProvider, opts.Name)}
	defer func() {
		if err != nil {
			d.Close()
		}
	}()
	so := &ort.SessionOptions{IntraOpThreads: max(opts.Threads, 1), InterOpThreads: 1,
		GraphOptimization: opts.GraphOptimization, Providers: opts.Providers}
	add := func(model []byte, so *ort.SessionOptions) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		return d.addSession(model, so)
	}
	fold := func() []byte { // only when the graph is not cached: it costs a copy of the model
		folded, k := FoldableModel(model)
		if k > 0 {
			logger.Debug("ortdetect: weights listed as graph inputs made constant", "inputs", k)
		}
		return folded
	}
	if d.graph, err = newGraphCache(lib, model, opts, logger).sessions(ctx, fold, so, n, add); err != nil {
		return nil, err
	}
	d.providers = d.sessions[0].Providers()
	if dynamicBatch(d.sessions[0]) {
		d.maxBatch = opts.MaxBatch
		if d.maxBatch <= 0 {
			d.maxBatch = DefaultMaxBatch
		}
	}
	return d, nil
}

func (d *Detector) addSession(model []byte, so *ort.SessionOptions) error {
	s, err := d.env.NewSession(model, so)
	if err != nil {
		return fmt.Errorf("ortdetect: %w", err)
	}
	d.sessions = append(d.sessions, s)
	if err := d.pipe.Check(tensorInfos(s.Inputs()), tensorInfos(s.Outputs())); err != nil {
		return err
	}
	sl, err := newSlot(s, d.pipe)
	if err != nil {
		return err
	}
	d.nslots++
	d.slots <- sl
	return nil
}

func tensorInfos(ios []ort.IOInfo) []detect.TensorInfo {
	out := make([]detect.TensorInfo, len(ios))
	for i, io := range ios {
		out[i] = detect.TensorInfo{Name: io.Name, Shape: io.Shape}
	}
	return out
}

// Providers returns the execution providers the sessions use, best first.
func (d *Detector) Providers() []string { return slices.Clone(d.providers) }

// Pipeline returns the detector's pre- and post-processing.
func (d *Detector) Pipeline() *detect.Pipeline { return d.pipe }

// MinImageSize returns the size a w×h image is resampled to for the model,
// so that detect.DecodeImage can decode large JPEGs at a reduced scale for
// it (see [detect.Fitter]).
func (d *Detector) MinImageSize(w, h int) image.Point { return d.pipe.MinImageSize(w, h) }

// RecordDecode records that an image took took to decode for this
// detector, as the "decode" stage of its metrics ([Options.MeterProvider]);
// without a meter provider it does nothing. See [detect.DecodeRecorder].
func (d *Detector) RecordDecode(ctx context.Context, took time.Duration) {
	d.tel.Duration(ctx, telemetry.StageDecode, took)
}

// Detect returns the objects found in img, highest confidence first.
func (d *Detector) Detect(ctx context.Context, img image.Image) ([]detect.Detection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if d.closed.Load() {
		return nil, ErrClosed
	}
	s, err := d.acquire(ctx)
	if err != nil {
		return nil, err
	}
	defer d.release(s)
	d.runs.Add(1)
	return s.detect(ctx, d.pipe, img, d.tel)
}

// DetectAll returns one result per image, in order, the same as Detect
// would. When the model has a dynamic batch dimension ([Detector.Batched]),
// it pre-processes up to [Options.MaxBatch] images into one input tensor
// and runs them at once, borrowing a session per batch; the results of one
// call then share a backing array (each has its capacity set to its
// length). Otherwise, as with the bundled models, which take one image per
// run, the images run one after another on one session; with several
// sessions, call Detect from several goroutines.
func (d *Detector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	if d.maxBatch > 0 {
		return d.detectBatched(ctx, imgs)
	}
	return detect.DetectEach(ctx, d.Detect, imgs)
}

// acquire borrows a session, waiting for one to be free.
func (d *Detector) acquire(ctx context.Context) (*slot, error) {
	select {
	case s := <-d.slots:
		d.tel.Busy(ctx, 1)
		return s, nil
	case <-d.done:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (d *Detector) release(s *slot) {
	d.tel.Busy(context.Background(), -1)
	d.slots <- s
}

// Close waits for the calls in progress, then releases the sessions. Calls
// that start or wait for a session after Close return ErrClosed. Close is
// safe to call more than once.
func (d *Detector) Close() error {
	d.closeOnce.Do(func() {
		d.closed.Store(true)
		close(d.done)
		var errs []error
		for range d.nslots {
			errs = append(errs, (<-d.slots).close())
		}
		for _, s := range d.sessions {
			errs = append(errs, s.Close())
		}
		errs = append(errs, d.env.Close())
		d.closeErr = errors.Join(errs...)
	})
	return d.closeErr
}
