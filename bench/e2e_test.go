package bench

import (
	"bytes"
	"context"
	"image"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelreg/modelreg/detect"
)

// BenchmarkEndToEnd is the Go side of issue 7 §5: file → detections for
// the eight photos (os.ReadFile, image.Decode, Detect), 1 intra-op thread,
// as node/bench.js does with onnxruntime-node. One op is one pass over the
// eight photos; "decode-ms" and "detect-ms" are the medians of the two
// parts per pass.
func BenchmarkEndToEnd(b *testing.B) {
	for _, m := range benchModels {
		b.Run("model="+m.short, func(b *testing.B) {
			d := loadDetector(b, m.name, nil)
			ctx := context.Background()
			if _, _, _, err := detectFiles(ctx, d); err != nil { // warm-up, as bench.js
				b.Fatal(err)
			}
			var dec, det []time.Duration
			var n int
			for b.Loop() {
				var td, tt time.Duration
				var err error
				if td, tt, n, err = detectFiles(ctx, d); err != nil {
					b.Fatal(err)
				}
				dec, det = append(dec, td), append(det, tt)
			}
			b.ReportMetric(ms(median(dec)), "decode-ms")
			b.ReportMetric(ms(median(det)), "detect-ms")
			b.ReportMetric(float64(n), "detections")
		})
	}
	for _, m := range benchModels {
		b.Run("model="+m.short+"/pipelined", func(b *testing.B) {
			d := loadDetector(b, m.name, nil)
			ctx := context.Background()
			for b.Loop() {
				if err := detectFilesPipelined(ctx, d); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// detectFilesPipelined decodes the next photo on another goroutine while
// Detect runs on the current one: what a Go program does with a second
// core. It is reported beside, not instead of, the sequential pass.
func detectFilesPipelined(ctx context.Context, d detect.Detector) error {
	type decoded struct {
		img image.Image
		err error
	}
	ch := make(chan decoded, 1)
	go func() {
		defer close(ch)
		for _, name := range photos {
			data, err := os.ReadFile(filepath.Join(imagesDir, name))
			var img image.Image
			if err == nil {
				img, _, err = image.Decode(bytes.NewReader(data))
			}
			ch <- decoded{img, err}
		}
	}()
	var err error
	for r := range ch {
		if err == nil && r.err != nil {
			err = r.err
		}
		if err == nil {
			_, err = d.Detect(ctx, r.img)
		}
	}
	return err
}

// detectFiles runs the eight photos from their files and returns the time
// spent reading and decoding, the time spent in Detect and the number of
// detections.
func detectFiles(ctx context.Context, d detect.Detector) (dec, det time.Duration, n int, err error) {
	for _, name := range photos {
		t0 := time.Now()
		data, err := os.ReadFile(filepath.Join(imagesDir, name))
		if err != nil {
			return 0, 0, 0, err
		}
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return 0, 0, 0, err
		}
		t1 := time.Now()
		dets, err := d.Detect(ctx, img)
		if err != nil {
			return 0, 0, 0, err
		}
		dec, det, n = dec+t1.Sub(t0), det+time.Since(t1), n+len(dets)
	}
	return dec, det, n, nil
}
