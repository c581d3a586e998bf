package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"github.com/modelreg/modelreg/internal/atomicfile"
)

// result is one line of -json output.
type result struct {
	Image   string          `json:"image"`
	Width   int             `json:"width"`
	Height  int             `json:"height"`
	Objects []detect.Object `json:"objects"`
}

func detectOne(ctx context.Context, m detect.Detector, path string, o *options, stdout io.Writer) error {
	var fit detect.Fitter
	if o.fast {
		fit, _ = m.(detect.Fitter)
	}
	img, err := readImage(path, o.exif, fit)
	if err != nil {
		return err
	}
	dets, err := m.Detect(ctx, img)
	if err != nil {
		return err
	}
	if o.out != "" {
		if err := writeAnnotated(img, dets, o.out, path); err != nil {
			return err
		}
	}
	size := fullSize(img)
	if o.json {
		return json.NewEncoder(stdout).Encode(result{Image: path, Width: size.X, Height: size.Y,
			Objects: detect.ToObjects(dets).Objects})
	}
	return printTable(stdout, path, size, dets)
}

// fullSize is the size of the image in the file, which a reduced decode
// does not change.
func fullSize(img image.Image) image.Point {
	if r, ok := img.(*preprocess.Reduced); ok {
		return r.FullSize()
	}
	return img.Bounds().Size()
}

// readImage decodes a JPEG or PNG file, refusing absurd sizes before
// allocating, and applies its EXIF orientation when asked. With fit, a
// large JPEG may be decoded at a reduced scale for the detector.
func readImage(path string, exif bool, fit detect.Fitter) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(bufio.NewReader(f), &detect.DecodeOptions{Orient: exif, Fit: fit})
	return img, err
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
