package detect

import (
	"math/rand/v2"
	"testing"
)

// BenchmarkDecodeDETR decodes RT-DETR's 300 queries × 80 classes of sigmoid
// logits, mostly low, about 30 above 0.3.
func BenchmarkDecodeDETR(b *testing.B) {
	rng := rand.New(rand.NewPCG(7, 7))
	boxes, logits := detrRaw(300, 80, 0)
	for i := range logits.Data {
		logits.Data[i] = -3 - 4*rng.Float32()
	}
	for i := range boxes.Data {
		boxes.Data[i] = 0.1 + 0.5*rng.Float32()
	}
	for range 30 {
		logits.Data[rng.IntN(len(logits.Data))] = 3 * rng.Float32()
	}
	benchmarkSetPred(b, newPipeline(b, detrConfig("", 0)), []Tensor{boxes, logits})
}

func benchmarkSetPred(b *testing.B, p *Pipeline, outs []Tensor) {
	g := p.Geometry(768, 576)
	var dst []Detection
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if dst, err = p.AppendDetections(dst[:0], outs, 0, g); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(dst)), "dets")
}
