package detect

import (
	"math/rand/v2"
	"testing"
)

// benchOutputs returns plausible raw outputs for c: low scores everywhere
// and about 30 candidates above 0.3, clustered as real objects are.
func benchOutputs(c Config) []Tensor {
	rng := rand.New(rand.NewPCG(7, 7))
	low := func() float32 { return rng.Float32() * rng.Float32() * 0.1 }
	switch c.Decoder {
	case "picodet":
		var outs []Tensor
		for _, n := range []int64{1600, 400, 100, 25} {
			s := zeros("scores", 1, n, 80)
			for i := range s.Data {
				s.Data[i] = low()
			}
			for range n / 60 {
				s.Data[rng.IntN(int(n))*80+rng.IntN(80)] = 0.3 + 0.6*rng.Float32()
			}
			outs = append(outs, s)
		}
		for _, n := range []int64{1600, 400, 100, 25} {
			b := zeros("boxes", 1, n, 32)
			for i := range b.Data {
				b.Data[i] = float32(rng.NormFloat64())
			}
			outs = append(outs, b)
		}
		return outs
	default: // yolox
		out := zeros("output", 1, 3549, 85)
		for i := range 3549 {
			r := out.Data[i*85 : (i+1)*85]
			r[0], r[1], r[2], r[3] = rng.Float32(), rng.Float32(), rng.Float32(), rng.Float32()
			r[4] = low()
			for c := range 80 {
				r[5+c] = low()
			}
		}
		for range 30 {
			r := out.Data[rng.IntN(3549)*85:]
			r[4], r[5+rng.IntN(80)] = 0.6+0.4*rng.Float32(), 0.6+0.4*rng.Float32()
		}
		return []Tensor{out}
	}
}

func benchmarkPostprocess(b *testing.B, name string) {
	p := newPipeline(b, readConfig(b, name))
	outs := benchOutputs(p.Config())
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

func BenchmarkDecodeNMSYOLOX(b *testing.B)   { benchmarkPostprocess(b, "yolox_nano.json") }
func BenchmarkDecodeNMSPicoDet(b *testing.B) { benchmarkPostprocess(b, "picodet_s_320_coco.json") }
