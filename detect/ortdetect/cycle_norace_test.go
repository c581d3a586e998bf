//go:build !race

package ortdetect_test

import (
	"context"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
	"github.com/modelreg/modelreg/detect"
)

// loadCycles is how many times TestCallbackLeakLoadCycles loads and closes
// a model: MODELREG_LOAD_CYCLES (scripts/reliability.sh sets 10000), else
// 2500, beyond the about 2000 loads after which a process used to run out
// of purego callbacks and panic.
func loadCycles(t *testing.T) int {
	if s := os.Getenv("MODELREG_LOAD_CYCLES"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 {
			t.Fatalf("MODELREG_LOAD_CYCLES=%q: want a positive number of cycles", s)
		}
		return n
	}
	return 2500
}

// procUsage is what a process holds that a load must give back.
type procUsage struct {
	fds, goroutines int
	rss             int64 // VmRSS
}

// usage measures the process after a GC that returns freed Go memory to
// the system, so that RSS shows what is still held.
func usage(t *testing.T) procUsage {
	t.Helper()
	debug.FreeOSMemory()
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("no /proc/self/fd: %v", err)
	}
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		t.Skipf("no /proc/self/status: %v", err)
	}
	var rss int64
	for line := range strings.Lines(string(status)) {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmRSS line %q: %v", line, err)
			}
			rss = kb << 10
		}
	}
	return procUsage{fds: len(fds), goroutines: runtime.NumGoroutine(), rss: rss}
}

// TestCallbackLeakLoadCycles loads the bundled YOLOX-Nano through the
// registry and deploy, as a service that reloads its model does, and
// closes it, loadCycles times in one process. No load may fail or panic,
// and the open files, goroutines and resident memory must come back to
// where they were after a warm-up. A detection every few hundred cycles
// must equal the first.
func TestCallbackLeakLoadCycles(t *testing.T) {
	requireORT(t)
	n := loadCycles(t)
	reg, cache := catalogRegistry(t), t.TempDir()
	img := readImage(t, "dog.jpg")
	cycle := func(i int, want []detect.Detection) []detect.Detection {
		m, err := deploy.LoadDetector(context.Background(), reg, "yolox-nano-coco", &deploy.Options{CacheDir: cache})
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		var got []detect.Detection
		if i%500 == 0 || i == n-1 {
			if got, err = m.Detect(context.Background(), img); err != nil {
				t.Fatalf("cycle %d: Detect: %v", i, err)
			}
			if want != nil && !reflect.DeepEqual(got, want) {
				t.Fatalf("cycle %d: %v; want the first cycle's %v", i, got, want)
			}
		}
		if err := m.Close(); err != nil {
			t.Fatalf("cycle %d: Close: %v", i, err)
		}
		return got
	}
	const warm = 100
	want := cycle(0, nil)
	for i := 1; i < warm; i++ {
		cycle(i, want)
	}
	start, t0 := usage(t), time.Now()
	var series []int64 // RSS in MiB every tenth of the run
	for i := warm; i < n; i++ {
		cycle(i, want)
		if (i-warm)%max((n-warm)/10, 1) == 0 {
			series = append(series, usage(t).rss>>20)
		}
	}
	end := usage(t)
	elapsed := time.Since(t0)
	t.Logf("load cycles: %d load/Close cycles of yolox-nano-coco; the %d after warm-up took %v (%v each)",
		n, n-warm, elapsed.Round(time.Millisecond), (elapsed / time.Duration(max(n-warm, 1))).Round(time.Microsecond))
	t.Logf("load cycles: fds %d → %d, goroutines %d → %d, RSS %d → %d MiB; RSS every tenth: %v",
		start.fds, end.fds, start.goroutines, end.goroutines, start.rss>>20, end.rss>>20, series)
	if end.fds > start.fds+2 {
		t.Errorf("open files grew from %d to %d over %d cycles", start.fds, end.fds, n-warm)
	}
	if end.goroutines > start.goroutines+2 {
		t.Errorf("goroutines grew from %d to %d over %d cycles", start.goroutines, end.goroutines, n-warm)
	}
	if end.rss > start.rss+64<<20 {
		t.Errorf("RSS grew from %d MiB to %d MiB over %d cycles; want under +64 MiB", start.rss>>20, end.rss>>20, n-warm)
	}
}
