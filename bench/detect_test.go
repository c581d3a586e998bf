package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy"
)

// BenchmarkDetect is one steady-state Detect call through the public API
// (deploy.LoadDetector, 1 intra-op thread), with its allocations (issue 7
// §2: at most 10 per call).
func BenchmarkDetect(b *testing.B) {
	for _, m := range benchModels {
		for _, name := range []string{"dog.jpg", "african_elephants.jpg"} {
			b.Run(fmt.Sprintf("model=%s/image=%s", m.short, name), func(b *testing.B) {
				d := loadDetector(b, m.name, nil)
				img := readImage(b, name)
				ctx := context.Background()
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.Detect(ctx, img); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// BenchmarkDetectParallel calls Detect from 1, 2 and 4 goroutines on one
// model loaded with as many sessions (deploy.Options.Sessions, 1 intra-op
// thread each), on dog.jpg, and reports images/s (issue 7 §3).
func BenchmarkDetectParallel(b *testing.B) {
	for _, m := range benchModels {
		for _, g := range []int{1, 2, 4} {
			b.Run(fmt.Sprintf("model=%s/goroutines=%d", m.short, g), func(b *testing.B) {
				d := loadDetector(b, m.name, &deploy.Options{Sessions: g})
				img := readImage(b, "dog.jpg")
				ctx := context.Background()
				if _, err := d.Detect(ctx, img); err != nil { // warm every session
					b.Fatal(err)
				}
				b.ResetTimer()
				start := time.Now()
				var next atomic.Int64
				var wg sync.WaitGroup
				for range g {
					wg.Go(func() {
						for next.Add(1) <= int64(b.N) {
							if _, err := d.Detect(ctx, img); err != nil {
								b.Error(err)
								return
							}
						}
					})
				}
				wg.Wait()
				b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "images/s")
			})
		}
	}
}
