package ortdetect_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
)

// loadDuration is how long TestLoad runs: MODELREG_LOAD_SECONDS (the long
// variant, e.g. 60), else 3 s.
func loadDuration(t *testing.T) time.Duration {
	if s := os.Getenv("MODELREG_LOAD_SECONDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("MODELREG_LOAD_SECONDS=%q: want a positive number of seconds", s)
		}
		return time.Duration(n) * time.Second
	}
	return 3 * time.Second
}

// rssBytes returns the resident set size from /proc/self/statm; 0 where
// there is none.
func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

const mib = 1 << 20

// TestLoad runs 8 goroutines calling Detect on one model with 2 sessions
// for a fixed time: every call succeeds with the same detections as a
// sequential call, and the resident memory stays steady after warm-up.
func TestLoad(t *testing.T) {
	requireORT(t)
	m, err := deploy.LoadDetector(context.Background(), catalogRegistry(t), "yolox-nano-coco", &deploy.Options{Sessions: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	names := []string{"person.jpg", "dog.jpg", "chelsea.png", "camera.png"}
	imgs := make([]image.Image, len(names))
	want := make([][]detect.Detection, len(names))
	for i, n := range names {
		imgs[i] = readImage(t, n)
		if want[i], err = m.Detect(context.Background(), imgs[i]); err != nil {
			t.Fatal(err)
		}
	}
	d := loadDuration(t)
	warm := min(d/5, 5*time.Second)
	var calls, failures atomic.Int64
	var rssStart, rssPeak atomic.Int64
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := g; ctx.Err() == nil; i++ {
				k := i % len(imgs)
				got, err := m.Detect(context.Background(), imgs[k])
				calls.Add(1)
				if err != nil || !reflect.DeepEqual(got, want[k]) {
					if failures.Add(1) <= 3 {
						t.Errorf("goroutine %d, %s: %d detections, %v; want the sequential %d", g, names[k], len(got), err, len(want[k]))
					}
				}
			}
		})
	}
	var series []int64 // RSS in MiB at each tenth of the run, by the sampler
	wg.Go(func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for ctx.Err() == nil {
			<-tick.C
			rss := rssBytes()
			if time.Since(start) >= warm {
				rssStart.CompareAndSwap(0, rss)
			}
			if rss > rssPeak.Load() {
				rssPeak.Store(rss)
			}
			if time.Since(start) >= time.Duration(len(series))*d/10 {
				series = append(series, rss/mib)
			}
		}
	})
	wg.Wait()
	elapsed := time.Since(start)
	end := rssBytes()
	t.Logf("load: 8 goroutines, 2 sessions, %v: %d calls (%.1f/s), %d failures; RSS after %v warm-up %d MiB, end %d MiB, peak %d MiB",
		elapsed.Round(time.Millisecond), calls.Load(), float64(calls.Load())/elapsed.Seconds(), failures.Load(),
		warm, rssStart.Load()/mib, end/mib, rssPeak.Load()/mib)
	t.Logf("RSS (MiB) at each tenth of the run: %v", series)
	if calls.Load() < 16 {
		t.Errorf("only %d calls in %v", calls.Load(), elapsed)
	}
	if s := rssStart.Load(); s > 0 && end-s > 100*mib {
		t.Errorf("RSS grew from %d MiB to %d MiB; want under +100 MiB", s/mib, end/mib)
	}
}

// TestLoadCloseInFlight closes a deployed model (Sessions: 2) while 8
// goroutines call Detect in a loop, several times: every call either
// succeeds or returns ErrClosed, every goroutine stops, nothing crashes.
func TestLoadCloseInFlight(t *testing.T) {
	requireORT(t)
	reg := catalogRegistry(t)
	img := readImage(t, "dog.jpg")
	for round := range 5 {
		t.Run(fmt.Sprint("round ", round), func(t *testing.T) {
			m, err := deploy.LoadDetector(context.Background(), reg, "yolox-nano-coco", &deploy.Options{Sessions: 2})
			if err != nil {
				t.Fatal(err)
			}
			var ok, closed atomic.Int64
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					for {
						_, err := m.Detect(context.Background(), img)
						switch {
						case err == nil:
							ok.Add(1)
						case errors.Is(err, ortdetect.ErrClosed):
							closed.Add(1)
							return
						default:
							t.Errorf("Detect during Close: %v; want success or ErrClosed", err)
							return
						}
					}
				})
			}
			time.Sleep(time.Duration(10+round*40) * time.Millisecond)
			if err := m.Close(); err != nil {
				t.Errorf("Close: %v", err)
			}
			done := make(chan struct{})
			go func() { wg.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(30 * time.Second):
				t.Fatal("Detect calls still running 30 s after Close")
			}
			if closed.Load() != 8 {
				t.Errorf("%d goroutines saw ErrClosed; want 8", closed.Load())
			}
			if _, err := m.Detect(context.Background(), img); !errors.Is(err, ortdetect.ErrClosed) {
				t.Errorf("Detect after Close = %v; want ErrClosed", err)
			}
			t.Logf("%d calls finished, 8 returned ErrClosed", ok.Load())
		})
	}
}
