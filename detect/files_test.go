package detect_test

import (
	"context"
	"errors"
	"image"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/detect"
)

// sizeDetector "detects" one object the size of each image, records the
// order of the images it saw and can be told to fail.
type sizeDetector struct {
	seen  []image.Point
	calls atomic.Int32
	fail  error
}

func (s *sizeDetector) Detect(ctx context.Context, img image.Image) ([]detect.Detection, error) {
	s.calls.Add(1)
	if s.fail != nil {
		return nil, s.fail
	}
	b := img.Bounds()
	s.seen = append(s.seen, b.Size())
	return []detect.Detection{{Label: "image", Box: detect.Box{X2: float32(b.Dx()), Y2: float32(b.Dy())}}}, nil
}

func (s *sizeDetector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	return detect.DetectEach(ctx, s.Detect, imgs)
}

func (s *sizeDetector) Close() error { return nil }

func TestDetectFiles(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.jpg")
	if err := os.WriteFile(corrupt, encodeJPEG(t, gradient(64, 48))[:300], 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{"../testdata/images/dog.jpg", filepath.Join(dir, "missing.png"), corrupt, "../testdata/images/chelsea.png"}
	d := &sizeDetector{}
	var got []detect.FileResult
	for r := range detect.DetectFiles(context.Background(), d, paths, nil) {
		got = append(got, r)
	}
	if len(got) != 4 {
		t.Fatalf("%d results; want 4", len(got))
	}
	for i, r := range got {
		if r.Path != paths[i] {
			t.Errorf("result %d is for %s; want %s (in order)", i, r.Path, paths[i])
		}
	}
	if got[0].Err != nil || got[0].Size != image.Pt(768, 576) || len(got[0].Detections) != 1 {
		t.Errorf("dog.jpg: %+v", got[0])
	}
	if !errors.Is(got[1].Err, fs.ErrNotExist) {
		t.Errorf("missing file: err = %v; want fs.ErrNotExist", got[1].Err)
	}
	var de *detect.DecodeError
	if !errors.As(got[2].Err, &de) {
		t.Errorf("corrupt file: err = %v; want a *DecodeError", got[2].Err)
	}
	if got[3].Err != nil || got[3].Size != image.Pt(451, 300) {
		t.Errorf("chelsea.png: %+v", got[3])
	}
	if want := []image.Point{{768, 576}, {451, 300}}; !slices.Equal(d.seen, want) {
		t.Errorf("detector saw %v; want %v", d.seen, want)
	}
}

// TestDetectFilesFit decodes a large photo at a reduced scale for a
// Fitter: the result gives the file's size, the detector the reduced
// image placed as the full one.
func TestDetectFilesFit(t *testing.T) {
	d := &sizeDetector{}
	opts := &detect.DecodeOptions{Fit: fitTo{416, 312}}
	for r := range detect.DetectFiles(context.Background(), d, []string{"../testdata/images/african_elephants.jpg"}, opts) {
		if r.Err != nil || r.Size != image.Pt(2048, 1536) {
			t.Fatalf("result %+v; want the full size", r)
		}
	}
	if len(d.seen) != 1 || d.seen[0] != image.Pt(512, 384) {
		t.Errorf("detector saw %v; want one 512x384 reduced image", d.seen)
	}
}

// TestDetectFilesStops checks that breaking out of the loop and a
// cancelled context end the iteration without leaking the decoding
// goroutine, and that a detector error is reported for each file.
func TestDetectFilesStops(t *testing.T) {
	paths := slices.Repeat([]string{"../testdata/images/person.jpg"}, 20)
	before := countGoroutines()
	n := 0
	for range detect.DetectFiles(context.Background(), &sizeDetector{}, paths, nil) {
		if n++; n == 2 {
			break
		}
	}
	failing := &sizeDetector{fail: errors.New("model failed")}
	for r := range detect.DetectFiles(context.Background(), failing, paths[:3], nil) {
		if r.Err == nil || r.Err.Error() != "model failed" {
			t.Errorf("err = %v; want the detector's", r.Err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	cancelled := &sizeDetector{}
	for r := range detect.DetectFiles(ctx, cancelled, paths, nil) {
		t.Errorf("a result after cancellation: %+v", r)
	}
	deadline := time.Now().Add(5 * time.Second)
	for countGoroutines() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if g := countGoroutines(); g > before {
		t.Errorf("%d goroutines after the loops; %d before", g, before)
	}
}

func countGoroutines() int { return runtime.NumGoroutine() }
