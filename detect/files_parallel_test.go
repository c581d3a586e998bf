package detect_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/detect"
)

// concurrentDetector has n sessions: Detect reports the image's size, and
// the first calls wait until wait calls are in flight, so that a run that never
// makes n calls at once fails instead of passing by luck.
type concurrentDetector struct {
	n         int   // sessions
	wait      int32 // calls that wait for each other: n unless a test allows fewer at once
	inFlight  atomic.Int32
	most      atomic.Int32
	arrived   atomic.Int32
	allThere  chan struct{}
	closeOnce sync.Once
	mu        sync.Mutex
	started   []image.Point // the images' sizes, in the order Detect started
}

func newConcurrentDetector(n int) *concurrentDetector {
	return &concurrentDetector{n: n, wait: int32(n), allThere: make(chan struct{})}
}

func (c *concurrentDetector) Concurrency() int { return c.n }

func (c *concurrentDetector) Detect(ctx context.Context, img image.Image) ([]detect.Detection, error) {
	c.mu.Lock()
	c.started = append(c.started, img.Bounds().Size())
	c.mu.Unlock()
	k := c.inFlight.Add(1)
	defer c.inFlight.Add(-1)
	for {
		m := c.most.Load()
		if k <= m || c.most.CompareAndSwap(m, k) {
			break
		}
	}
	if c.arrived.Add(1) <= c.wait {
		if k == c.wait {
			c.closeOnce.Do(func() { close(c.allThere) })
		}
		select {
		case <-c.allThere:
		case <-time.After(30 * time.Second): // fails the test below, never hangs it
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	b := img.Bounds()
	return []detect.Detection{{Label: "image", Box: detect.Box{X2: float32(b.Dx()), Y2: float32(b.Dy())}}}, nil
}

func (c *concurrentDetector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	return detect.DetectEach(ctx, c.Detect, imgs)
}

func (c *concurrentDetector) Close() error { return nil }

// sizedFiles writes n PNGs of distinct sizes (and a corrupt file at every
// seventh place) and returns their paths.
func sizedFiles(t *testing.T, n int) []string {
	dir := t.TempDir()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("%03d.png", i))
		data := encodePNG(t, gradient(8+i, 5+i%3))
		if i%7 == 6 {
			data = data[:20]
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// TestDetectFilesParallel runs files through a detector with several
// sessions: results come in order and the same as one at a time, and
// there are as many Detect calls at once as sessions, never more.
func TestDetectFilesParallel(t *testing.T) {
	paths := sizedFiles(t, 40)
	for _, tc := range []struct {
		name     string
		sessions int
		opts     *detect.FilesOptions
		most     int32
	}{
		{"one session", 1, nil, 1},
		{"three sessions", 3, nil, 3},
		{"three sessions, more workers", 3, &detect.FilesOptions{Workers: 8}, 3},
		{"Parallel below the sessions", 3, &detect.FilesOptions{Parallel: 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := newConcurrentDetector(tc.sessions)
			d.wait = tc.most // the barrier waits for as many calls as are allowed
			var got []detect.FileResult
			for r := range detect.DetectFilesWith(context.Background(), d, paths, tc.opts) {
				got = append(got, r)
			}
			if len(got) != len(paths) {
				t.Fatalf("%d results; want %d", len(got), len(paths))
			}
			for i, r := range got {
				if r.Path != paths[i] {
					t.Fatalf("result %d is for %s; want %s (in order)", i, r.Path, paths[i])
				}
				var de *detect.DecodeError
				if i%7 == 6 {
					if !errors.As(r.Err, &de) {
						t.Errorf("%s: err = %v; want a *DecodeError", r.Path, r.Err)
					}
					continue
				}
				want := image.Pt(8+i, 5+i%3)
				if r.Err != nil || r.Size != want || len(r.Detections) != 1 ||
					r.Detections[0].Box != (detect.Box{X2: float32(want.X), Y2: float32(want.Y)}) {
					t.Errorf("%s: %+v; want one %v detection", r.Path, r, want)
				}
			}
			if m := d.most.Load(); m != tc.most {
				t.Errorf("at most %d Detect calls at once; want %d", m, tc.most)
			}
			if tc.most > 1 {
				return // calls that take sessions in order may still enter Detect out of it
			}
			var order []image.Point // one session: Detect runs in the order of paths
			for i := range paths {
				if i%7 != 6 {
					order = append(order, image.Pt(8+i, 5+i%3))
				}
			}
			if !slices.Equal(d.started, order) {
				t.Errorf("Detect started on %v; want %v", d.started, order)
			}
		})
	}
}

func TestFilesWorkers(t *testing.T) {
	plain, four := &sizeDetector{}, newConcurrentDetector(4)
	for _, tc := range []struct {
		name              string
		opts              *detect.FilesOptions
		d                 detect.Detector
		parallel, workers int
	}{
		{"nil options, one session", nil, plain, 1, 2},
		{"the detector's sessions", nil, four, 4, 6},
		{"Parallel wins", &detect.FilesOptions{Parallel: 2}, four, 2, 3},
		{"Workers set", &detect.FilesOptions{Workers: 1}, plain, 1, 1},
		{"negative means default", &detect.FilesOptions{Parallel: -1, Workers: -3}, plain, 1, 2},
	} {
		p, w := detect.FilesWorkers(tc.opts, tc.d)
		if p != tc.parallel || w != tc.workers {
			t.Errorf("%s: parallel, workers = %d, %d; want %d, %d", tc.name, p, w, tc.parallel, tc.workers)
		}
	}
}

// TestDetectFilesDecodesAsDecodeImage checks that files decode, from
// memory, to the same images and the same errors as DecodeImage streaming
// them, with every option.
func TestDetectFilesDecodesAsDecodeImage(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	photos, err := filepath.Glob("../testdata/images/*.*g")
	if err != nil || len(photos) < 8 {
		t.Fatalf("photos: %v %v", photos, err)
	}
	files := append(slices.Clone(photos),
		write("exif.jpg", exifJPEG(t, 40, 20, 6)),
		write("truncated.jpg", encodeJPEG(t, gradient(64, 48))[:300]),
		write("huge.png", pngClaiming(t, 100000, 100000)),
		write("empty.png", nil),
		write("text.png", []byte("not an image")),
	)
	for _, opts := range []*detect.DecodeOptions{nil, {Orient: true}, {Fit: fitTo{416, 312}}, {MaxPixels: 1 << 16}} {
		var got []detect.FileResult
		for r := range detect.DetectFilesWith(context.Background(), &sizeDetector{}, files, &detect.FilesOptions{Decode: opts}) {
			got = append(got, r)
		}
		for i, p := range files {
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			want, _, wantErr := detect.DecodeImage(f, opts)
			f.Close()
			r := got[i]
			if (r.Err == nil) != (wantErr == nil) || errors.Is(r.Err, detect.ErrImageTooLarge) != errors.Is(wantErr, detect.ErrImageTooLarge) ||
				errors.Is(r.Err, detect.ErrDecode) != errors.Is(wantErr, detect.ErrDecode) {
				t.Errorf("%s %+v: err = %v; DecodeImage: %v", filepath.Base(p), opts, r.Err, wantErr)
				continue
			}
			if wantErr == nil && !reflect.DeepEqual(r.Image, want) {
				t.Errorf("%s %+v: the image differs from DecodeImage's (%T %v, want %T %v)",
					filepath.Base(p), opts, r.Image, r.Image.Bounds(), want, want.Bounds())
			}
		}
	}
}
