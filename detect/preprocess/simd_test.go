package preprocess

import (
	"fmt"
	"image"
	"math"
	"math/rand/v2"
	"testing"
)

// levelNames names the paths in subtests and benchmarks.
var levelNames = [...]string{levelScalar: "scalar", levelAVX2: "avx2"}

// vectorLevels returns the vector levels this CPU runs, lowest first.
func vectorLevels() []int {
	var ls []int
	for l := levelAVX2; l <= cpuLevel; l++ {
		ls = append(ls, l)
	}
	return ls
}

// withLevel calls f with simdLevel set to level, restoring it afterwards.
func withLevel(level int, f func()) {
	defer func(old int) { simdLevel = old }(simdLevel)
	simdLevel = level
	f()
}

// runPath pre-processes img with a new Preprocessor on the path of level.
func runPath(t *testing.T, img image.Image, o Options, level int) []float32 {
	t.Helper()
	var dst []float32
	withLevel(level, func() {
		p, err := New(o)
		if err != nil {
			t.Fatal(err)
		}
		dst = make([]float32, p.Len())
		if _, err := p.Run(img, dst); err != nil {
			t.Fatal(err)
		}
	})
	return dst
}

// compareSIMD requires every vector path and the scalar path to give
// identical bits.
func compareSIMD(t *testing.T, img image.Image, o Options) {
	t.Helper()
	want := runPath(t, img, o, levelScalar)
	for _, l := range vectorLevels() {
		requireBits(t, runPath(t, img, o, l), want, fmt.Sprintf("%T %v, %+v, %s path", img, img.Bounds(), o, levelNames[l]))
	}
}

// requireBits requires got and want to hold the same bits.
func requireBits(t *testing.T, got, want []float32, what string) {
	t.Helper()
	for i := range want {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			t.Fatalf("%s: value %d = %v; scalar path %v", what, i, got[i], want[i])
		}
	}
}

func skipWithoutSIMD(t *testing.T) {
	t.Helper()
	if cpuLevel == levelScalar {
		t.Skip("no vector kernels on this CPU")
	}
}

// allOptions returns every combination of the tensor options for a
// w×h tensor.
func allOptions(w, h int) []Options {
	var opts []Options
	norms := []struct {
		scale     float64
		mean, std []float64
	}{
		{0, nil, nil}, {1.0 / 255, nil, nil}, {0, []float64{123.675, 116.28, 103.53}, []float64{58.395, 57.12, 57.375}},
		{0, nil, []float64{-1}}, // lut[0] = −0: the table is not affine, the kernel gathers
	}
	for _, rs := range []Resize{Letterbox, Stretch} {
		for _, pc := range []Placement{TopLeft, Center} {
			for _, co := range []ChannelOrder{RGB, BGR} {
				for _, l := range []Layout{NCHW, NHWC} {
					for i, n := range norms {
						opts = append(opts, Options{Width: w, Height: h, Resize: rs, Placement: pc, ChannelOrder: co,
							Layout: l, Scale: n.scale, Mean: n.mean, Std: n.std, PadValue: 114, Workers: i % 3})
					}
				}
			}
		}
	}
	return opts
}

// TestSIMDMatchesScalarSmall covers every image type and subsampling at
// widths 1..40, where the kernels' blocks and the Go tails meet.
func TestSIMDMatchesScalarSmall(t *testing.T) {
	skipWithoutSIMD(t)
	rng := rand.New(rand.NewPCG(7, 8))
	for w := 1; w <= 40; w++ {
		h := 1 + rng.IntN(24)
		x0, y0 := rng.IntN(5), rng.IntN(5)
		r := image.Rect(x0, y0, x0+w, y0+h)
		for _, img := range syntheticImages(rng, r) {
			for _, sub := range []bool{false, true} {
				if sub {
					img = fuzzImage(uint8(rng.IntN(14)), r, true, randomBytes(rng, 97))
				}
				o := Options{Width: 1 + rng.IntN(48), Height: 1 + rng.IntN(48)}
				for _, o := range []Options{o, {Width: w, Height: h, Resize: Stretch}, {Width: 2*w + 3, Height: h + 1, Layout: NHWC}} {
					t.Run(fmt.Sprintf("%T/%v/%v/%dx%d", img, r, sub, o.Width, o.Height), func(t *testing.T) {
						compareSIMD(t, img, o)
					})
				}
			}
		}
	}
}

// TestSIMDMatchesScalarOptions runs every option combination on larger
// images of every type, downscaled and upscaled.
func TestSIMDMatchesScalarOptions(t *testing.T) {
	skipWithoutSIMD(t)
	rng := rand.New(rand.NewPCG(9, 10))
	sizes := []image.Rectangle{image.Rect(0, 0, 333, 257), image.Rect(2, 3, 101, 70), image.Rect(0, 1, 1500, 90)}
	tensors := [][2]int{{64, 48}, {127, 200}, {50, 17}}
	for i, r := range sizes {
		for _, img := range syntheticImages(rng, r) {
			for _, o := range allOptions(tensors[i][0], tensors[i][1]) {
				compareSIMD(t, img, o)
			}
		}
	}
}

