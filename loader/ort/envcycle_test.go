package ort_test

import (
	"log/slog"
	"testing"
	"time"

	"github.com/modelreg/modelreg/loader/ort"
)

// envCycles is far more than purego's limit of 2000 callbacks per process,
// which an Env with a Logger used to spend one of.
const envCycles = 5000

// TestCallbackLeakEnvCycles creates and closes Envs with a Logger, each
// its own, many more times than a process has purego callbacks. None may
// panic, the dispatch table must be empty again after each Close, and the
// Logger of an Env created afterwards must still receive ONNX Runtime's
// messages.
func TestCallbackLeakEnvCycles(t *testing.T) {
	lib := library(t)
	start := ort.RegisteredLoggers()
	t0 := time.Now()
	for i := range envCycles {
		env, err := ort.NewEnv(lib, &ort.EnvOptions{Logger: slog.New(&recorder{}), LogID: "cycle"})
		if err != nil {
			t.Fatalf("cycle %d: %v", i, err)
		}
		if n := ort.RegisteredLoggers(); n != start+1 {
			t.Fatalf("cycle %d: %d loggers registered with one Env open; want %d", i, n, start+1)
		}
		if err := env.Close(); err != nil {
			t.Fatalf("cycle %d: Close: %v", i, err)
		}
		if n := ort.RegisteredLoggers(); n != start {
			t.Fatalf("cycle %d: %d loggers registered after Close; want %d", i, n, start)
		}
	}
	t.Logf("%d Env create/close cycles with a Logger in %v", envCycles, time.Since(t0))

	rec := &recorder{}
	env := newEnv(t, &ort.EnvOptions{LogLevel: ort.LogVerbose, Logger: slog.New(rec)})
	newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.records) == 0 {
		t.Fatalf("after %d cycles, a new Env's Logger got no records", envCycles)
	}
}

// TestCallbackLeakSharedEnv opens two Envs at once. ONNX Runtime shares one
// environment between them and keeps the first one's Logger, so that
// Logger must stay registered, and keep receiving messages, until both
// are closed; then the table is empty again.
func TestCallbackLeakSharedEnv(t *testing.T) {
	lib := library(t)
	start := ort.RegisteredLoggers()
	first, second := &recorder{}, &recorder{}
	a, err := ort.NewEnv(lib, &ort.EnvOptions{LogLevel: ort.LogVerbose, Logger: slog.New(first)})
	if err != nil {
		t.Fatal(err)
	}
	b, err := ort.NewEnv(lib, &ort.EnvOptions{LogLevel: ort.LogVerbose, Logger: slog.New(second)})
	if err != nil {
		t.Fatal(err)
	}
	if n := ort.RegisteredLoggers(); n != start+1 {
		t.Errorf("%d loggers registered with two Envs sharing ONNX Runtime's; want %d", n, start+1)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	s, err := b.NewSession(readModel(t, yoloxPath), &ort.SessionOptions{IntraOpThreads: 1})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	first.mu.Lock()
	got := len(first.records)
	first.mu.Unlock()
	if got == 0 {
		t.Error("the first Env's Logger got no records of a session made after it was closed; ONNX Runtime still uses it")
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if n := ort.RegisteredLoggers(); n != start {
		t.Errorf("%d loggers registered after both Envs closed; want %d", n, start)
	}
}
