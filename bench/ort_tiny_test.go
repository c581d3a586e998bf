package bench

import (
	"context"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"
)

// tinyModel returns an ONNX model with one Relu on a float32 [1, 4] tensor,
// "x" → "y", encoded by hand (protobuf). Running it costs next to nothing,
// so its Run time is dominated by the binding's per-call overhead.
func tinyModel() []byte {
	dim := field(1, varint(1, 1))
	shape := append(dim, field(1, varint(1, 4))...)
	tensorType := append(varint(1, 1), field(2, shape)...) // elem_type FLOAT, shape [1 4]
	typ := field(1, tensorType)
	valueInfo := func(name string) []byte { return append(field(1, []byte(name)), field(2, typ)...) }
	node := append(append(field(1, []byte("x")), field(2, []byte("y"))...), field(4, []byte("Relu"))...)
	graph := append(field(1, node), field(2, []byte("tiny"))...)
	graph = append(graph, field(11, valueInfo("x"))...)
	graph = append(graph, field(12, valueInfo("y"))...)
	model := varint(1, 8)                             // ir_version
	model = append(model, field(8, varint(2, 13))...) // opset_import {version: 13}
	return append(model, field(7, graph)...)          // graph
}

// varint encodes a varint field; field encodes a length-delimited one.
func varint(num int, v uint64) []byte { return appendUvarint([]byte{byte(num << 3)}, v) }

func field(num int, b []byte) []byte {
	return append(appendUvarint([]byte{byte(num<<3 | 2)}, uint64(len(b))), b...)
}

func appendUvarint(b []byte, v uint64) []byte {
	for v >= 0x80 {
		b = append(b, byte(v)|0x80)
		v >>= 7
	}
	return append(b, byte(v))
}

// puregoTiny is the tiny model through package ort.
func newPuregoTiny(tb testing.TB) (*ort.Session, *ort.Value, *ort.Value) {
	tb.Helper()
	env, err := ort.NewEnv(ortLibrary(tb), nil)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = env.Close() })
	s, err := env.NewSession(tinyModel(), &ort.SessionOptions{IntraOpThreads: 1, InterOpThreads: 1})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = s.Close() })
	in, _ := ort.NewTensor([]int64{1, 4}, []float32{-1, 2, -3, 4})
	out, _ := ort.NewEmptyTensor[float32]([]int64{1, 4})
	tb.Cleanup(func() { _ = in.Close(); _ = out.Close() })
	return s, in, out
}

func TestORTTinyModel(t *testing.T) {
	s, in, out := newPuregoTiny(t)
	if _, err := s.Run(context.Background(), []*ort.Value{in}, []*ort.Value{out}); err != nil {
		t.Fatal(err)
	}
	if got := out.Float32s(); got[0] != 0 || got[1] != 2 || got[2] != 0 || got[3] != 4 {
		t.Fatalf("Relu([-1 2 -3 4]) = %v", got)
	}
}

// BenchmarkORTPuregoTiny measures the binding's per-Run overhead.
func BenchmarkORTPuregoTiny(b *testing.B) {
	s, in, out := newPuregoTiny(b)
	ins, outs := []*ort.Value{in}, []*ort.Value{out}
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.Run(ctx, ins, outs); err != nil {
			b.Fatal(err)
		}
	}
}
