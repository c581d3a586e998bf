// Command floor is the runtime's floor for the end-to-end benchmarks: what
// any program that detects objects with ONNX Runtime must do, and nothing a
// detector could skip. It loads ONNX Runtime, creates the environment,
// reads the model file, creates a session (all graph optimisations, 1
// inter-op thread) and runs it -runs times on an input tensor made before
// the first run (deterministic pixels 0–255), into an output tensor made
// once. No image is read, decoded or pre-processed and no output decoded.
//
//	go run ./bench/cmd/floor [-model FILE] [-runs 8] [-threads 1] [-providers cuda] [-v]
//
// scripts/bench.sh runs it as a whole process, alternating with
// examples/detect-image over the eight test photos, and reports the ratio
// of their times. With -v it prints the time of each stage to standard
// error.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

// run is main without the process.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("floor", flag.ContinueOnError)
	fs.SetOutput(stderr)
	model := fs.String("model", "catalog/models/yolox-nano-coco/yolox_nano.onnx", "ONNX `file` (one float32 image input)")
	runs := fs.Int("runs", 8, "`number` of runs")
	threads := fs.Int("threads", 1, "intra-op `threads`")
	verbose := fs.Bool("v", false, "print the time of each stage to standard error")
	providers := fs.String("providers", "", "execution `providers`, comma-separated ONNX Runtime names or cuda, tensorrt (CPU is always last)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *runs < 1 || *threads < 1 {
		return errors.New("-runs and -threads must be at least 1")
	}
	t := stages{w: stderr, on: *verbose, last: time.Now()}
	lib, err := loader.Load(nil)
	if err != nil {
		return err
	}
	t.mark("load library")
	env, err := ort.NewEnv(lib, nil)
	if err != nil {
		return err
	}
	defer env.Close()
	t.mark("environment")
	data, err := os.ReadFile(*model)
	if err != nil {
		return err
	}
	t.mark("read model")
	sess, err := env.NewSession(data, &ort.SessionOptions{IntraOpThreads: *threads, InterOpThreads: 1,
		Providers: providerList(*providers)})
	if err != nil {
		return err
	}
	defer sess.Close()
	t.mark("session " + strings.Join(sess.Providers(), ","))
	in, out, err := tensors(sess)
	if err != nil {
		return err
	}
	defer in.Close()
	defer out.Close()
	args1, outs := []*ort.Value{in}, []*ort.Value{out}
	for i := range *runs {
		if _, err := sess.Run(ctx, args1, outs); err != nil {
			return err
		}
		t.mark(fmt.Sprintf("run %d", i+1))
	}
	return nil
}

// tensors makes the input (deterministic values 0–255) and output tensors
// of sess, whose input and output must have fixed shapes apart from a
// batch dimension, taken as 1.
func tensors(sess *ort.Session) (in, out *ort.Value, err error) {
	ins, outs := sess.Inputs(), sess.Outputs()
	if len(ins) != 1 || len(outs) < 1 {
		return nil, nil, fmt.Errorf("want one input and an output, the model has %d and %d", len(ins), len(outs))
	}
	inShape, n, err := fixed(ins[0].Shape)
	if err != nil {
		return nil, nil, fmt.Errorf("input %s: %w", ins[0].Name, err)
	}
	outShape, _, err := fixed(outs[0].Shape)
	if err != nil {
		return nil, nil, fmt.Errorf("output %s: %w", outs[0].Name, err)
	}
	pixels := make([]float32, n)
	x := uint32(1)
	for i := range pixels {
		x = x*1664525 + 1013904223
		pixels[i] = float32(x >> 24)
	}
	if in, err = ort.NewTensor(inShape, pixels); err != nil {
		return nil, nil, err
	}
	if out, err = ort.NewEmptyTensor[float32](outShape); err != nil {
		in.Close()
		return nil, nil, err
	}
	return in, out, nil
}

// providerList turns "cuda,tensorrt" into ONNX Runtime's providers.
func providerList(s string) []ort.Provider {
	short := map[string]string{"cuda": ort.CUDA, "tensorrt": ort.TensorRT}
	var ps []ort.Provider
	for _, n := range strings.Split(s, ",") {
		if n = strings.TrimSpace(n); n == "" || strings.EqualFold(n, "cpu") {
			continue
		}
		if full, ok := short[strings.ToLower(n)]; ok {
			n = full
		}
		ps = append(ps, ort.Provider{Name: n})
	}
	return ps
}

// fixed returns shape with a dynamic first dimension set to 1, and its
// number of elements; any other dynamic dimension is an error.
func fixed(shape []int64) ([]int64, int, error) {
	s, n := append([]int64(nil), shape...), 1
	for i, d := range s {
		if d < 0 && i == 0 {
			s[i], d = 1, 1
		}
		if d <= 0 {
			return nil, 0, fmt.Errorf("dimension %d of %v is not fixed", i, shape)
		}
		n *= int(d)
	}
	return s, n, nil
}

// stages prints the time since the previous mark when on.
type stages struct {
	w    io.Writer
	on   bool
	last time.Time
}

func (s *stages) mark(what string) {
	if !s.on {
		return
	}
	now := time.Now()
	fmt.Fprintf(s.w, "%-30s %7.2f ms\n", what, float64(now.Sub(s.last).Microseconds())/1000)
	s.last = now
}
