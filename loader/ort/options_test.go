package ort_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"
)

// TestSessionOptions creates a YOLOX session with each option and checks the
// output; every setting must keep the result within tolerance.
func TestSessionOptions(t *testing.T) {
	env := newEnv(t, nil)
	optimized := filepath.Join(t.TempDir(), "yolox.opt.onnx")
	tests := []struct {
		name string
		opts *ort.SessionOptions
	}{
		{"nil", nil},
		{"no optimisation", &ort.SessionOptions{IntraOpThreads: 1, GraphOptimization: ort.OptDisable}},
		{"basic", &ort.SessionOptions{IntraOpThreads: 1, GraphOptimization: ort.OptBasic}},
		{"extended", &ort.SessionOptions{IntraOpThreads: 1, GraphOptimization: ort.OptExtended}},
		{"parallel", &ort.SessionOptions{IntraOpThreads: 1, InterOpThreads: 2, ExecutionMode: ort.Parallel}},
		{"no mem pattern", &ort.SessionOptions{IntraOpThreads: 1, DisableMemPattern: true}},
		{"config", &ort.SessionOptions{IntraOpThreads: 1, Config: map[string]string{"session.intra_op.allow_spinning": "0"}}},
		{"optimized model path", &ort.SessionOptions{IntraOpThreads: 1, OptimizedModelPath: optimized}},
	}
	in := constantInput(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSession(t, env, yoloxPath, tt.opts)
			checkYOLOX(t, run(t, s, context.Background(), in))
		})
	}
	if fi, err := os.Stat(optimized); err != nil || fi.Size() == 0 {
		t.Errorf("optimised model not written: %v", err)
	}
	// The optimised model loads and gives the same result.
	s := newSession(t, env, optimized, &ort.SessionOptions{IntraOpThreads: 1})
	checkYOLOX(t, run(t, s, context.Background(), in))
}
