package detect

import (
	"bufio"
	"context"
	"image"
	"iter"
	"os"

	"github.com/modelreg/modelreg/detect/preprocess"
)

// FileResult is what [DetectFiles] found in one file.
type FileResult struct {
	Path string
	// Image is the decoded image (a [*preprocess.Reduced] when decoded at
	// a reduced scale), for drawing or cropping; nil when Err is set.
	Image image.Image
	// Size is the image's size in the file (a reduced decode does not
	// change it); zero when it could not be decoded.
	Size       image.Point
	Detections []Detection
	// Err is why the file could not be read, decoded or detected: an
	// *os.PathError (in a [*ReadError] when reading failed part way), a
	// [*DecodeError], or the detector's or the context's error.
	Err error
}

// DetectFiles detects objects in the image files at paths, in order. It
// decodes the next file on another goroutine while d works on the current
// one, so that on a machine with a free core decoding costs little more
// than the detection itself: decoding is a third to a half of the time of
// a photo otherwise. It holds at most two decoded images itself (the one
// being detected and the next). opts are
// [DecodeImage]'s (nil means the defaults; a Fit set to d decodes large
// JPEGs at a reduced scale).
//
// A file that cannot be read or decoded yields a result with Err set, and
// the others go on. When ctx is done, the result in progress and the rest
// are not produced; stopping the iteration early stops the decoding.
func DetectFiles(ctx context.Context, d Detector, paths []string, opts *DecodeOptions) iter.Seq[FileResult] {
	return func(yield func(FileResult) bool) {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		decoded := make(chan decodedFile) // the next file waits decoded while d runs
		go decodeFiles(ctx, paths, opts, decoded)
		for f := range decoded {
			r := FileResult{Path: f.path, Image: f.img, Size: f.size, Err: f.err}
			if r.Err == nil {
				r.Detections, r.Err = d.Detect(ctx, f.img)
			}
			if ctx.Err() != nil || !yield(r) {
				return
			}
		}
	}
}

// decodedFile is one file decoded by decodeFiles.
type decodedFile struct {
	path string
	img  image.Image
	size image.Point
	err  error
}

// decodeFiles decodes the files in order into out, which it closes, until
// they are done or ctx is.
func decodeFiles(ctx context.Context, paths []string, opts *DecodeOptions, out chan<- decodedFile) {
	defer close(out)
	for _, p := range paths {
		f := decodedFile{path: p}
		f.img, f.err = decodeFile(p, opts)
		if f.err == nil {
			f.size = f.img.Bounds().Size()
			if r, ok := f.img.(*preprocess.Reduced); ok {
				f.size = r.FullSize()
			}
		}
		select {
		case out <- f:
		case <-ctx.Done():
			return
		}
	}
}

func decodeFile(path string, opts *DecodeOptions) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := DecodeImage(bufio.NewReaderSize(f, 64<<10), opts)
	return img, err
}
