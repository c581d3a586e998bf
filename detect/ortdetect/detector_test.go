package ortdetect_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/catalog"
	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/loader/ort"
	"github.com/modelreg/modelreg/registry"
)

func TestDetectBadImages(t *testing.T) {
	m := load(t, "yolox-nano-coco", nil)
	ctx := context.Background()
	tests := []struct {
		name string
		img  image.Image
		want error
	}{
		{"nil", nil, detect.ErrEmptyImage},
		{"0x0", image.NewRGBA(image.Rect(0, 0, 0, 0)), detect.ErrEmptyImage},
		{"0x10", image.NewGray(image.Rect(0, 0, 0, 10)), detect.ErrEmptyImage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := m.Detect(ctx, tt.img)
			mustErr(t, err, tt.want)
		})
	}
	// A 1×1 image is valid input: no crash, some (probably no) detections.
	if _, err := m.Detect(ctx, image.NewRGBA(image.Rect(0, 0, 1, 1))); err != nil {
		t.Errorf("1x1 image: %v", err)
	}
}

func TestDetectCancelled(t *testing.T) {
	m := load(t, "picodet-s-320-coco", nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Detect(ctx, readImage(t, "dog.jpg"))
	mustErr(t, err, context.Canceled)
}

func TestDetectAfterClose(t *testing.T) {
	requireORT(t)
	m, err := deploy.LoadDetector(context.Background(), catalogRegistry(t), "yolox-nano-coco", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	_, err = m.Detect(context.Background(), readImage(t, "dog.jpg"))
	mustErr(t, err, ortdetect.ErrClosed)
}

// Many goroutines share one model with two sessions; Close while calls are
// in flight lets running calls finish and fails the rest with ErrClosed.
func TestConcurrentDetectAndClose(t *testing.T) {
	requireORT(t)
	m, err := deploy.LoadDetector(context.Background(), catalogRegistry(t), "yolox-nano-coco",
		&deploy.Options{Sessions: 2})
	if err != nil {
		t.Fatal(err)
	}
	img := readImage(t, "person.jpg")
	want, err := m.Detect(context.Background(), img)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 4 {
				got, err := m.Detect(context.Background(), img)
				if err != nil {
					errs <- err
					return
				}
				if len(got) != len(want) || got[0] != want[0] {
					errs <- errors.New("concurrent result differs from the sequential one")
					return
				}
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if !errors.Is(err, ortdetect.ErrClosed) {
			t.Errorf("Detect during Close: %v; want success or ErrClosed", err)
		}
	}
}

func TestDetectAllMatchesDetect(t *testing.T) {
	m := load(t, "picodet-s-320-coco", nil)
	imgs := []image.Image{readImage(t, "dog.jpg"), readImage(t, "chelsea.png")}
	all, err := m.DetectAll(context.Background(), imgs)
	if err != nil {
		t.Fatal(err)
	}
	for i, img := range imgs {
		one, err := m.Detect(context.Background(), img)
		if err != nil {
			t.Fatal(err)
		}
		if len(one) != len(all[i]) || one[0] != all[i][0] {
			t.Errorf("image %d: DetectAll %v; Detect %v", i, all[i], one)
		}
	}
}

func TestProvidersReported(t *testing.T) {
	m := load(t, "yolox-nano-coco", &deploy.Options{Providers: []string{"cuda", "cpu"}})
	u, ok := m.(interface{ Unwrap() deploy.Model })
	if !ok {
		t.Fatalf("%T has no Unwrap", m)
	}
	od, ok := u.Unwrap().(*ortdetect.Detector)
	if !ok {
		t.Fatalf("Unwrap() is %T; want *ortdetect.Detector", u.Unwrap())
	}
	ps := od.Providers()
	if len(ps) == 0 || ps[len(ps)-1] != ort.CPU {
		t.Errorf("Providers() = %v; want CPU last", ps)
	}
}

// A model file damaged after download is never fed to the runtime: the
// load downloads the published bytes again, or, with downloads switched
// off, refuses it with ErrCorrupt.
func TestCorruptModelRefused(t *testing.T) {
	requireORT(t)
	ctx := context.Background()
	cache := t.TempDir()
	newReg := func(allow bool) *registry.Registry {
		reg, err := registry.New(&registry.Options{Dirs: []string{}, Catalogs: []registry.Catalog{catalog.Catalog()},
			CacheDir: cache, AllowDownloads: &allow})
		if err != nil {
			t.Fatal(err)
		}
		return reg
	}
	dir, err := newReg(true).Download(ctx, "yolox-nano-coco", nil)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "yolox_nano.onnx")
	good, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	damage := func() {
		t.Helper()
		bad := bytes.Clone(good)
		bad[len(bad)/2] ^= 0x55 // same size, different bytes
		if err := os.WriteFile(path, bad, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := &deploy.Options{CacheDir: t.TempDir()}

	damage()
	_, err = deploy.LoadDetector(ctx, newReg(false), "yolox-nano-coco", opts)
	mustErr(t, err, registry.ErrCorrupt)

	m, err := deploy.LoadDetector(ctx, newReg(true), "yolox-nano-coco", opts)
	if err != nil {
		t.Fatalf("load over a damaged copy with downloads on: %v", err)
	}
	m.Close()
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, good) {
		t.Errorf("after the load, the file is not the published bytes again (err %v)", err)
	}
}

func TestUnknownModel(t *testing.T) {
	_, err := deploy.LoadDetector(context.Background(), catalogRegistry(t), "yolox-nan", nil)
	mustErr(t, err, registry.ErrNotFound)
	if want := `"yolox-nano-coco"`; err != nil && !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not suggest %s", err, want)
	}
}
