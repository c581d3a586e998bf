package ort_test

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"

	"github.com/modelreg/modelreg/loader/ort"
)

// recorder is a slog.Handler that keeps records.
type recorder struct {
	mu      sync.Mutex
	records []slog.Record
}

func (r *recorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *recorder) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records = append(r.records, rec.Clone())
	return nil
}
func (r *recorder) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *recorder) WithGroup(string) slog.Handler      { return r }

// TestLogger routes ONNX Runtime's verbose log to slog through a purego
// callback.
func TestLogger(t *testing.T) {
	rec := &recorder{}
	env := newEnv(t, &ort.EnvOptions{LogLevel: ort.LogVerbose, Logger: slog.New(rec), LogID: "logtest"})
	newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1})
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.records) == 0 {
		t.Fatal("no log records from ONNX Runtime")
	}
	r := rec.records[0]
	var attrs []string
	r.Attrs(func(a slog.Attr) bool { attrs = append(attrs, a.Key+"="+a.Value.String()); return true })
	if !slices.Contains(attrs, "category=onnxruntime") || r.Message == "" {
		t.Errorf("first record %q %v; want a message and category=onnxruntime", r.Message, attrs)
	}
	t.Logf("%d records; first: %s %q %v", len(rec.records), r.Level, r.Message, attrs)
}

// TestProviderFallback asks for providers this build cannot use; the session
// falls back to the CPU and says so.
func TestProviderFallback(t *testing.T) {
	rec := &recorder{}
	env := newEnv(t, &ort.EnvOptions{Logger: slog.New(rec)})
	avail, err := env.AvailableProviders()
	if err != nil || !slices.Contains(avail, ort.CPU) {
		t.Fatalf("AvailableProviders = %v, %v; want CPUExecutionProvider among them", avail, err)
	}
	t.Logf("available: %v", avail)
	s := newSession(t, env, yoloxPath, &ort.SessionOptions{IntraOpThreads: 1, Providers: []ort.Provider{
		{Name: ort.TensorRT}, {Name: ort.CUDA, Options: map[string]string{"device_id": "0"}},
		{Name: "NoSuchExecutionProvider"}, {Name: ort.CPU},
	}})
	got := s.Providers()
	if len(got) == 0 || got[len(got)-1] != ort.CPU {
		t.Errorf("Providers = %v; want a list ending in %s", got, ort.CPU)
	}
	for _, p := range got {
		if p != ort.CPU && p != ort.CUDA && p != ort.TensorRT {
			t.Errorf("Providers = %v; %s was not asked for", got, p)
		}
	}
	t.Logf("providers: %v", s.Providers())
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if len(rec.records) < 2 {
		t.Errorf("%d log records about skipped providers; want at least 2", len(rec.records))
	}
	checkYOLOX(t, run(t, s, context.Background(), constantInput(t)))
}
