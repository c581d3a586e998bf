package preprocess

import "testing"

func benchmarkRun(b *testing.B, name string, o Options) {
	img := loadPhoto(b, name)
	p, err := New(o)
	if err != nil {
		b.Fatal(err)
	}
	dst := make([]float32, p.Len())
	b.ReportAllocs()
	cpu0, n := processCPU(), 0
	for b.Loop() {
		if _, err := p.Run(img, dst); err != nil {
			b.Fatal(err)
		}
		n++
	}
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}

func BenchmarkPreprocessYOLOXLetterbox416Dog(b *testing.B) {
	benchmarkRun(b, "dog.jpg", yoloxOptions)
}

func BenchmarkPreprocessYOLOXLetterbox416Elephants(b *testing.B) {
	benchmarkRun(b, "african_elephants.jpg", yoloxOptions)
}

func BenchmarkPreprocessPicoDetStretch320Dog(b *testing.B) {
	benchmarkRun(b, "dog.jpg", picodetOptions)
}

func BenchmarkPreprocessPicoDetStretch320Elephants(b *testing.B) {
	benchmarkRun(b, "african_elephants.jpg", picodetOptions)
}

// BenchmarkBaselineAtFloat64 is the per-pixel At()-based float64 letterbox
// of the tests, measured in the same run to compare machines.
func BenchmarkBaselineAtFloat64YOLOXDog(b *testing.B) {
	img := loadPhoto(b, "dog.jpg")
	b.ReportAllocs()
	for b.Loop() {
		reference(img, yoloxOptions, refSampleFloat)
	}
}

func BenchmarkPreprocessWorkers2YOLOXDog(b *testing.B) {
	o := yoloxOptions
	o.Workers = 2
	benchmarkRun(b, "dog.jpg", o)
}

func BenchmarkPreprocessWorkers2YOLOXElephants(b *testing.B) {
	o := yoloxOptions
	o.Workers = 2
	benchmarkRun(b, "african_elephants.jpg", o)
}