// TestSIMDMatchesScalarRandom draws random sizes, including large
// downscales whose conversion windows do not fit the kernel.
func TestSIMDMatchesScalarRandom(t *testing.T) {
	skipWithoutSIMD(t)
	rng := rand.New(rand.NewPCG(11, 12))
	for range 60 {
		w, h := 1+rng.IntN(1200), 1+rng.IntN(300)
		x0, y0 := rng.IntN(9), rng.IntN(9)
		r := image.Rect(x0, y0, x0+w, y0+h)
		img := fuzzImage(uint8(rng.IntN(14)), r, rng.IntN(2) == 0, randomBytes(rng, 1+rng.IntN(5000)))
		opts := allOptions(1+rng.IntN(300), 1+rng.IntN(300))
		o := opts[rng.IntN(len(opts))]
		t.Run(fmt.Sprintf("%T/%v/%+v", img, r, o), func(t *testing.T) {
			compareSIMD(t, img, o)
		})
	}
}

// TestSIMDPhotos compares the paths on the photos, with and without
// workers.
func TestSIMDPhotos(t *testing.T) {
	skipWithoutSIMD(t)
	for _, name := range photos {
		img := loadPhoto(t, name)
		for _, o := range []Options{yoloxOptions, picodetOptions, {Width: 640, Height: 640, Layout: NHWC, Workers: 3}} {
			compareSIMD(t, img, o)
		}
	}
}

// TestSIMDTablesFit checks that the product geometries take the vector
// kernels of every level, not only the Go fallbacks.
func TestSIMDTablesFit(t *testing.T) {
	skipWithoutSIMD(t)
	for _, l := range vectorLevels() {
		for _, name := range []string{"dog.jpg", "african_elephants.jpg"} {
			img := loadPhoto(t, name)
			p, _ := New(yoloxOptions)
			g := p.Geometry(img.Bounds().Dx(), img.Bounds().Dy())
			var s scratch
			var src source
			withLevel(l, func() {
				s.prepare(g.SrcWidth, g.SrcHeight, g.Width, g.Height)
				src.bind(img, &s)
			})
			if s.vec.level != l || !s.vec.ok || s.vec.cnb != len(s.cols)/cblock {
				t.Errorf("%s, %s: level %d, ok = %v, %d of %d conversion blocks; want all",
					levelNames[l], name, s.vec.level, s.vec.ok, s.vec.cnb, len(s.cols)/cblock)
			}
		}
	}
}

// TestSIMDLevelChange runs one Preprocessor, whose pooled scratch keeps
// its tables, while the level changes between calls.
func TestSIMDLevelChange(t *testing.T) {
	img := loadPhoto(t, "dog.jpg")
	want := runPath(t, img, yoloxOptions, levelScalar)
	p, err := New(yoloxOptions)
	if err != nil {
		t.Fatal(err)
	}
	dst := make([]float32, p.Len())
	for _, l := range []int{cpuLevel, levelScalar, levelAVX2, cpuLevel, levelScalar} {
		withLevel(min(l, cpuLevel), func() {
			if _, err := p.Run(img, dst); err != nil {
				t.Fatal(err)
			}
		})
		requireBits(t, dst, want, levelNames[min(l, cpuLevel)])
	}
}

func randomBytes(rng *rand.Rand, n int) []byte {
	b := make([]byte, n)
	fill(rng, b)
	return b
}

// TestAffineTables checks which tables the vector path computes instead
// of looking them up.
func TestAffineTables(t *testing.T) {
	tests := []struct {
		o    Options
		want bool
	}{
		{yoloxOptions, true},
		{picodetOptions, true},
		{Options{Width: 1, Height: 1, Std: []float64{-1}}, false},
	}
	for _, tt := range tests {
		p, err := New(tt.o)
		if err != nil {
			t.Fatal(err)
		}
		o := p.Options()
		for c := range 3 {
			pc := p.planeOf[c]
			if f := newAffine(&p.srcLUT[c], o.Scale, o.Mean[pc], o.Std[pc]); f.ok != tt.want {
				t.Errorf("%+v: channel %d: affine %v; want %v", tt.o, c, f.ok, tt.want)
			}
		}
	}
}

// BenchmarkPaths measures the scalar and vector paths in the same run.
func BenchmarkPaths(b *testing.B) {
	for _, name := range []string{"dog.jpg", "african_elephants.jpg"} {
		for _, o := range []Options{yoloxOptions, picodetOptions} {
			for l := levelScalar; l <= cpuLevel; l++ {
				b.Run(fmt.Sprintf("%s/%dx%d/%s", name, o.Width, o.Height, levelNames[l]), func(b *testing.B) {
					withLevel(l, func() { benchmarkRun(b, name, o) })
				})
			}
		}
	}
}
