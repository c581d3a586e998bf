package bench

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/modelreg/modelreg/detect"
	"github.com/modelreg/modelreg/detect/ortdetect"
	"github.com/modelreg/modelreg/loader/ort"
)

// splitRunner is a detector taken apart: the pipeline and one session with
// pre-allocated tensors, as ortdetect's slots hold them, so that each stage
// of a Detect call can be timed.
type splitRunner struct {
	pipe    *detect.Pipeline
	sess    *ort.Session
	in      []float32
	inputs  []*ort.Value
	outputs []*ort.Value
	tensors []detect.Tensor
}

func newSplitRunner(tb testing.TB, model string, workers int) *splitRunner {
	tb.Helper()
	return newSplitRunnerOpts(tb, model, workers, &ort.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
}

func newSplitRunnerOpts(tb testing.TB, model string, workers int, so *ort.SessionOptions) *splitRunner {
	tb.Helper()
	cfg, dir := catalogConfig(tb, model)
	cfg.Input.Workers = workers
	pipe, err := detect.LoadPipeline(cfg.Config, dir)
	if err != nil {
		tb.Fatal(err)
	}
	onnx, err := fsReadFile(dir, cfg.Model)
	if err != nil {
		tb.Fatal(err)
	}
	onnx, _ = ortdetect.FoldableModel(onnx) // as ortdetect.New loads it
	env, err := ort.NewEnv(ortLibrary(tb), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { env.Close() })
	sess, err := env.NewSession(onnx, so)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { sess.Close() })
	r := &splitRunner{pipe: pipe, sess: sess, in: make([]float32, pipe.InputLen())}
	r.inputs = []*ort.Value{mustValue(tb)(ort.NewTensor(pipe.InputShape(1), r.in))}
	for _, o := range sess.Outputs() {
		v := mustValue(tb)(ort.NewEmptyTensor[float32](o.Shape))
		r.outputs = append(r.outputs, v)
		r.tensors = append(r.tensors, detect.Tensor{Name: o.Name, Shape: o.Shape, Data: v.Float32s()})
	}
	return r
}

func mustValue(tb testing.TB) func(*ort.Value, error) *ort.Value {
	return func(v *ort.Value, err error) *ort.Value {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { v.Close() })
		return v
	}
}

// stages are the durations of one Detect call's three stages.
type stages struct{ pre, run, post time.Duration }

// detect runs the three stages of one Detect call and times each.
func (r *splitRunner) detect(ctx context.Context, img imageT) (stages, []detect.Detection, error) {
	t0 := time.Now()
	g, err := r.pipe.Preprocess(img, r.in)
	if err != nil {
		return stages{}, nil, err
	}
	t1 := time.Now()
	if _, err := r.sess.Run(ctx, r.inputs, r.outputs); err != nil {
		return stages{}, nil, err
	}
	t2 := time.Now()
	dets, err := r.pipe.Postprocess(r.tensors, g)
	t3 := time.Now()
	return stages{t1.Sub(t0), t2.Sub(t1), t3.Sub(t2)}, dets, err
}

// BenchmarkDetectSplit times pre-processing, the ORT run and decoding+NMS
// of Detect on decoded photos, 1 intra-op thread (issue 7 §1), with the
// pre-processing on the calling goroutine (workers=1) or split between two
// (workers=2, preprocess.Options.Workers). Besides ns/op it reports the
// median of each stage over the iterations and "outside-%", the median
// pre+post over the median run.
func BenchmarkDetectSplit(b *testing.B) {
	for _, m := range benchModels {
		for _, name := range []string{"dog.jpg", "african_elephants.jpg"} {
			for _, w := range []int{1, 2} {
				b.Run(fmt.Sprintf("model=%s/image=%s/workers=%d", m.short, name, w), func(b *testing.B) {
					r := newSplitRunner(b, m.name, w)
					img := readImage(b, name)
					benchSplit(b, r, img)
				})
			}
		}
	}
}

func benchSplit(b *testing.B, r *splitRunner, img imageT) {
	ctx := context.Background()
	var pre, run, post []time.Duration
	for b.Loop() {
		s, _, err := r.detect(ctx, img)
		if err != nil {
			b.Fatal(err)
		}
		pre, run, post = append(pre, s.pre), append(run, s.run), append(post, s.post)
	}
	p, rn, q := median(pre), median(run), median(post)
	b.ReportMetric(float64(p.Microseconds()), "pre-µs")
	b.ReportMetric(float64(rn.Microseconds()), "run-µs")
	b.ReportMetric(float64(q.Microseconds()), "post-µs")
	b.ReportMetric(100*float64(p+q)/float64(rn), "outside-%")
}
