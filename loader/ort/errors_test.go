package ort_test

import (
	"context"
	"errors"
	"os"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"
)

func TestBadModel(t *testing.T) {
	env := newEnv(t, nil)
	good, err := os.ReadFile(yoloxPath)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		model []byte
	}{
		{"empty", nil},
		{"text", []byte("this is not an ONNX model")},
		{"truncated", good[:len(good)/2]},
		{"garbage", bytesOf(0xff, 4096)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := env.NewSession(tt.model, nil)
			var oe *ort.Error
			if !errors.As(err, &oe) || oe.Code == ort.CodeOK || oe.Message == "" {
				t.Fatalf("NewSession = %v, %v; want an *ort.Error", s, err)
			}
			t.Log(err)
		})
	}
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func TestRunErrors(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, nil)
	in := constantInput(t)
	small, _ := ort.NewTensor([]int64{1, 3, 8, 8}, make([]float32, 3*8*8))
	ints, _ := ort.NewTensor([]int64{1, 3, 416, 416}, make([]int64, 3*416*416))
	closed, _ := ort.NewTensor([]int64{1}, []float32{1})
	closed.Close()
	var ortErr *ort.Error
	tests := []struct {
		name    string
		inputs  []*ort.Value
		outputs []*ort.Value
		want    any // an error for errors.Is, or a pointer for errors.As
	}{
		{"no inputs", nil, nil, ort.ErrArgs},
		{"two inputs", []*ort.Value{in, in}, nil, ort.ErrArgs},
		{"nil input", []*ort.Value{nil}, nil, ort.ErrArgs},
		{"two outputs", []*ort.Value{in}, []*ort.Value{nil, nil}, ort.ErrArgs},
		{"closed input", []*ort.Value{closed}, nil, ort.ErrClosed},
		{"wrong shape", []*ort.Value{small}, nil, &ortErr},
		{"wrong type", []*ort.Value{ints}, nil, &ortErr},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Run(context.Background(), tt.inputs, tt.outputs)
			switch want := tt.want.(type) {
			case error:
				if !errors.Is(err, want) {
					t.Fatalf("Run = %v; want %v", err, want)
				}
			default:
				if !errors.As(err, want) {
					t.Fatalf("Run = %v; want %T", err, want)
				}
			}
			t.Log(err)
		})
	}
}

func TestTensorErrors(t *testing.T) {
	if _, err := ort.NewTensor([]int64{2, 3}, make([]float32, 5)); !errors.Is(err, ort.ErrShape) {
		t.Errorf("NewTensor with 5 elements for [2 3] = %v; want %v", err, ort.ErrShape)
	}
	if _, err := ort.NewTensor([]int64{-1, 3}, make([]float32, 3)); !errors.Is(err, ort.ErrShape) {
		t.Errorf("NewTensor with shape [-1 3] = %v; want %v", err, ort.ErrShape)
	}
	v, err := ort.NewTensor([]int64{2}, []uint8{1, 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ort.Data[float32](v); !errors.Is(err, ort.ErrType) {
		t.Errorf("Data[float32] of a uint8 tensor = %v; want %v", err, ort.ErrType)
	}
	if got := v.Float32s(); got != nil {
		t.Errorf("Float32s of a uint8 tensor = %v; want nil", got)
	}
	if got := v.Uint8s(); len(got) != 2 || got[1] != 2 {
		t.Errorf("Uint8s = %v; want [1 2]", got)
	}
}

// TestCloseTwice closes every kind of object twice, and uses them after Close.
func TestCloseTwice(t *testing.T) {
	env := newEnv(t, nil)
	s := newSession(t, env, yoloxPath, nil)
	in := constantInput(t)
	outs, err := s.Run(context.Background(), []*ort.Value{in}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []interface{ Close() error }{outs[0], in, s, env} {
		for range 2 {
			if err := c.Close(); err != nil {
				t.Errorf("%T.Close = %v", c, err)
			}
		}
	}
	if _, err := s.Run(context.Background(), []*ort.Value{in}, nil); !errors.Is(err, ort.ErrClosed) {
		t.Errorf("Run after Close = %v; want %v", err, ort.ErrClosed)
	}
	if _, err := ort.Data[float32](outs[0]); !errors.Is(err, ort.ErrClosed) {
		t.Errorf("Data after Close = %v; want %v", err, ort.ErrClosed)
	}
	if _, err := env.NewSession([]byte{1}, nil); !errors.Is(err, ort.ErrClosed) {
		t.Errorf("NewSession after Close = %v; want %v", err, ort.ErrClosed)
	}
}
