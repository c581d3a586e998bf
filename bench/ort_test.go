package bench

import (
	"context"
	"os"
	"testing"

	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

const yoloxModel = "../catalog/models/yolox-nano-coco/yolox_nano.onnx"

var yoloxShape = []int64{1, 3, 416, 416}

// ortLibrary loads ONNX Runtime; without it the benchmark fails in CI (env
// CI set) and is skipped elsewhere.
func ortLibrary(tb testing.TB) *loader.Library {
	tb.Helper()
	return orttest.Library(tb)
}

// yoloxInput returns a deterministic image-like YOLOX input (values 0–255).
func yoloxInput() []float32 {
	data := make([]float32, 3*416*416)
	x := uint32(1)
	for i := range data {
		x = x*1664525 + 1013904223
		data[i] = float32(x >> 24)
	}
	return data
}

// puregoYOLOX is YOLOX-Nano through package ort, 1 intra-op thread, with
// pre-allocated input and output tensors.
type puregoYOLOX struct {
	env     *ort.Env
	sess    *ort.Session
	in, out *ort.Value
}

func newPuregoYOLOX(tb testing.TB, input []float32) *puregoYOLOX {
	tb.Helper()
	model, err := os.ReadFile(yoloxModel)
	if err != nil {
		tb.Fatal(err)
	}
	p := &puregoYOLOX{}
	tb.Cleanup(p.close)
	if p.env, err = ort.NewEnv(ortLibrary(tb), nil); err != nil {
		tb.Fatal(err)
	}
	opts := &ort.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1, GraphOptimization: ort.OptAll}
	if p.sess, err = p.env.NewSession(model, opts); err != nil {
		tb.Fatal(err)
	}
	if p.in, err = ort.NewTensor(yoloxShape, input); err != nil {
		tb.Fatal(err)
	}
	if p.out, err = ort.NewEmptyTensor[float32]([]int64{1, 3549, 85}); err != nil {
		tb.Fatal(err)
	}
	return p
}

func (p *puregoYOLOX) run(ctx context.Context) error {
	_, err := p.sess.Run(ctx, []*ort.Value{p.in}, []*ort.Value{p.out})
	return err
}

func (p *puregoYOLOX) close() {
	for _, c := range []interface{ Close() error }{p.in, p.out, p.sess, p.env} {
		if c != nil {
			_ = c.Close()
		}
	}
}

// BenchmarkORTPuregoYOLOX measures one YOLOX-Nano Run through package ort
// (purego), 1 intra-op thread. See README.md, "purego vs cgo".
func BenchmarkORTPuregoYOLOX(b *testing.B) {
	p := newPuregoYOLOX(b, yoloxInput())
	ctx := context.Background()
	for b.Loop() {
		if err := p.run(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
