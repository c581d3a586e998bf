// Command detect-server serves object detection over HTTP with models from
// the registry, following new versions as they are published.
//
//	go run ./examples/detect-server -addr 127.0.0.1:8080 -model yolox-nano-coco
//
// Endpoints:
//
//	POST /v1/detect?model=NAME[&image=LABEL]  body: a JPEG or PNG image
//	     → {"model": "name@version", "image": LABEL, "width", "height",
//	        "objects": [ETA objects]}  (detect.ImageRecord, as detect-image -json)
//	     model may be left out when one model is served
//	GET  /v1/models   the models served and the version serving each
//	GET  /healthz     200 while the process is alive
//	GET  /readyz      200 once every model is loaded, 503 while loading and
//	                  when shutting down
//	GET  /metrics     Prometheus metrics (OpenTelemetry): detection time per
//	                  stage, sessions busy, downloads, reloads, version served
//
// Errors are JSON, {"error": {"code": CODE, "message": TEXT}}, with a
// stable code: bad_request, empty_body, decode_failed (400),
// model_not_found (404), method_not_allowed (405), body_too_large,
// image_too_large (413), overloaded, not_ready (503, with Retry-After),
// timeout (504), internal (500).
//
// Each -model is followed as deploy/reload does: every -poll the server
// resolves the name again, and when the manifest gives it a new version
// the server downloads, verifies, loads and warms it up in the background,
// then swaps it in; requests running finish on the old version. A version
// that fails keeps the old one serving.
//
// Flags:
//
//	-addr HOST:PORT    listen address (default 127.0.0.1:8080)
//	-model NAME        a model to serve; repeat for several (default yolox-nano-coco)
//	-dirs DIRS         models directories, separated by the OS list separator
//	                   (default MODELS_DIRS), searched before the bundled catalog
//	-poll D            time between checks for a new version (default 30s; 0 turns them off)
//	-sessions N        sessions per model (default: one per CPU, see deploy.DefaultSessions)
//	-threads N         intra-op threads per session (default 1)
//	-providers LIST    execution providers, best first, comma-separated
//	                   ("cuda,cpu"; default: CPU only)
//	-concurrency N     detections running at once (default: the sessions of one model)
//	-queue N           requests waiting beyond those; more get 503 overloaded (default 64)
//	-max-body BYTES    largest request body (default 20 MiB)
//	-max-pixels N      largest width × height, refused from the header (default 40000000)
//	-timeout D         longest a detect request may take, waiting included (default 30s)
//	-drain D           longest a shutdown waits for requests running (default 30s)
//	-exif              apply the JPEG EXIF orientation before detecting
//	-fast              decode large JPEGs at a reduced scale
//
// Memory is bounded by the limits: at most (-concurrency + -queue) bodies
// of -max-body bytes are held, and -concurrency images of up to
// -max-pixels are decoded at once (4 bytes a pixel), besides the models.
//
// SIGTERM or SIGINT shut the server down gracefully: /readyz turns 503, no
// new connection is accepted, the requests running finish (up to -drain),
// then the models are closed. The exit status is 1 when a model cannot be
// loaded or the address cannot be listened on, 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"golang.org/x/sync/errgroup"

	_ "github.com/modelreg/modelreg/catalog" // the bundled models
	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/deploy/reload"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // registers "onnxruntime/detector"
	"github.com/modelreg/modelreg/internal/flagusage"
	"github.com/modelreg/modelreg/registry"
)

type config struct {
	addr      string
	models    []string
	dirs      string
	poll      time.Duration
	sessions  int
	threads   int
	providers []string
	drain     time.Duration
	exif      bool
	fast      bool
	lim       limits

	// For tests: hook runs at named points of requests (see server.hook);
	// onEvent receives the models' reload events; started runs once the
	// server is ready.
	hook    func(ctx context.Context, point string)
	onEvent func(reload.Event)
	started func(*server)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status. -h prints
// the usage on stdout; everything else goes to stderr.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg, err := parseFlags(args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		log.Error("listen", "err", err)
		return 1
	}
	if err := serve(ctx, ln, cfg, log); err != nil {
		log.Error("detect-server", "err", err)
		return 1
	}
	return 0
}

// printUsage prints the synopsis, every flag with its default and an
// example.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	flagusage.Print(w, fs, "detect-server [flags]",
		"Serves object detection over HTTP: POST /v1/detect?model=NAME with a JPEG or PNG body;\n"+
			"GET /v1/models, /healthz, /readyz and /metrics (Prometheus).",
		"detect-server -addr 127.0.0.1:8080 -model yolox-nano-coco",
		"curl --data-binary @dog.jpg 'http://127.0.0.1:8080/v1/detect?model=yolox-nano-coco'")
}

// stringList is a flag that may be repeated.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

