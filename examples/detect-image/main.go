// Command detect-image detects objects in images with a model from the
// registry: the bundled catalog, or the directories of MODELS_DIRS.
//
//	go run ./examples/detect-image [flags] IMAGE|DIR|- ...
//
// A directory stands for the JPEG and PNG files in it, sorted by name; "-"
// reads one image from standard input.
//
// Flags:
//
//	-model NAME      model name or name@version (default yolox-nano-coco)
//	-dirs DIRS       models directories searched before the bundled catalog,
//	                 separated by the OS list separator (default MODELS_DIRS)
//	-threshold T     score threshold (default 0: the model's)
//	-out DIR         write <image>.detections.png with boxes and labels drawn
//	-json            one JSON object per image per line (detect.ImageRecord:
//	                 ETA's detection schema; {"image", "error"} for an image
//	                 that fails, and the others go on)
//	-exif            apply the JPEG EXIF orientation before detecting
//	-threads N       intra-op threads (default 1)
//	-sessions N      model sessions detecting at once (default 0: one per
//	                 core, GOMAXPROCS ÷ -threads, but no more than one per
//	                 16 images; one with a GPU provider)
//	-workers N       goroutines reading, decoding and detecting (default 0:
//	                 sessions + (sessions+1)/2, see detect.FilesOptions;
//	                 with a GPU provider, one per core + sessions)
//	-providers LIST  execution providers in order of preference, e.g.
//	                 cuda,cpu (default: CPU only; see deploy.Options)
//	-max-pixels N    largest width × height decoded (default 50000000)
//	-fast            decode JPEGs much larger than the model's input at a
//	                 reduced scale (several times faster; scores can move a
//	                 little; annotated images are then written reduced too)
//
// Flags may also follow the images (detect-image dog.jpg -json); "--"
// ends them.
//
// The model loads while the first images are read and decoded. Without
// -json it prints a table. The exit status is 1 when an image
// cannot be read or the model cannot be loaded, 2 on a usage error, 130
// after Ctrl-C.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"

	_ "github.com/modelreg/modelreg/catalog" // the bundled models
	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // registers "onnxruntime/detector"
)

type options struct {
	model     string
	threshold float64
	out       string
	json      bool
	exif      bool
	threads   int
	sessions  int
	workers   int
	providers string
	maxPixels int64
	fast      bool
	dirs      string
	images    []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	go func() {
		<-ctx.Done()
		stop() // a second Ctrl-C kills the process
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// exitInterrupted is the exit status after Ctrl-C, as a shell reports a
// process killed by SIGINT (128 + 2).
const exitInterrupted = 130

// run is main without the process: it returns the exit status, 130 with
// one line when ctx is cancelled (Ctrl-C) before the images are done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stdout, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := detectImages(ctx, opts, stdout, stderr); err != nil {
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "detect-image: interrupted")
			return exitInterrupted
		}
		fmt.Fprintln(stderr, "detect-image:", err)
		return 1
	}
	return 0
}

