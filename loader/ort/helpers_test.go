package ort_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/loader"
	"github.com/modelreg/modelreg/loader/ort"
)

const (
	yoloxPath   = "../../catalog/models/yolox-nano-coco/yolox_nano.onnx"
	picodetPath = "../../catalog/models/picodet-s-320-coco/picodet_s_320_coco.onnx"
)

// library loads ONNX Runtime. Without it the test fails in CI (env CI set)
// and is skipped elsewhere.
func library(t testing.TB) *loader.Library {
	t.Helper()
	return orttest.Library(t)
}

// newEnv returns an Env closed at the end of the test.
func newEnv(t testing.TB, opts *ort.EnvOptions) *ort.Env {
	t.Helper()
	env, err := ort.NewEnv(library(t), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = env.Close() })
	return env
}

// newSession loads a model file into a session closed at the end of the test.
func newSession(t testing.TB, env *ort.Env, path string, opts *ort.SessionOptions) *ort.Session {
	t.Helper()
	s, err := env.NewSession(readModel(t, path), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

// readModel reads a model file.
func readModel(t testing.TB, path string) []byte {
	t.Helper()
	model, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	return model
}

// constantInput returns a YOLOX input tensor with every element = 114.
func constantInput(t testing.TB) *ort.Value {
	t.Helper()
	data := make([]float32, 3*416*416)
	for i := range data {
		data[i] = 114
	}
	in, err := ort.NewTensor([]int64{1, 3, 416, 416}, data)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = in.Close() })
	return in
}