func parseFlags(args []string, stdout, stderr io.Writer) (*config, error) {
	fs := flag.NewFlagSet("detect-server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {} // printed below: on stdout for -h, on stderr for a mistake
	c := &config{}
	var models stringList
	fs.StringVar(&c.addr, "addr", "127.0.0.1:8080", "listen `HOST:PORT`")
	fs.Var(&models, "model", "a model `NAME` to serve; repeat for several (default yolox-nano-coco)")
	fs.StringVar(&c.dirs, "dirs", "", "models `DIRS` searched before the bundled catalog (default MODELS_DIRS)")
	fs.DurationVar(&c.poll, "poll", 30*time.Second, "time between checks for a new version; 0 turns them off")
	fs.IntVar(&c.sessions, "sessions", 0, "sessions per model (0: one per CPU)")
	fs.IntVar(&c.threads, "threads", 0, "intra-op threads per session (0: 1)")
	providers := fs.String("providers", "", "execution providers, best first, comma-separated (\"cuda,cpu\"; default: CPU only)")
	fs.IntVar(&c.lim.concurrency, "concurrency", 0, "detections running at once (0: the sessions of one model)")
	fs.IntVar(&c.lim.queue, "queue", 64, "requests waiting beyond those; more get 503 overloaded")
	fs.Int64Var(&c.lim.maxBody, "max-body", 20<<20, "largest request body in `BYTES`")
	fs.Int64Var(&c.lim.maxPixels, "max-pixels", 40_000_000, "largest width × height, refused from the image header")
	fs.DurationVar(&c.lim.timeout, "timeout", 30*time.Second, "longest a detect request may take, waiting included")
	fs.DurationVar(&c.drain, "drain", 30*time.Second, "longest a shutdown waits for the requests running")
	fs.BoolVar(&c.exif, "exif", false, "apply the JPEG EXIF orientation before detecting")
	fs.BoolVar(&c.fast, "fast", false, "decode large JPEGs at a reduced scale")
	if err := fs.Parse(args); err != nil {
		out := stderr
		if errors.Is(err, flag.ErrHelp) {
			out = stdout
		}
		printUsage(fs, out)
		return nil, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "detect-server: unexpected argument %q (see detect-server -h)\n", fs.Arg(0))
		return nil, errors.New("usage")
	}
	c.models = models
	if *providers != "" {
		c.providers = strings.Split(*providers, ",")
	}
	if len(c.models) == 0 {
		c.models = []string{"yolox-nano-coco"}
	}
	if c.lim.concurrency <= 0 {
		c.lim.concurrency = c.sessions
		if c.lim.concurrency <= 0 {
			c.lim.concurrency = deploy.DefaultSessions(c.threads, c.providers)
		}
	}
	if c.lim.queue < 0 || c.lim.maxBody <= 0 || c.lim.maxPixels <= 0 || c.lim.timeout <= 0 {
		fmt.Fprintln(stderr, "detect-server: -queue must be 0 or more; -max-body, -max-pixels and -timeout above 0")
		return nil, errors.New("usage")
	}
	return c, nil
}

// serve serves on ln until ctx ends, then shuts down gracefully.
func serve(ctx context.Context, ln net.Listener, cfg *config, log *slog.Logger) error {
	promReg := prometheus.NewRegistry()
	exporter, err := otelprom.New(otelprom.WithRegisterer(promReg))
	if err != nil {
		ln.Close()
		return err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(exporter))
	defer mp.Shutdown(context.Background())
	s := newServer(cfg.lim, log)
	s.exif, s.fast, s.hook = cfg.exif, cfg.fast, cfg.hook
	// A body must arrive within the request timeout: a client that sends
	// it slowly would otherwise hold its place in the queue.
	srv := &http.Server{Handler: s.handler(promhttp.HandlerFor(promReg, promhttp.HandlerOpts{})),
		ReadHeaderTimeout: 10 * time.Second, ReadTimeout: cfg.lim.timeout, IdleTimeout: 2 * time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	log.Info("listening", "addr", ln.Addr().String())

	loadErr := s.load(ctx, cfg, log, mp)
	if loadErr == nil {
		s.ready.Store(true)
		log.Info("ready", "models", cfg.models)
		if cfg.started != nil {
			cfg.started(s)
		}
		select {
		case <-ctx.Done():
		case err := <-served:
			loadErr = err
		}
	}
	s.ready.Store(false)
	log.Info("shutting down", "drain", cfg.drain)
	if s.hook != nil {
		s.hook(ctx, "shutdown")
	}
	dctx, cancel := context.WithTimeout(context.Background(), cfg.drain)
	defer cancel()
	err = srv.Shutdown(dctx)
	if err != nil {
		srv.Close()
	}
	return errors.Join(loadErr, err, s.closeModels())
}

// load loads every model, all at once.
func (s *server) load(ctx context.Context, cfg *config, log *slog.Logger, mp *sdkmetric.MeterProvider) error {
	var dirs []string
	if cfg.dirs != "" {
		dirs = filepath.SplitList(cfg.dirs)
	}
	reg, err := registry.New(&registry.Options{Dirs: dirs, Catalogs: registry.Catalogs(), Logger: log})
	if err != nil {
		return err
	}
	poll := cfg.poll
	if poll <= 0 {
		poll = -1
	}
	dets := make([]*reload.Detector, len(cfg.models))
	g, gctx := errgroup.WithContext(ctx)
	for i, name := range cfg.models {
		g.Go(func() error {
			d, err := reload.New(gctx, reg, name, &reload.Options{Interval: poll, Logger: log, OnEvent: cfg.onEvent,
				Load: &deploy.Options{Sessions: cfg.sessions, Threads: cfg.threads, Providers: cfg.providers,
					MeterProvider: mp, Logger: log}})
			if err != nil {
				return fmt.Errorf("loading %q: %w", name, err)
			}
			dets[i] = d
			return nil
		})
	}
	err = g.Wait()
	for i, d := range dets {
		if d != nil {
			s.add(cfg.models[i], d)
		}
	}
	return err
}
