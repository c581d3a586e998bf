package ort_test

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

// Example runs YOLOX-Nano once on a constant image.
func Example() {
	lib, err := loader.Load(nil)
	if err != nil {
		fmt.Println(err) // not installed: run `models runtime install`
		return
	}
	env, err := ort.NewEnv(lib, &ort.EnvOptions{LogLevel: ort.LogError, Logger: slog.Default()})
	if err != nil {
		panic(err)
	}
	defer env.Close()
	model, err := os.ReadFile("../../catalog/models/yolox-nano-coco/yolox_nano.onnx")
	if err != nil {
		panic(err)
	}
	sess, err := env.NewSession(model, &ort.SessionOptions{IntraOpThreads: 1, GraphOptimization: ort.OptAll,
		Providers: []ort.Provider{{Name: ort.CUDA}}})
	if err != nil {
		panic(err)
	}
	defer sess.Close()
	fmt.Println(sess.Inputs(), sess.Outputs())

	pixels := make([]float32, 3*416*416)
	in, err := ort.NewTensor([]int64{1, 3, 416, 416}, pixels)
	if err != nil {
		panic(err)
	}
	defer in.Close()
	outs, err := sess.Run(context.Background(), []*ort.Value{in}, nil)
	if err != nil {
		panic(err)
	}
	defer outs[0].Close()
	fmt.Println(outs[0].Shape(), len(outs[0].Float32s()))
}
