package ort_test

import (
	"context"
	"errors"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/modelreg/modelreg/loader/ort"
)

// TestConcurrentRun runs one session from several goroutines; run it with -race.
func TestConcurrentRun(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1})
	in := constantInput(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for range 3 {
				var pre []*ort.Value
				if g%2 == 1 { // half the goroutines use pre-allocated outputs
					out, _ := ort.NewEmptyTensor[float32]([]int64{1, 3549, 85})
					pre = []*ort.Value{out}
				}
				outs, err := s.Run(context.Background(), []*ort.Value{in}, pre)
				if err != nil {
					t.Error(err)
					return
				}
				checkYOLOX(t, outs[0])
				outs[0].Close()
			}
		})
	}
	wg.Wait()
}

// TestCancel cancels runs in progress and checks that Run returns ctx.Err()
// and that the session still works afterwards.
func TestCancel(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1})
	in := constantInput(t)
	start := time.Now()
	run(t, s, context.Background(), in)
	full := time.Since(start)

	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), full/5)
		defer cancel()
		start := time.Now()
		_, err := s.Run(ctx, []*ort.Value{in}, nil)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Run with a deadline of %v (a run takes %v) = %v; want %v", full/5, full, err, context.DeadlineExceeded)
		}
		t.Logf("terminated after %v; a full run takes %v", time.Since(start), full)
	})
	t.Run("loop", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(full*3/2, cancel)
		var err error
		for n := 0; err == nil; n++ {
			var outs []*ort.Value
			if outs, err = s.Run(ctx, []*ort.Value{in}, nil); err == nil {
				outs[0].Close()
			}
		}
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v; want %v", err, context.Canceled)
		}
	})
	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := s.Run(ctx, []*ort.Value{in}, nil); !errors.Is(err, context.Canceled) {
			t.Fatalf("Run = %v; want %v", err, context.Canceled)
		}
	})
	// The pooled run options must have been reset: a normal run succeeds.
	for range 2 {
		ctx, cancel := context.WithCancel(context.Background())
		checkYOLOX(t, run(t, s, ctx, in))
		cancel()
	}
}

// run runs s on in and returns its output, closed at the end of the test.
func run(t *testing.T, s *ort.Session, ctx context.Context, in *ort.Value) *ort.Value {
	t.Helper()
	outs, err := s.Run(ctx, []*ort.Value{in}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = outs[0].Close() })
	return outs[0]
}

// TestUnalignedInput runs YOLOX on input memory that starts one element into
// a larger buffer: ONNX Runtime must not assume more than element alignment.
func TestUnalignedInput(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1})
	buf := make([]float32, 1+3*416*416)
	for i := range buf {
		buf[i] = 114
	}
	in, err := ort.NewTensor([]int64{1, 3, 416, 416}, buf[1:])
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	checkYOLOX(t, run(t, s, context.Background(), in))
}

// TestCloseDuringRun closes a session while goroutines run it: Close waits
// for the runs in progress, later runs fail with ErrClosed.
func TestCloseDuringRun(t *testing.T) {
	env := newEnv(t, nil)
	model, err := os.ReadFile(yoloxPath)
	if err != nil {
		t.Fatal(err)
	}
	s, err := env.NewSession(model, &ort.SessionOptions{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	in := constantInput(t)
	started := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			for i := 0; ; i++ {
				if i == 1 {
					started <- struct{}{}
				}
				outs, err := s.Run(context.Background(), []*ort.Value{in}, nil)
				if errors.Is(err, ort.ErrClosed) {
					return
				}
				if err != nil {
					t.Error(err)
					return
				}
				outs[0].Close()
			}
		})
	}
	<-started
	<-started
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
}
