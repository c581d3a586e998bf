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
// the eight photos, 1 intra-op thread, as node/bench.js does with
// onnxruntime-node. One op is one pass over the eight photos; "decode-ms"
// and "detect-ms" are the medians of the two parts per pass. The photos
// are read with os.ReadFile and decoded three ways:
//
//   - decode=stdlib: image.Decode (Go's image/jpeg and image/png);
//   - decode=ours: detect.DecodeImage, whose JPEG decoder is faster and
//     rounds differently (the accuracy tests hold for both);
//   - decode=fit: detect.DecodeImage with DecodeOptions.Fit, which decodes
//     the two 2048×1536 JPEGs at 1/4 scale (scores then move by up to
//     about 0.15 on those two photos, beyond the accuracy tests' ±0.03).
func BenchmarkEndToEnd(b *testing.B) {
	for _, m := range benchModels {
		for _, mode := range []string{"stdlib", "ours", "fit"} {
			b.Run("model="+m.short+"/decode="+mode, func(b *testing.B) {
				d := loadDetector(b, m.name, nil)
				ctx := context.Background()
				decode := decoder(mode, d)
				if _, _, _, err := detectFiles(ctx, d, decode); err != nil { // warm-up, as bench.js
					b.Fatal(err)
				}
				var dec, det []time.Duration
				var n int
				for b.Loop() {
					var td, tt time.Duration
					var err error
					if td, tt, n, err = detectFiles(ctx, d, decode); err != nil {
						b.Fatal(err)
					}
					dec, det = append(dec, td), append(det, tt)
				}
				b.ReportMetric(ms(median(dec)), "decode-ms")
				b.ReportMetric(ms(median(det)), "detect-ms")
				b.ReportMetric(float64(n), "detections")
			})
		}
	}
	for _, m := range benchModels {
		b.Run("model="+m.short+"/decode=ours/pipelined", func(b *testing.B) { // detect.DetectFiles
			d := loadDetector(b, m.name, nil)
			ctx := context.Background()
			for b.Loop() {
				if err := detectFilesPipelined(ctx, d, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// decodeFunc decodes a photo's bytes.
type decodeFunc func(data []byte) (image.Image, error)

// decoder returns the decoding of mode (see BenchmarkEndToEnd) for d.
func decoder(mode string, d detect.Detector) decodeFunc {
	switch mode {
	case "stdlib":
		return func(data []byte) (image.Image, error) {
			img, _, err := image.Decode(bytes.NewReader(data))
			return img, err
		}
	case "fit":
		fit, _ := d.(detect.Fitter)
		return func(data []byte) (image.Image, error) {
			img, _, err := detect.DecodeImage(bytes.NewReader(data), &detect.DecodeOptions{Fit: fit})
			return img, err
		}
	}
	return func(data []byte) (image.Image, error) {
		img, _, err := detect.DecodeImage(bytes.NewReader(data), nil)
		return img, err
	}
}

// detectFilesPipelined runs the eight photos through detect.DetectFiles,
// which decodes the next photo on another goroutine while Detect runs on
// the current one: what a Go program does with a second core. It is
// reported beside, not instead of, the sequential pass.
func detectFilesPipelined(ctx context.Context, d detect.Detector, opts *detect.DecodeOptions) error {
	paths := make([]string, len(photos))
	for i, name := range photos {
		paths[i] = filepath.Join(imagesDir, name)
	}
	for r := range detect.DetectFiles(ctx, d, paths, opts) {
		if r.Err != nil {
			return r.Err
		}
	}
	return ctx.Err()
}

// detectFiles runs the eight photos from their files and returns the time
// spent reading and decoding, the time spent in Detect and the number of
// detections.
func detectFiles(ctx context.Context, d detect.Detector, decode decodeFunc) (dec, det time.Duration, n int, err error) {
	for _, name := range photos {
		t0 := time.Now()
		data, err := os.ReadFile(filepath.Join(imagesDir, name))
		if err != nil {
			return 0, 0, 0, err
		}
		img, err := decode(data)
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
