package reload_test

import (
	"context"
	"errors"
	"image"
	_ "image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/deploy/reload"
	"github.com/modelreg/modelreg/detect"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // the "onnxruntime/detector" deployment type
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/internal/servetest"
	"github.com/modelreg/modelreg/registry"
)

// events collects a Detector's events and lets a test wait for one.
type events struct {
	mu  sync.Mutex
	all []reload.Event
	ch  chan reload.Event
}

func newEvents() *events { return &events{ch: make(chan reload.Event, 256)} }

func (e *events) add(ev reload.Event) {
	e.mu.Lock()
	e.all = append(e.all, ev)
	e.mu.Unlock()
	e.ch <- ev
}

// wait returns the next event of kind k, failing after a minute.
func (e *events) wait(t *testing.T, k reload.EventKind) reload.Event {
	t.Helper()
	return servetest.WaitEvent(t, e.ch, k)
}

func (e *events) kinds() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ks []string
	for _, ev := range e.all {
		ks = append(ks, ev.Kind.String()+" "+ev.Version)
	}
	return ks
}

// noWarmup skips the warm-up, whose calls would wait at the gates.
func noWarmup(context.Context, detect.Detector) error { return nil }

func newRegistry(t *testing.T, dir string) *registry.Registry {
	t.Helper()
	reg, err := registry.New(&registry.Options{Dirs: []string{dir}, CacheDir: filepath.Join(dir, ".cache")})
	if err != nil {
		t.Fatal(err)
	}
	return reg
}

