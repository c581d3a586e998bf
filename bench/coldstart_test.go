package bench

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
	_ "github.com/modelreg/modelreg/detect/ortdetect" // registers "onnxruntime/detector"
	"github.com/modelreg/modelreg/internal/stamp"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

// Cold start (issue 7 §6) is measured in fresh processes: the benchmark
// runs this test binary again for each sample, with these variables set,
// and TestColdStartChild prints the time it measured.
const (
	envColdMode  = "MODELREG_BENCH_COLD_MODE" // bare, full
	envColdCache = "MODELREG_BENCH_COLD_CACHE"
	envColdModel = "MODELREG_BENCH_COLD_MODEL"
	coldPrefix   = "COLDSTART-NS " // followed by total and load-only times
)

// BenchmarkColdStart compares, each in a fresh process and alternating,
// "bare": loader.Load + ort.NewEnv + reading the model file +
// NewSession (1 thread, all optimisations), with "full":
// deploy.LoadDetector on an already downloaded model (registry.New,
// resolve, requirements, weights.Open, pipeline, session) followed by the
// first Detect on decoded dog.jpg ("load" is the LoadDetector part of it),
// with ONNX Runtime's optimised graph cached by an earlier load (the
// default: deploy.Options.CacheDir). "full-nocache" is the same with
// deploy.Options.NoCache, so the session optimises the graph again, as
// "bare" does. "full-hash" is "full" right after a download, when
// weights.Open hashes the model because no verification stamp exists yet.
// Reported: the median of each over b.N processes and the ratios to bare.
func BenchmarkColdStart(b *testing.B) {
	for _, m := range benchModels {
		b.Run("model="+m.short, func(b *testing.B) {
			requireORT(b)
			cache := b.TempDir()
			model := downloadModel(b, cache, m.name)
			coldChild(b, "full", cache, m.name) // saves the optimised graph
			var bare, full, load, nocache, hashed []time.Duration
			for b.Loop() {
				t, _ := coldChild(b, "bare", cache, m.name)
				bare = append(bare, t)
				t, l := coldChild(b, "full", cache, m.name)
				full, load = append(full, t), append(load, l)
				t, _ = coldChild(b, "full-nocache", cache, m.name)
				nocache = append(nocache, t)
				if err := stamp.Remove(model); err != nil {
					b.Fatal(err)
				}
				t, _ = coldChild(b, "full", cache, m.name)
				hashed = append(hashed, t)
			}
			mb, mf, ml, mn, mh := median(bare), median(full), median(load), median(nocache), median(hashed)
			b.ReportMetric(ms(mb), "bare-ms")
			b.ReportMetric(ms(ml), "load-ms")
			b.ReportMetric(ms(mf), "full-ms")
			b.ReportMetric(ms(mn), "full-nocache-ms")
			b.ReportMetric(ms(mh), "full-hash-ms")
			b.ReportMetric(float64(mf)/float64(mb), "full/bare")
			b.ReportMetric(float64(mn)/float64(mb), "full-nocache/bare")
			b.ReportMetric(float64(mh)/float64(mb), "full-hash/bare")
		})
	}
}

// downloadModel downloads a bundled model into cache and returns the path
// of its ONNX file.
func downloadModel(tb testing.TB, cache, name string) string {
	tb.Helper()
	ctx := context.Background()
	reg := newRegistry(tb, cache)
	if _, err := reg.Download(ctx, name, nil); err != nil {
		tb.Fatal(err)
	}
	files, err := reg.LocalFiles(ctx, name)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range files {
		if strings.HasSuffix(f.Path, ".onnx") {
			return f.Path
		}
	}
	tb.Fatalf("%s has no .onnx file", name)
	return ""
}

// coldChild runs one cold-start measurement in a new process and returns
// the total time and, for "full", the time LoadDetector took.
func coldChild(tb testing.TB, mode, cache, model string) (total, load time.Duration) {
	tb.Helper()
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^TestColdStartChild$", "-test.v")
	cmd.Env = append(os.Environ(), envColdMode+"="+mode, envColdCache+"="+cache, envColdModel+"="+model)
	out, err := cmd.CombinedOutput()
	if err != nil {
		tb.Fatalf("cold start child (%s): %v\n%s", mode, err, out)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), coldPrefix); ok {
			var ns [2]int64
			for i, f := range strings.Fields(rest) {
				if ns[i%2], err = strconv.ParseInt(f, 10, 64); err != nil {
					tb.Fatal(err)
				}
			}
			return time.Duration(ns[0]), time.Duration(ns[1])
		}
	}
	tb.Fatalf("cold start child (%s) printed no time:\n%s", mode, out)
	return 0, 0
}

// TestColdStartChild is the measuring side of BenchmarkColdStart; it does
// nothing unless run by it.
func TestColdStartChild(t *testing.T) {
	mode := os.Getenv(envColdMode)
	if mode == "" {
		t.Skip("run by BenchmarkColdStart")
	}
	cache, model := os.Getenv(envColdCache), os.Getenv(envColdModel)
	img := readImage(t, "dog.jpg") // decoding the photo is not part of the start
	var total, load time.Duration
	switch mode {
	case "bare":
		total = coldBare(t, cache, model)
	case "full", "full-nocache":
		total, load = coldFull(t, cache, model, img, mode == "full-nocache")
	default:
		t.Fatalf("unknown mode %q", mode)
	}
	fmt.Printf("%s%d %d\n", coldPrefix, total.Nanoseconds(), load.Nanoseconds())
}

func coldBare(t *testing.T, cache, model string) time.Duration {
	onnx := filepath.Join(cache, "bundled", model) // the layout is checked below
	start := time.Now()
	lib, err := loader.Load(nil)
	if err != nil {
		t.Fatal(err)
	}
	env, err := ort.NewEnv(lib, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(onnxIn(t, onnx))
	if err != nil {
		t.Fatal(err)
	}
	sess, err := env.NewSession(data, &ort.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	d := time.Since(start)
	sess.Close()
	env.Close()
	return d
}

func coldFull(t *testing.T, cache, model string, img imageT, nocache bool) (total, load time.Duration) {
	ctx := context.Background()
	opts := &deploy.Options{CacheDir: filepath.Join(cache, "derived"), NoCache: nocache}
	start := time.Now()
	det, err := deploy.LoadDetector(ctx, newRegistry(t, cache), model, opts)
	if err != nil {
		t.Fatal(err)
	}
	load = time.Since(start)
	if _, err := det.Detect(ctx, img); err != nil {
		t.Fatal(err)
	}
	total = time.Since(start)
	det.Close()
	return total, load
}

// onnxIn returns the only .onnx file under dir.
func onnxIn(t *testing.T, dir string) string {
	t.Helper()
	var found []string
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.HasSuffix(p, ".onnx") {
			found = append(found, p)
		}
		return nil
	})
	if len(found) != 1 {
		t.Fatalf("want one .onnx file under %s, found %v", dir, found)
	}
	return found[0]
}
