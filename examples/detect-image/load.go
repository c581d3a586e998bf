package main

import (
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/registry"
)

// imagesPerSession is how many images each session beyond the first must
// have to be worth creating: a session costs about two images' worth of
// run time to create and warm up.
const imagesPerSession = 16

// sessionsFor is the rule for -sessions 0: one session per core the
// process may use (GOMAXPROCS, which follows the CPU affinity and cgroup
// limits) divided by the intra-op threads of each, but no more than one per
// imagesPerSession images, and at least one. With an accelerator (a GPU
// provider) one session runs the model and the cores decode: see
// workersFor.
func sessionsFor(images, threads int, accel bool) int {
	if accel {
		return 1
	}
	cores := max(runtime.GOMAXPROCS(0)/max(threads, 1), 1)
	return max(min(cores, images/imagesPerSession), 1)
}

// workersFor is the rule for -workers 0: detect.FilesOptions' default
// (sessions + (sessions+1)/2; 0 here) on the CPU, and with an accelerator
// one decoding goroutine per core besides the sessions' own.
func workersFor(sessions int, accel bool) int {
	if accel {
		return runtime.GOMAXPROCS(0) + sessions
	}
	return 0
}

// accelerated reports whether providers name anything but the CPU.
func accelerated(providers []string) bool {
	for _, p := range providers {
		if !strings.EqualFold(p, "cpu") && !strings.EqualFold(p, "CPUExecutionProvider") {
			return true
		}
	}
	return false
}

// loadingDetector is a detect.Detector whose model loads on another
// goroutine: its calls wait for the load, so that images can be read and
// decoded meanwhile. A failed load makes every call return a *loadError.
type loadingDetector struct {
	done chan struct{}
	d    detect.Detector
	err  error
}

// loadError is a model that could not be loaded, as its Detect calls report
// it.
type loadError struct{ err error }

func (e *loadError) Error() string { return e.err.Error() }
func (e *loadError) Unwrap() error { return e.err }

// startLoading calls load on a new goroutine.
func startLoading(ctx context.Context, load func(context.Context) (detect.Detector, error)) *loadingDetector {
	l := &loadingDetector{done: make(chan struct{})}
	go func() {
		defer close(l.done)
		l.d, l.err = load(ctx)
	}()
	return l
}

// wait returns the loaded detector once it is.
func (l *loadingDetector) wait(ctx context.Context) (detect.Detector, error) {
	select {
	case <-l.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if l.err != nil {
		return nil, &loadError{l.err}
	}
	return l.d, nil
}

func (l *loadingDetector) Detect(ctx context.Context, img image.Image) ([]detect.Detection, error) {
	d, err := l.wait(ctx)
	if err != nil {
		return nil, err
	}
	return d.Detect(ctx, img)
}

func (l *loadingDetector) DetectAll(ctx context.Context, imgs []image.Image) ([][]detect.Detection, error) {
	d, err := l.wait(ctx)
	if err != nil {
		return nil, err
	}
	return d.DetectAll(ctx, imgs)
}

// MinImageSize waits for the model and forwards to it (see detect.Fitter);
// the full size when it failed to load or is not a Fitter.
func (l *loadingDetector) MinImageSize(w, h int) image.Point {
	<-l.done
	if f, ok := l.d.(detect.Fitter); ok {
		return f.MinImageSize(w, h)
	}
	return image.Pt(w, h)
}

// Close waits for the load to end and closes the model if it loaded.
func (l *loadingDetector) Close() error {
	<-l.done
	if l.d == nil {
		return nil
	}
	return l.d.Close()
}

// loadFailure returns the load's error when err is one.
func loadFailure(err error) (error, bool) {
	var le *loadError
	if errors.As(err, &le) {
		return le.err, true
	}
	return nil, false
}

// providerList splits -providers ("cuda,cpu") into deploy.Options.Providers;
// nil (CPU only) for "".
func providerList(s string) []string {
	var ps []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			ps = append(ps, p)
		}
	}
	return ps
}

// warnCPUOnly prints one line when the model, loaded with the accelerated
// providers asked for, runs on the CPU alone: ONNX Runtime skips a provider
// it cannot use (no GPU, no provider library beside it), silently.
func warnCPUOnly(ctx context.Context, m *loadingDetector, asked string, stderr io.Writer) {
	d, err := m.wait(ctx)
	if err != nil {
		return
	}
	var u any = d
	if w, ok := u.(interface{ Unwrap() deploy.Model }); ok {
		u = w.Unwrap() // deploy's handle around the runtime's model
	}
	p, ok := u.(interface{ Providers() []string })
	if !ok {
		return
	}
	got := p.Providers()
	if accelerated(got) {
		return
	}
	fmt.Fprintf(stderr, "detect-image: -providers %s: none of them is usable here, running on %s ('models doctor' says why)\n", asked, strings.Join(got, ", "))
}

// openRegistry opens the registry of -dirs: the directories of dirs
// (which must exist) before the bundled catalog, or deploy's default
// registry (MODELS_DIRS, then the catalog) when dirs is empty.
func openRegistry(dirs string) (*registry.Registry, error) {
	if dirs == "" {
		return deploy.DefaultRegistry()
	}
	list := filepath.SplitList(dirs)
	for _, d := range list {
		if fi, err := os.Stat(d); err != nil {
			return nil, fmt.Errorf("-dirs: %w", err)
		} else if !fi.IsDir() {
			return nil, fmt.Errorf("-dirs: %s is not a directory", d)
		}
	}
	return registry.New(&registry.Options{Dirs: list, Catalogs: registry.Catalogs()})
}
