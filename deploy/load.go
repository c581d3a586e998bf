package deploy

import (
	"context"
	"errors"
	"fmt"
	"image"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/telemetry"
	"github.com/modelreg/modelreg/registry"

	// The managers the bundled catalog and ETA manifests use.
	_ "github.com/modelreg/modelreg/registry/filemanager"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// defaultRegistry is the registry of LoadDefaultDeploymentModel, made on
// first use.
var defaultRegistry = sync.OnceValues(func() (*registry.Registry, error) {
	return registry.New(&registry.Options{Catalogs: registry.Catalogs()})
})

// DefaultRegistry returns the registry used by [LoadDefaultDeploymentModel]:
// the directories of MODELS_DIRS, then the catalogs linked into the program
// ([registry.Catalogs]; the bundled one when the program imports
// github.com/modelreg/modelreg/catalog), with the registry's other settings
// from the environment. It is made once, on first use: import catalogs
// before calling it.
func DefaultRegistry() (*registry.Registry, error) { return defaultRegistry() }

// LoadDefaultDeploymentModel resolves name ("name" for the latest version,
// or "name@version") in the default registry, downloads and verifies it if
// needed, and loads its default deployment as a detector. Close the detector
// when done.
func LoadDefaultDeploymentModel(ctx context.Context, name string) (detect.Detector, error) {
	reg, err := DefaultRegistry()
	if err != nil {
		return nil, err
	}
	d, err := LoadDetector(ctx, reg, name, nil)
	if errors.Is(err, registry.ErrNotFound) && len(registry.Catalogs()) == 0 {
		return nil, fmt.Errorf("%w (no catalog is linked into this program: import _ \"github.com/modelreg/modelreg/catalog\" for the bundled models)", err)
	}
	return d, err
}

// LoadDetector is [LoadDefaultDeploymentModel] with an explicit registry
// and options (nil means defaults).
func LoadDetector(ctx context.Context, reg *registry.Registry, name string, opts *Options) (detect.Detector, error) {
	m, err := Load(ctx, reg, name, opts)
	if err != nil {
		return nil, err
	}
	d, ok := m.(detect.Detector)
	if !ok {
		m.Close()
		if u, ok := m.(interface{ Unwrap() Model }); ok {
			m = u.Unwrap()
		}
		return nil, fmt.Errorf("%w: %q loads as a %T; use deploy.Load for it", ErrNotDetector, name, m)
	}
	return d, nil
}

// Load resolves name in reg, downloads it if needed, checks its
// requirements and builds its default deployment with the factory
// registered for the deployment type. The result's concrete type depends
// on the type; detectors implement [detect.Detector].
func Load(ctx context.Context, reg *registry.Registry, name string, opts *Options) (Model, error) {
	opts = opts.orDefault()
	req, err := newRequest(ctx, reg, name, opts)
	if err != nil {
		return nil, err
	}
	f, err := factory(req.Type)
	if err != nil {
		return nil, err
	}
	if err := req.checkDevices(); err != nil {
		return nil, err
	}
	release, err := reg.Hold(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	if err := req.fetch(ctx, reg); err != nil {
		release()
		return nil, err
	}
	model, err := f(ctx, req)
	if err != nil {
		release()
		return nil, err
	}
	return hold(model, release), nil
}

// newRequest resolves the model and merges its config; nothing is
// downloaded yet.
func newRequest(ctx context.Context, reg *registry.Registry, name string, opts *Options) (*Request, error) {
	m, err := reg.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	if m.DefaultDeployment == nil || m.DefaultDeployment.Type == "" {
		return nil, fmt.Errorf("%w: %q has no \"default_deployment_config_dict\" in %s; add one to its manifest entry "+
			"('models import-onnx' infers one from an exported ONNX detector)", ErrNoDeployment, m.Name(), m.ManifestPath())
	}
	cfg, err := mergeConfig(m.DefaultDeployment.Config, opts.Config)
	if err != nil {
		return nil, fmt.Errorf("deploy: model %q: %w", m.Name(), err)
	}
	reqs, err := parseRequirements(m.Requirements)
	if err != nil {
		return nil, fmt.Errorf("deploy: model %q: %w", m.Name(), err)
	}
	req := &Request{Name: m.Name(), Type: m.DefaultDeployment.Type, Config: cfg, Options: opts,
		Logger: opts.Logger, reqs: reqs}
	if !opts.NoCache && opts.CacheDir != "" {
		req.CacheDir = filepath.Join(opts.CacheDir, cacheName(req.Type))
	}
	return req, nil
}

// cacheName turns a deployment type ("onnxruntime/detector") into a
// directory name ("onnxruntime-detector").
func cacheName(typ string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-' {
			return r
		}
		return '-'
	}, typ)
}