func readImage(t testing.TB, name string) image.Image {
	t.Helper()
	f, err := os.Open(filepath.Join("../../testdata/images", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := detect.DecodeImage(f, nil)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestInFlightCallsFinishOnOldVersion swaps a version in while calls are
// running on the old one: they finish on it, new calls run on the new
// one, and the old one is closed only after its last call returns.
func TestInFlightCallsFinishOnOldVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeGateManifest(t, dir, "inflight", "1")
	ev := newEvents()
	d, err := reload.New(ctx, newRegistry(t, dir), "inflight", &reload.Options{Interval: -1, OnEvent: ev.add, Warmup: noWarmup})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	old := gate(t, "inflight@1")
	const calls = 3
	results := make(chan string, calls)
	for range calls {
		go func() {
			dets, v, err := d.DetectVersion(ctx, nil)
			if err != nil {
				results <- err.Error()
				return
			}
			results <- v + "/" + dets[0].Label
		}()
		<-old.entered
	}
	writeGateManifest(t, dir, "inflight", "1", "2")
	if ok, err := d.Check(ctx); !ok || err != nil {
		t.Fatalf("Check = %v, %v; want a swap", ok, err)
	}
	if v := d.Version(); v != "inflight@2" {
		t.Fatalf("Version = %q after the swap", v)
	}
	if old.isClosed() {
		t.Fatal("old version closed while calls run on it")
	}
	nw := gate(t, "inflight@2")
	close(nw.open)
	if dets, v, err := d.DetectVersion(ctx, nil); err != nil || v != "inflight@2" || dets[0].Label != "inflight@2" {
		t.Fatalf("call after the swap: %v %q %v", dets, v, err)
	}
	close(old.open)
	for range calls {
		if r := <-results; r != "inflight@1/inflight@1" {
			t.Errorf("in-flight call: %s, want it to finish on version 1", r)
		}
	}
	ev.wait(t, reload.EventRetired)
	if !old.isClosed() {
		t.Error("old version not closed after its last call")
	}
	if nw.isClosed() {
		t.Error("new version closed")
	}
	want := []string{"loaded inflight@1", "found inflight@2", "swapped inflight@2", "retired inflight@1"}
	if got := ev.kinds(); !slices.Equal(got, want) {
		t.Errorf("events %q, want %q", got, want)
	}
}

// TestCloseWaitsForCalls checks Close: calls running finish, Close returns
// once the model is closed, later calls fail with ErrClosed.
func TestCloseWaitsForCalls(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeGateManifest(t, dir, "closing", "1")
	d, err := reload.New(ctx, newRegistry(t, dir), "closing", &reload.Options{Interval: time.Hour, Warmup: noWarmup})
	if err != nil {
		t.Fatal(err)
	}
	g := gate(t, "closing@1")
	done := make(chan error, 1)
	go func() { _, err := d.Detect(ctx, nil); done <- err }()
	<-g.entered
	closed := make(chan error, 1)
	go func() { closed <- d.Close() }()
	close(g.open)
	if err := <-done; err != nil {
		t.Errorf("call in flight at Close: %v", err)
	}
	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if !g.isClosed() {
		t.Error("model not closed when Close returned")
	}
	if _, err := d.Detect(ctx, nil); !errors.Is(err, reload.ErrClosed) {
		t.Errorf("Detect after Close: %v, want ErrClosed", err)
	}
	if _, err := d.Check(ctx); !errors.Is(err, reload.ErrClosed) {
		t.Errorf("Check after Close: %v, want ErrClosed", err)
	}
	if err := d.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if v := d.Version(); v != "" {
		t.Errorf("Version after Close = %q", v)
	}
}

// TestFirstLoadFails checks that New returns the error of the first load.
func TestFirstLoadFails(t *testing.T) {
	dir := t.TempDir()
	writeGateManifest(t, dir, "first", "1")
	_, err := reload.New(context.Background(), newRegistry(t, dir), "missing", nil)
	if !errors.Is(err, registry.ErrNotFound) {
		t.Errorf("New of an unknown name: %v, want ErrNotFound", err)
	}
}

// TestVersionsWithONNXRuntime follows a name through the versions a
// release process publishes, with the real detector: a good version
// swaps in and detects; a corrupt one (bad sha256) and a broken one (not
// ONNX) fail, each once, and the serving version keeps answering; a good
// one after them swaps in.
func TestVersionsWithONNXRuntime(t *testing.T) {
	orttest.Require(t)
	ctx := context.Background()
	dir := t.TempDir()
	if err := servetest.Publish(ctx, dir, "yolox", "1", servetest.Good); err != nil {
		t.Fatal(err)
	}
	ev := newEvents()
	d, err := reload.New(ctx, newRegistry(t, dir), "yolox", &reload.Options{Interval: -1, OnEvent: ev.add,
		Load: &deploy.Options{Sessions: 2, CacheDir: t.TempDir()}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if e := ev.wait(t, reload.EventLoaded); !slices.Equal(e.Providers, []string{"CPUExecutionProvider"}) {
		t.Errorf("loaded event's providers %q", e.Providers)
	}
	img := readImage(t, "dog.jpg")
	steps := []struct {
		version string
		kind    servetest.Kind
		want    error // nil: swaps in
		serving string
	}{
		{"2", servetest.Good, nil, "yolox@2"},
		{"3", servetest.Corrupt, registry.ErrCorrupt, "yolox@2"},
		{"4", servetest.Broken, nil, "yolox@2"},
		{"5", servetest.Good, nil, "yolox@5"},
	}
	for _, s := range steps {
		if err := servetest.Publish(ctx, dir, "yolox", s.version, s.kind); err != nil {
			t.Fatal(err)
		}
		swapped, err := d.Check(ctx)
		fails := s.kind != servetest.Good
		switch {
		case fails && (swapped || err == nil):
			t.Errorf("version %s: Check = %v, %v; want a failure", s.version, swapped, err)
		case s.want != nil && !errors.Is(err, s.want):
			t.Errorf("version %s: Check error %v, want %v", s.version, err, s.want)
		case !fails && (!swapped || err != nil):
			t.Errorf("version %s: Check = %v, %v; want a swap", s.version, swapped, err)
		}
		if fails {
			e := ev.wait(t, reload.EventFailed)
			if e.Retry || e.Version != "yolox@"+s.version || e.Serving != s.serving {
				t.Errorf("version %s: failure event %+v", s.version, e)
			}
			if again, err := d.Check(ctx); again || err != nil {
				t.Errorf("version %s: second Check = %v, %v; want no retry", s.version, again, err)
			}
		}
		dets, v, err := d.DetectVersion(ctx, img)
		if err != nil || v != s.serving {
			t.Fatalf("after version %s: Detect served by %q: %v; want %s", s.version, v, err, s.serving)
		}
		if len(dets) == 0 || dets[0].Label != "dog" && dets[0].Label != "bicycle" && dets[0].Label != "truck" {
			t.Errorf("after version %s: detections %v", s.version, dets)
		}
	}
}

// TestPolling checks that the poller alone finds a new version.
func TestPolling(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeGateManifest(t, dir, "polled", "1")
	ev := newEvents()
	d, err := reload.New(ctx, newRegistry(t, dir), "polled", &reload.Options{Interval: time.Millisecond, OnEvent: ev.add, Warmup: noWarmup})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	writeGateManifest(t, dir, "polled", "1", "2")
	if e := ev.wait(t, reload.EventSwapped); e.Version != "polled@2" {
		t.Errorf("swapped to %q, want polled@2", e.Version)
	}
}

// TestWarmupFailureKeepsServing checks that a version whose warm-up fails
// is closed and not swapped in, and that a transient transport error is
// not what such a failure is: it is not retried.
func TestWarmupFailureKeepsServing(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	writeGateManifest(t, dir, "warm", "1")
	warmErr := errors.New("warm-up refused")
	var warmed int
	ev := newEvents()
	d, err := reload.New(ctx, newRegistry(t, dir), "warm", &reload.Options{Interval: -1, OnEvent: ev.add,
		Warmup: func(context.Context, detect.Detector) error {
			if warmed++; warmed > 1 {
				return warmErr
			}
			return nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	writeGateManifest(t, dir, "warm", "1", "2")
	if ok, err := d.Check(ctx); ok || !errors.Is(err, warmErr) {
		t.Fatalf("Check = %v, %v; want the warm-up's error", ok, err)
	}
	if e := ev.wait(t, reload.EventFailed); e.Retry || e.Serving != "warm@1" {
		t.Errorf("failure event %+v", e)
	}
	if !gate(t, "warm@2").isClosed() {
		t.Error("version that failed its warm-up left open")
	}
	if v := d.Version(); v != "warm@1" {
		t.Errorf("serving %q, want warm@1", v)
	}
}
