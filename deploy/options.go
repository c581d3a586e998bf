package deploy

import (
	"log/slog"
	"os"
	"path/filepath"

	"go.opentelemetry.io/otel/metric"

	"github.com/modelreg/modelreg/registry"
)

// Options tune how a model is loaded. A nil *Options is the zero value, and
// every zero field means "the manifest's choice, else the runtime default".
type Options struct {
	// Config overrides keys of the manifest's default deployment config;
	// caller keys win, and nested objects merge key by key (see the package
	// doc). Values must marshal to JSON.
	Config map[string]any
	// LibraryPath is the ONNX Runtime shared library to use; "" searches
	// the usual places (see loader.Find).
	LibraryPath string
	// Threads is the number of intra-op threads per session; 0 means 1,
	// which is the fastest per call on small machines. Use more sessions
	// (Sessions) rather than more threads to scale throughput. Detectors
	// also split the pre-processing of one image between this many
	// goroutines.
	Threads int
	// Sessions is the number of runtime sessions the model keeps, so that
	// that many Detect calls run in parallel; 0 means
	// [DefaultSessions](Threads, Providers): one per CPU this process may
	// use, so that a service on N cores serves about N times the rate of
	// one session.
	Sessions int
	// Providers lists execution providers in order of preference ("cuda",
	// "tensorrt", "coreml", "directml", "cpu"); unavailable ones are skipped
	// and CPU is always the last resort. nil means CPU only.
	Providers []string
	// ScoreThreshold, when above 0, replaces the manifest's score threshold.
	ScoreThreshold float32
	// Requirements is what happens when the manifest's requirements are not
	// met (LevelFail by default).
	Requirements ErrorLevel
	// Download is passed to the registry when the model must be
	// downloaded first (progress callback, force).
	Download *registry.DownloadOptions
	// Logger receives warnings; nil discards them, as everywhere in the module
	// (pass slog.Default() to see them).
	Logger *slog.Logger
	// CacheDir is where deployment types keep what they derive from a
	// model to load it faster next time, such as ONNX Runtime's optimised
	// graph (see [Request.CacheDir]). "" means
	// os.UserCacheDir()/modelreg/derived.
	CacheDir string
	// NoCache turns that cache off: every load starts from the model file
	// alone.
	NoCache bool
	// MeterProvider, when set, receives the model's OpenTelemetry metrics:
	// the bytes, retries and failures of its download
	// (modelreg.download.*) and what the deployment type records (ONNX
	// Runtime detectors: the time of each stage of a detection and the
	// sessions in use, modelreg.detect.*). Nil records nothing, at the
	// cost of a nil check per call.
	MeterProvider metric.MeterProvider
}

func (o *Options) orDefault() *Options {
	if o == nil {
		o = &Options{}
	}
	c := *o
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Sessions <= 0 {
		c.Sessions = DefaultSessions(c.Threads, c.Providers)
	}
	if c.CacheDir == "" && !c.NoCache {
		if base, err := os.UserCacheDir(); err == nil {
			c.CacheDir = filepath.Join(base, "modelreg", "derived")
		}
	}
	return &c
}