// Download downloads and verifies the model name resolves to in reg, if
// its verified local copy is absent, as [Load] does first: with
// opts.Download, and counted in opts.MeterProvider's download metrics.
func Download(ctx context.Context, reg *registry.Registry, name string, opts *Options) error {
	opts = opts.orDefault()
	dl := telemetry.NewDownload(opts.MeterProvider, name)
	if _, err := reg.Download(ctx, name, countDownload(ctx, dl, opts.Download)); err != nil {
		dl.Failed(ctx, err)
		return err
	}
	return nil
}

// fetch downloads the model if needed and lists its files.
func (r *Request) fetch(ctx context.Context, reg *registry.Registry) error {
	dl := telemetry.NewDownload(r.Options.MeterProvider, r.Name)
	if _, err := reg.Download(ctx, r.Name, countDownload(ctx, dl, r.Options.Download)); err != nil {
		dl.Failed(ctx, err)
		return err
	}
	files, err := reg.LocalFiles(ctx, r.Name)
	if err != nil {
		return err
	}
	for _, f := range files {
		r.Files = append(r.Files, File{Path: f.Path, Size: f.Size, SHA256: f.SHA256})
	}
	return nil
}

// countDownload returns opts with a Progress that also counts the
// download's bytes and retries in dl; opts itself when dl is nil.
func countDownload(ctx context.Context, dl *telemetry.Download, opts *registry.DownloadOptions) *registry.DownloadOptions {
	if dl == nil {
		return opts
	}
	var o registry.DownloadOptions
	if opts != nil {
		o = *opts
	}
	next := o.Progress
	o.Progress = func(e registry.Event) {
		switch e.Kind {
		case registry.EventStart:
			dl.Start(e.File, e.Resumed)
		case registry.EventProgress:
			dl.Progress(ctx, e.File, e.Done, int64(e.Retries))
		}
		if next != nil {
			next(e)
		}
	}
	return &o
}

// hold wraps model so that Close also releases the registry's hold on its
// files. A detector stays a detector.
func hold(model Model, release func()) Model {
	h := &held{Model: model, release: release}
	if d, ok := model.(detect.Detector); ok {
		return &heldDetector{Detector: d, held: h}
	}
	return h
}

type held struct {
	Model
	release func()
	once    sync.Once
}

// Close closes the model, then releases its files.
func (h *held) Close() error {
	err := h.Model.Close()
	h.once.Do(h.release)
	return err
}

// Unwrap returns the model built by the factory.
func (h *held) Unwrap() Model { return h.Model }

type heldDetector struct {
	detect.Detector
	held *held
}

// Close closes the detector, then releases its files.
func (h *heldDetector) Close() error { return h.held.Close() }

// Unwrap returns the model built by the factory.
func (h *heldDetector) Unwrap() Model { return h.held.Model }

// RecordDecode forwards to the detector when it is a
// [detect.DecodeRecorder], so that its metrics have a decode stage.
func (h *heldDetector) RecordDecode(ctx context.Context, took time.Duration) {
	if r, ok := h.Detector.(detect.DecodeRecorder); ok {
		r.RecordDecode(ctx, took)
	}
}

// MinImageSize forwards to the detector when it is a [detect.Fitter], so
// that detect.DecodeImage can decode large JPEGs at a reduced scale for
// it; otherwise it returns w×h, the full size.
func (h *heldDetector) MinImageSize(w, ht int) image.Point {
	if f, ok := h.Detector.(detect.Fitter); ok {
		return f.MinImageSize(w, ht)
	}
	return image.Pt(w, ht)
}
