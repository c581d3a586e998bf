//go:build ortcgo

// The cgo cross-check: run with
//
//	CGO_ENABLED=1 go test -tags ortcgo -run . -bench . -count 10 ./bench/
//
// It needs cgo and github.com/yalue/onnxruntime_go, so it is never part of
// the default build.

package bench

import (
	"context"
	"math"
	"os"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"

	ortgo "github.com/yalue/onnxruntime_go"
)

// cgoYOLOX is YOLOX-Nano through github.com/yalue/onnxruntime_go (cgo) with
// the same settings as puregoYOLOX.
type cgoYOLOX struct {
	sess *ortgo.AdvancedSession
	in   *ortgo.Tensor[float32]
	out  *ortgo.Tensor[float32]
}

func newCgoYOLOX(tb testing.TB, input []float32) *cgoYOLOX {
	tb.Helper()
	initCgo(tb)
	c := &cgoYOLOX{}
	tb.Cleanup(c.close)
	var err error
	if c.in, err = ortgo.NewTensor(ortgo.NewShape(yoloxShape...), input); err != nil {
		tb.Fatal(err)
	}
	if c.out, err = ortgo.NewEmptyTensor[float32](ortgo.NewShape(1, 3549, 85)); err != nil {
		tb.Fatal(err)
	}
	model, err := os.ReadFile(yoloxModel)
	if err != nil {
		tb.Fatal(err)
	}
	c.sess = newCgoSession(tb, model, "images", "output", c.in, c.out)
	return c
}

// initCgo initialises onnxruntime_go with the library package loader finds.
func initCgo(tb testing.TB) {
	tb.Helper()
	lib := ortLibrary(tb) // the same library file
	if !ortgo.IsInitialized() {
		ortgo.SetSharedLibraryPath(lib.Path())
		if err := ortgo.InitializeEnvironment(); err != nil {
			tb.Fatal(err)
		}
	}
}

// newCgoSession creates an onnxruntime_go session with the benchmark's
// settings: 1 intra-op and 1 inter-op thread, all optimisations.
func newCgoSession(tb testing.TB, model []byte, in, out string, inV, outV ortgo.Value) *ortgo.AdvancedSession {
	tb.Helper()
	opts, err := ortgo.NewSessionOptions()
	if err != nil {
		tb.Fatal(err)
	}
	defer opts.Destroy()
	for _, err := range []error{opts.SetIntraOpNumThreads(1), opts.SetInterOpNumThreads(1),
		opts.SetGraphOptimizationLevel(ortgo.GraphOptimizationLevelEnableAll)} {
		if err != nil {
			tb.Fatal(err)
		}
	}
	s, err := ortgo.NewAdvancedSessionWithONNXData(model, []string{in}, []string{out},
		[]ortgo.Value{inV}, []ortgo.Value{outV}, opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Destroy() })
	return s
}

func (c *cgoYOLOX) close() {
	if c.in != nil {
		_ = c.in.Destroy()
	}
	if c.out != nil {
		_ = c.out.Destroy()
	}
}

// TestORTCgoCrossCheck runs the same input through both bindings and
// requires bit-identical outputs.
func TestORTCgoCrossCheck(t *testing.T) {
	input := yoloxInput()
	p := newPuregoYOLOX(t, input)
	c := newCgoYOLOX(t, input)
	if err := p.run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.sess.Run(); err != nil {
		t.Fatal(err)
	}
	got, want := p.out.Float32s(), c.out.GetData()
	if len(got) != len(want) {
		t.Fatalf("purego output has %d values; cgo %d", len(got), len(want))
	}
	diff := 0
	for i := range got {
		if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
			if diff < 5 {
				t.Errorf("output[%d]: purego %v, cgo %v", i, got[i], want[i])
			}
			diff++
		}
	}
	if diff > 0 {
		t.Fatalf("%d of %d values differ", diff, len(got))
	}
}

// BenchmarkORTRun compares one YOLOX-Nano Run, 1 intra-op thread,
// pre-allocated input and output, through both bindings.
func BenchmarkORTRun(b *testing.B) {
	input := yoloxInput()
	b.Run("binding=purego", func(b *testing.B) {
		p := newPuregoYOLOX(b, input)
		ctx := context.Background()
		for b.Loop() {
			if err := p.run(ctx); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binding=cgo", func(b *testing.B) {
		c := newCgoYOLOX(b, input)
		for b.Loop() {
			if err := c.sess.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkORTRunTiny compares the per-Run overhead of both bindings on a
// model that does almost nothing (one Relu on 4 floats).
func BenchmarkORTRunTiny(b *testing.B) {
	b.Run("binding=purego", func(b *testing.B) {
		s, in, out := newPuregoTiny(b)
		ins, outs := []*ort.Value{in}, []*ort.Value{out}
		ctx := context.Background()
		for b.Loop() {
			if _, err := s.Run(ctx, ins, outs); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("binding=cgo", func(b *testing.B) {
		initCgo(b)
		in, err := ortgo.NewTensor(ortgo.NewShape(1, 4), []float32{-1, 2, -3, 4})
		if err != nil {
			b.Fatal(err)
		}
		defer in.Destroy()
		out, err := ortgo.NewEmptyTensor[float32](ortgo.NewShape(1, 4))
		if err != nil {
			b.Fatal(err)
		}
		defer out.Destroy()
		s := newCgoSession(b, tinyModel(), "x", "y", in, out)
		for b.Loop() {
			if err := s.Run(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