// parseFlags parses the command line. Flags may come before, between or
// after the images ("dog.jpg -json"); "--" ends them. -h prints the usage
// on stdout; a usage error prints it on stderr.
func parseFlags(args []string, stdout, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("detect-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.model, "model", "yolox-nano-coco", "model `name` or name@version")
	fs.StringVar(&o.dirs, "dirs", "", "models `dirs` searched before the bundled catalog, separated by \""+string(filepath.ListSeparator)+"\" (\"\": $MODELS_DIRS)")
	fs.Float64Var(&o.threshold, "threshold", 0, "score `threshold` (0: the model's)")
	fs.StringVar(&o.out, "out", "", "write annotated PNGs into `dir`")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per image per line")
	fs.BoolVar(&o.exif, "exif", false, "apply the JPEG EXIF orientation")
	fs.IntVar(&o.threads, "threads", 1, "intra-op `threads`")
	fs.IntVar(&o.sessions, "sessions", 0, "model `sessions` detecting at once (0: one per core, at most one per 16 images)")
	fs.IntVar(&o.workers, "workers", 0, "`goroutines` reading, decoding and detecting (0: sessions + (sessions+1)/2)")
	fs.StringVar(&o.providers, "providers", "", "execution `providers` in order of preference, e.g. cuda,cpu (\"\": CPU only)")
	fs.Int64Var(&o.maxPixels, "max-pixels", detect.DefaultMaxPixels, "largest width × height `pixels` decoded")
	fs.BoolVar(&o.fast, "fast", false, "decode large JPEGs at a reduced scale for the model (annotated images are then written reduced)")
	fs.Usage = func() {} // printed below: on stdout for -h, on stderr for a mistake
	images, err := parseInterspersed(fs, args)
	if errors.Is(err, flag.ErrHelp) {
		printUsage(fs, stdout)
		return nil, err
	}
	if err != nil {
		printUsage(fs, stderr)
		return nil, err
	}
	o.images = images
	if len(o.images) == 0 {
		printUsage(fs, stderr)
		return nil, errors.New("no image")
	}
	if o.threshold < 0 || o.threshold > 1 {
		fmt.Fprintln(stderr, "detect-image: -threshold must be in [0, 1]")
		return nil, errors.New("bad threshold")
	}
	if o.sessions < 0 || o.workers < 0 || o.threads < 1 {
		fmt.Fprintln(stderr, "detect-image: -sessions and -workers must be 0 or more, -threads 1 or more")
		return nil, errors.New("bad count")
	}
	return o, nil
}

func detectImages(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	paths, err := expandImages(o.images)
	if err != nil {
		return err
	}
	if o.out != "" {
		// Before any work: a -out that cannot be a directory would
		// otherwise fail every image after its detection.
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return fmt.Errorf("-out: %w", err)
		}
	}
	providers := providerList(o.providers)
	accel := accelerated(providers)
	sessions, workers := o.sessions, o.workers
	if sessions == 0 {
		sessions = sessionsFor(len(paths), o.threads, accel)
	}
	if workers == 0 {
		workers = workersFor(sessions, accel)
	}
	m := startLoading(ctx, func(ctx context.Context) (detect.Detector, error) {
		reg, err := openRegistry(o.dirs)
		if err != nil {
			return nil, err
		}
		return deploy.LoadDetector(ctx, reg, o.model, &deploy.Options{
			Threads: o.threads, Sessions: sessions, ScoreThreshold: float32(o.threshold), Providers: providers})
	})
	defer m.Close()
	if o.fast && o.out != "" {
		fmt.Fprintln(stderr, "detect-image: -fast: annotated images are written at the reduced size the model read")
	}
	dopts := decodeOptions(m, o)
	failed, total := 0, 0
	// Files decode while the model loads, then while the sessions run.
	results := detect.DetectFilesWith(ctx, m, paths, &detect.FilesOptions{Decode: dopts, Parallel: sessions, Workers: workers})
	if len(paths) == 1 && paths[0] == "-" {
		results = detectStdin(ctx, m, dopts)
	}
	for r := range results {
		if ctx.Err() != nil {
			break // Ctrl-C: the images in flight fail with it, and say nothing
		}
		if err, ok := loadFailure(r.Err); ok {
			return err
		}
		if total == 0 && accel {
			warnCPUOnly(ctx, m, o.providers, stderr)
		}
		total++
		if err := report(r, o, stdout); err != nil {
			err = explain(err, r.Path, o)
			fmt.Fprintf(stderr, "detect-image: %s: %v\n", r.Path, err)
			if o.json {
				json.NewEncoder(stdout).Encode(detect.NewImageRecord(r.Path, image.Point{}, nil, err))
			}
			failed++
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images failed", failed, total)
	}
	return nil
}

// explain adds to err what the user can do about it, and drops the path
// of an error about opening path, which the line already names.
func explain(err error, path string, o *options) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok && pe.Path == path && pe.Op == "open" {
		return fmt.Errorf("cannot open: %w", pe.Err)
	}
	if errors.Is(err, detect.ErrImageTooLarge) {
		return fmt.Errorf("%w (the limit is %d pixels; raise it with -max-pixels)", err, o.maxPixels)
	}
	return err
}
