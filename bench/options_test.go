package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/modelreg/modelreg/loader/ort"
)

// BenchmarkORTOptions runs one model on pre-processed dog.jpg at each graph
// optimisation level and with 1 or 2 intra-op threads (issue 7 §6: keep
// "all" by default; 2 threads are not reliably faster on 2 cores). Each
// sub-benchmark reports the median run and the session creation time.
func BenchmarkORTOptions(b *testing.B) {
	levels := []struct {
		name string
		opt  ort.GraphOptimization
	}{{"disable", ort.OptDisable}, {"basic", ort.OptBasic}, {"extended", ort.OptExtended}, {"all", ort.OptAll}}
	for _, m := range benchModels {
		for _, lv := range levels {
			for _, threads := range []int{1, 2} {
				if threads == 2 && lv.opt != ort.OptAll {
					continue
				}
				name := fmt.Sprintf("model=%s/opt=%s/threads=%d", m.short, lv.name, threads)
				b.Run(name, func(b *testing.B) {
					so := &ort.SessionOptions{IntraOpThreads: threads, InterOpThreads: 1, GraphOptimization: lv.opt}
					start := time.Now()
					r := newSplitRunnerOpts(b, m.name, 1, so)
					create := time.Since(start)
					img := readImage(b, "dog.jpg")
					ctx := context.Background()
					if _, _, err := r.detect(ctx, img); err != nil {
						b.Fatal(err)
					}
					var runs []time.Duration
					for b.Loop() {
						t0 := time.Now()
						if _, err := r.sess.Run(ctx, r.inputs, r.outputs); err != nil {
							b.Fatal(err)
						}
						runs = append(runs, time.Since(t0))
					}
					b.ReportMetric(float64(median(runs).Microseconds()), "run-µs")
					b.ReportMetric(ms(create), "create-ms")
				})
			}
		}
	}
}
