// Command detect-image detects objects in images with a model from the
// registry: the bundled catalog, or the directories of MODELS_DIRS.
//
//	go run ./examples/detect-image [flags] IMAGE...
//
// Flags:
//
//	-model NAME      model name or name@version (default yolox-nano-coco)
//	-threshold T     score threshold (default: the model's)
//	-out DIR         write <image>.detections.png with boxes and labels drawn
//	-json            one JSON object per image per line, ETA's detection schema
//	-exif            apply the JPEG EXIF orientation before detecting
//	-threads N       intra-op threads (default 1)
//	-fast            decode JPEGs much larger than the model's input at a
//	                 reduced scale (several times faster; scores can move a
//	                 little; annotated images are then reduced too)
//
// Without -json it prints a table. The exit status is 1 when an image
// cannot be read or the model cannot be loaded, 2 on a usage error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"

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
	fast      bool
	images    []string
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	opts, err := parseFlags(args, stderr)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if err := detectImages(ctx, opts, stdout, stderr); err != nil {
		fmt.Fprintln(stderr, "detect-image:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	fs := flag.NewFlagSet("detect-image", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.StringVar(&o.model, "model", "yolox-nano-coco", "model `name` or name@version")
	fs.Float64Var(&o.threshold, "threshold", 0, "score `threshold` (default: the model's)")
	fs.StringVar(&o.out, "out", "", "write annotated PNGs into `dir`")
	fs.BoolVar(&o.json, "json", false, "print one JSON object per image per line")
	fs.BoolVar(&o.exif, "exif", false, "apply the JPEG EXIF orientation")
	fs.IntVar(&o.threads, "threads", 1, "intra-op `threads`")
	fs.BoolVar(&o.fast, "fast", false, "decode large JPEGs at a reduced scale for the model")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: detect-image [flags] IMAGE...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	o.images = fs.Args()
	if len(o.images) == 0 {
		fs.Usage()
		return nil, errors.New("no image")
	}
	if o.threshold < 0 || o.threshold > 1 {
		fmt.Fprintln(stderr, "detect-image: -threshold must be in [0, 1]")
		return nil, errors.New("bad threshold")
	}
	return o, nil
}

func detectImages(ctx context.Context, o *options, stdout, stderr io.Writer) error {
	reg, err := deploy.DefaultRegistry()
	if err != nil {
		return err
	}
	m, err := deploy.LoadDetector(ctx, reg, o.model, &deploy.Options{
		Threads: o.threads, ScoreThreshold: float32(o.threshold)})
	if err != nil {
		return err
	}
	defer m.Close()
	failed := 0
	for r := range detect.DetectFiles(ctx, m, o.images, decodeOptions(m, o)) { // decodes the next while detecting
		if err := report(r, o, stdout); err != nil {
			fmt.Fprintf(stderr, "detect-image: %s: %v\n", r.Path, err)
			failed++
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d images failed", failed, len(o.images))
	}
	return nil
}
