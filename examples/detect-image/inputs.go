package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/preprocess"
	"github.com/modelreg/modelreg/internal/flagusage"
)

// imageExts are the file extensions a directory argument stands for.
var imageExts = []string{".jpg", ".jpeg", ".png"}

// expandImages replaces each directory in args by the JPEG and PNG files in
// it, sorted by name. "-" (standard input) must be the only argument.
func expandImages(args []string) ([]string, error) {
	var paths []string
	for _, a := range args {
		if a == "-" {
			if len(args) > 1 {
				return nil, fmt.Errorf(`"-" (standard input) must be the only image`)
			}
			return args, nil
		}
		fi, err := os.Stat(a)
		if err != nil || !fi.IsDir() {
			paths = append(paths, a) // a file, or an error that its result reports
			continue
		}
		entries, err := os.ReadDir(a)
		if err != nil {
			return nil, err
		}
		n := len(paths)
		for _, e := range entries {
			p := filepath.Join(a, e.Name())
			if isFile(e, p) && slices.Contains(imageExts, strings.ToLower(filepath.Ext(e.Name()))) {
				paths = append(paths, p)
			}
		}
		if len(paths) == n {
			return nil, fmt.Errorf("%s: no JPEG or PNG files in the directory", a)
		}
	}
	return paths, nil
}

// isFile reports whether the directory entry e, at p, is a regular file or
// a symbolic link to one.
func isFile(e os.DirEntry, p string) bool {
	if e.Type()&os.ModeSymlink != 0 {
		fi, err := os.Stat(p)
		return err == nil && fi.Mode().IsRegular()
	}
	return e.Type().IsRegular()
}

// detectStdin detects in the one image read from standard input.
func detectStdin(ctx context.Context, m detect.Detector, opts *detect.DecodeOptions) iter.Seq[detect.FileResult] {
	return func(yield func(detect.FileResult) bool) {
		r := detect.FileResult{Path: "-"}
		img, _, err := detect.DecodeImage(os.Stdin, opts)
		if err == nil {
			r.Image, r.Size = img, img.Bounds().Size()
			if red, ok := img.(*preprocess.Reduced); ok {
				r.Size = red.FullSize()
			}
			r.Detections, err = m.Detect(ctx, img)
		}
		r.Err = err
		yield(r)
	}
}

// printUsage prints the synopsis and every flag with its default, zero
// values included.
func printUsage(fs *flag.FlagSet, w io.Writer) {
	flagusage.Print(w, fs, "detect-image [flags] IMAGE|DIR|- ...",
		"Detects objects in JPEG and PNG images (a directory: the images in it, sorted; -: standard input).",
		"detect-image -json -model picodet-s-320-coco testdata/images")
}

// parseInterspersed parses fs's flags wherever they come among args and
// returns the other arguments in order. "-" (standard input) is an
// argument; "--" ends the flags, and every argument after it is one.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if n := len(args) - len(rest); n > 0 && args[n-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}
