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
)

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
		return json.NewEncoder(stdout).Encode(detect.NewImageRecord(r.Path, r.Size, r.Detections, nil))
	}
	return printTable(stdout, r.Path, r.Size, r.Detections)
}

// decodeOptions are the options of detect.DecodeImage for -exif and -fast.
func decodeOptions(m detect.Detector, o *options) *detect.DecodeOptions {
	opts := &detect.DecodeOptions{Orient: o.exif, MaxPixels: o.maxPixels}
	if o.fast {
		opts.Fit, _ = m.(detect.Fitter)
	}
	return opts
}

func printTable(w io.Writer, path string, size image.Point, dets []detect.Detection) error {
	noun := "objects"
	if len(dets) == 1 {
		noun = "object"
	}
	fmt.Fprintf(w, "%s (%dx%d): %d %s\n", path, size.X, size.Y, len(dets), noun)
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
	name := filepath.Base(path)
	if path == "-" {
		name = "stdin"
	}
	dst := filepath.Join(dir, name+".detections.png")
	// Write a temp file and rename it, so that an interrupted run never
	// leaves a half-written PNG under the final name.
	f, err := os.CreateTemp(dir, "."+name+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // fails harmlessly once renamed
	if err := encodePNG(f, annotate(img, dets)); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), dst)
}
