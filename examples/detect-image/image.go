package main

import (
	"encoding/json"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/internal/atomicfile"
)

// result is one line of -json output.
type result struct {
	Image   string          `json:"image"`
	Width   int             `json:"width"`
	Height  int             `json:"height"`
	Objects []detect.Object `json:"objects"`
}

// report prints (and draws, with -out) what was found in one file.
func report(r detect.FileResult, o *options, stdout io.Writer) error {
	if r.Err != nil {
		return r.Err
	}
	if o.out != "" {
		if err := writeAnnotated(r.Image, r.Detections, o.out, r.Path); err != nil {
			return err
		}
	}
	if o.json {
		return json.NewEncoder(stdout).Encode(result{Image: r.Path, Width: r.Size.X, Height: r.Size.Y,
			Objects: detect.ToObjects(r.Detections).Objects})
	}
	return printTable(stdout, r.Path, r.Size, r.Detections)
}

// decodeOptions are the options of detect.DecodeImage for -exif and -fast.
func decodeOptions(m detect.Detector, o *options) *detect.DecodeOptions {
	opts := &detect.DecodeOptions{Orient: o.exif}
	if o.fast {
		opts.Fit, _ = m.(detect.Fitter)
	}
	return opts
}

func printTable(w io.Writer, path string, size image.Point, dets []detect.Detection) error {
	fmt.Fprintf(w, "%s (%dx%d): %d objects\n", path, size.X, size.Y, len(dets))
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  label\tconfidence\tbox (x1, y1, x2, y2) px")
	for _, d := range dets {
		fmt.Fprintf(tw, "  %s\t%.3f\t(%.0f, %.0f, %.0f, %.0f)\n", d.Label, d.Confidence, d.Box.X1, d.Box.Y1, d.Box.X2, d.Box.Y2)
	}
	return tw.Flush()
}

func writeAnnotated(img image.Image, dets []detect.Detection, dir, path string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	dst := filepath.Join(dir, filepath.Base(path)+".detections.png")
	f, err := atomicfile.New(dst, 0o644)
	if err != nil {
		return err
	}
	defer f.Abort()
	if err := encodePNG(f, annotate(img, dets)); err != nil {
		return err
	}
	return f.Commit()
}
