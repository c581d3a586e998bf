//go:build ortcgo

package bench

import (
	"context"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/modelreg/modelreg/loader/ort"
	ortgo "github.com/yalue/onnxruntime_go"
)

// BenchmarkORTPaired runs the two bindings alternately on one locked OS
// thread and reports the medians of each Run's wall time and thread CPU time
// (CLOCK_THREAD_CPUTIME_ID: with 1 intra-op thread ONNX Runtime computes on
// the calling thread, so this ignores time spent waiting for a busy CPU), and
// the overhead of purego over cgo computed from the medians. Pairing the runs
// cancels most of the noise of a shared machine.
func BenchmarkORTPaired(b *testing.B) {
	b.Run("model=yolox-nano", func(b *testing.B) {
		input := yoloxInput()
		p, c := newPuregoYOLOX(b, input), newCgoYOLOX(b, input)
		ctx := context.Background()
		paired(b, func() error { return p.run(ctx) }, c.sess.Run)
	})
	b.Run("model=tiny", func(b *testing.B) {
		s, in, out := newPuregoTiny(b)
		ins, outs := []*ort.Value{in}, []*ort.Value{out}
		ctx := context.Background()
		initCgo(b)
		cin, _ := ortgo.NewTensor(ortgo.NewShape(1, 4), []float32{-1, 2, -3, 4})
		defer cin.Destroy()
		cout, _ := ortgo.NewEmptyTensor[float32](ortgo.NewShape(1, 4))
		defer cout.Destroy()
		cs := newCgoSession(b, tinyModel(), "x", "y", cin, cout)
		paired(b, func() error { _, err := s.Run(ctx, ins, outs); return err }, cs.Run)
	})
}

func paired(b *testing.B, purego, cgo func() error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var wall, cpu [2][]float64 // [0] purego, [1] cgo
	fns := [2]func() error{purego, cgo}
	i := 0
	for b.Loop() {
		for k := range 2 {
			j := (i + k) % 2 // alternate which binding goes first
			w0, c0 := time.Now(), threadCPU()
			if err := fns[j](); err != nil {
				b.Fatal(err)
			}
			cpu[j] = append(cpu[j], float64(threadCPU()-c0))
			wall[j] = append(wall[j], float64(time.Since(w0)))
		}
		i++
	}
	report := func(name string, v [2][]float64) {
		mp, mc := median(v[0]), median(v[1])
		b.ReportMetric(mp, name+"-ns/purego")
		b.ReportMetric(mc, name+"-ns/cgo")
		b.ReportMetric(100*(mp/mc-1), name+"-overhead-%")
	}
	report("wall", wall)
	report("cpu", cpu)
	b.ReportMetric(0, "ns/op") // the pair's time is not a meaningful metric
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}

// threadCPU returns the calling thread's CPU time in nanoseconds.
func threadCPU() int64 {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return ts.Nano()
}
