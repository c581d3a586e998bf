package detect

import (
	"context"
	"image"
	"iter"
	"os"
	"sync"
	"time"

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

// A Concurrent detector runs up to Concurrency() Detect calls at once (its
// sessions); more calls wait for a free one. [DetectFilesWith] runs that
// many. Detectors from deploy and ortdetect implement it.
type Concurrent interface {
	Concurrency() int
}

// A DecodeRecorder records how long images took to decode for it, beside
// the stages of its own detections (pre, run, post), so that a service's
// latency metrics cover the whole path from bytes to detections. Detectors
// from deploy, deploy/reload and ortdetect implement it: with a meter
// provider they record a "decode" stage in modelreg.detect.duration, and
// without one they ignore it. [DetectFiles] and [DetectFilesWith] call it
// for each file they decode; a service that decodes its own images calls
// it after [DecodeImage].
type DecodeRecorder interface {
	RecordDecode(ctx context.Context, took time.Duration)
}

// FilesOptions configures [DetectFilesWith]. A nil *FilesOptions is the
// zero value; zero fields mean the defaults below.
type FilesOptions struct {
	// Decode are [DecodeImage]'s options (nil means the defaults; a Fit
	// set to the detector decodes large JPEGs at a reduced scale).
	Decode *DecodeOptions
	// Parallel is the number of Detect calls made at once. 0 means the
	// detector's [Concurrent.Concurrency] when it implements it, else 1.
	Parallel int
	// Workers is the number of goroutines that read, decode and then
	// detect files; those beyond Parallel decode the next files while the
	// sessions run. 0 means Parallel + (Parallel+1)/2: decoding a photo
	// takes a third to a half of a small detector's run, so one decoding
	// goroutine for every two sessions keeps them fed.
	Workers int
}

// workers returns the Detect calls in flight and the goroutines of a run.
func (o *FilesOptions) workers(d Detector) (parallel, workers int) {
	if o == nil {
		o = &FilesOptions{}
	}
	parallel = o.Parallel
	if c, ok := d.(Concurrent); ok && parallel <= 0 {
		parallel = c.Concurrency()
	}
	parallel = max(parallel, 1)
	workers = o.Workers
	if workers <= 0 {
		workers = parallel + (parallel+1)/2
	}
	return parallel, max(workers, 1)
}

// DetectFiles detects objects in the image files at paths, in order:
// [DetectFilesWith] with opts as its Decode options (nil means the
// defaults; a Fit set to d decodes large JPEGs at a reduced scale).
func DetectFiles(ctx context.Context, d Detector, paths []string, opts *DecodeOptions) iter.Seq[FileResult] {
	return DetectFilesWith(ctx, d, paths, &FilesOptions{Decode: opts})
}

// DetectFilesWith detects objects in the image files at paths and yields
// the results in the order of paths. Files are read, decoded and detected
// by opts.Workers goroutines, at most opts.Parallel of them in Detect at a
// time (by default as many as d has sessions), while the others decode the
// next files: on a machine with a free core, decoding then costs little
// more than the detections themselves, and a detector with one session per
// core keeps every core busy. Decoding starts at once, before the first
// Detect: a d that is still loading (its Detect waits for it) loads while
// the first files decode. At most 2 × Workers decoded images are held
// besides the one yielded.
//
// A file that cannot be read or decoded yields a result with Err set, and
// the others go on. When ctx is done, the result in progress and the rest
// are not produced; stopping the iteration early stops the decoding. The
// iteration returns once every goroutine it started has, so d may be
// closed as soon as it does.
func DetectFilesWith(ctx context.Context, d Detector, paths []string, opts *FilesOptions) iter.Seq[FileResult] {
	parallel, workers := opts.workers(d)
	var dopts *DecodeOptions
	if opts != nil {
		dopts = opts.Decode
	}
	return func(yield func(FileResult) bool) {
		ctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		defer wg.Wait()
		defer cancel()
		jobs := make(chan *fileJob)
		order := make(chan *fileJob, 2*workers) // bounds the images held
		wg.Go(func() { feedFiles(ctx, paths, jobs, order) })
		sessions := make(chan struct{}, parallel)
		for range workers {
			wg.Go(func() {
				for j := range jobs {
					j.run(ctx, d, dopts, sessions)
				}
			})
		}
		for j := range order {
			select {
			case <-j.done:
			case <-ctx.Done():
				return
			}
			if ctx.Err() != nil || !yield(j.res) {
				return
			}
		}
	}
}

// fileJob is one file of a DetectFilesWith run; done is closed once res is
// set. Files start Detect in the order of paths: a job waits for its turn
// (closed once the previous file has a session or needs none) and closes
// next when it has taken its own.
type fileJob struct {
	res        FileResult
	done       chan struct{}
	turn, next chan struct{}
}

// feedFiles hands each path to the workers (jobs) and, in order, to the
// consumer (order), until the paths or ctx are done; it closes both.
func feedFiles(ctx context.Context, paths []string, jobs, order chan<- *fileJob) {
	defer close(jobs)
	defer close(order)
	turn := make(chan struct{})
	close(turn) // the first file's
	for _, p := range paths {
		j := &fileJob{res: FileResult{Path: p}, done: make(chan struct{}), turn: turn, next: make(chan struct{})}
		turn = j.next
		select {
		case order <- j:
		case <-ctx.Done():
			return
		}
		select {
		case jobs <- j:
		case <-ctx.Done():
			return
		}
	}
}

// run decodes j's file and, in its turn, detects in it, holding one of the
// sessions tokens during Detect; it closes j.next and j.done. Once ctx is
// done it does nothing more: nobody reads the result.
func (j *fileJob) run(ctx context.Context, d Detector, opts *DecodeOptions, sessions chan struct{}) {
	defer close(j.done)
	defer func() {
		if j.next != nil { // not yet closed: pass the turn on
			close(j.next)
		}
	}()
	if ctx.Err() != nil {
		return
	}
	r := &j.res
	rec, _ := d.(DecodeRecorder)
	var start time.Time
	if rec != nil {
		start = time.Now()
	}
	img, err := decodeFile(r.Path, opts)
	if rec != nil && err == nil {
		rec.RecordDecode(ctx, time.Since(start))
	}
	if err == nil {
		r.Image, r.Size = img, img.Bounds().Size()
		if red, ok := img.(*preprocess.Reduced); ok {
			r.Size = red.FullSize()
		}
	}
	select {
	case <-j.turn:
	case <-ctx.Done():
		return
	}
	if err != nil {
		r.Err = err
		return
	}
	select {
	case sessions <- struct{}{}:
	case <-ctx.Done():
		r.Err = ctx.Err()
		return
	}
	close(j.next)
	j.next = nil // closed
	r.Detections, r.Err = d.Detect(ctx, img)
	<-sessions
}

func decodeFile(path string, opts *DecodeOptions) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return decodeOpenFile(f, opts)
}
