package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader/ort"
)

func TestFixed(t *testing.T) {
	for _, tc := range []struct {
		shape []int64
		want  []int64
		n     int
		ok    bool
	}{
		{[]int64{1, 3, 416, 416}, []int64{1, 3, 416, 416}, 3 * 416 * 416, true},
		{[]int64{-1, 3, 320, 320}, []int64{1, 3, 320, 320}, 3 * 320 * 320, true},
		{[]int64{1, 3, -1, 416}, nil, 0, false},
		{[]int64{1, 0, 4}, nil, 0, false},
	} {
		got, n, err := fixed(tc.shape)
		if (err == nil) != tc.ok || !slices.Equal(got, tc.want) || n != tc.n {
			t.Errorf("fixed(%v) = %v, %d, %v; want %v, %d, ok %v", tc.shape, got, n, err, tc.want, tc.n, tc.ok)
		}
	}
}

func TestProviderList(t *testing.T) {
	got := providerList(" cuda, cpu ,TensorRT,MyExecutionProvider,")
	want := []string{ort.CUDA, ort.TensorRT, "MyExecutionProvider"}
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
	}
	if !slices.Equal(names, want) {
		t.Errorf("providerList = %q; want %q", names, want)
	}
	if providerList("") != nil {
		t.Error(`providerList("") is not nil (CPU only)`)
	}
}

// TestRun runs the floor on the bundled YOLOX-Nano: it prints each stage
// with -v, and refuses bad flags.
func TestRun(t *testing.T) {
	orttest.Require(t)
	var stderr bytes.Buffer
	model := "-model=../../../catalog/models/yolox-nano-coco/yolox_nano.onnx"
	if err := run(context.Background(), []string{model, "-runs", "3", "-v"}, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	for _, stage := range []string{"load library", "environment", "read model", "session CPUExecutionProvider", "run 3"} {
		if !strings.Contains(stderr.String(), stage) {
			t.Errorf("-v output lacks %q:\n%s", stage, stderr.String())
		}
	}
	for _, args := range [][]string{{model, "-runs", "0"}, {"-model", "no-such.onnx"}} {
		if err := run(context.Background(), args, &bytes.Buffer{}); err == nil {
			t.Errorf("run(%q) succeeded; want an error", args)
		}
	}
}
