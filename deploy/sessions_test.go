package deploy_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/modelreg/modelreg/deploy"
)

// TestDefaultSessions checks the documented rule for every kind of input:
// CPUs divided by threads, at least 1, capped, and 2 on an accelerator.
func TestDefaultSessions(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	tests := []struct {
		name      string
		procs     int
		threads   int
		providers []string
		want      int
	}{
		{"one core", 1, 0, nil, 1},
		{"four cores", 4, 0, nil, 4},
		{"threads zero is one", 4, 1, nil, 4},
		{"two threads each", 8, 2, nil, 4},
		{"more threads than cores", 2, 4, nil, 1},
		{"capped", 64, 0, nil, deploy.MaxDefaultSessions},
		{"cpu listed", 4, 0, []string{"CPU"}, 4},
		{"cuda", 8, 0, []string{"cuda", "cpu"}, 2},
		{"tensorrt on one core", 1, 0, []string{"tensorrt"}, 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runtime.GOMAXPROCS(tt.procs)
			if got := deploy.DefaultSessions(tt.threads, tt.providers); got != tt.want {
				t.Errorf("DefaultSessions(%d, %q) with GOMAXPROCS %d = %d, want %d",
					tt.threads, tt.providers, tt.procs, got, tt.want)
			}
		})
	}
}

// TestSessionsReachFactory checks that the factory sees the default rule's
// number when Options.Sessions is 0, and the caller's when it is set.
func TestSessionsReachFactory(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(3))
	reg := newRegistry(t, map[string]any{"base_name": "m",
		"default_deployment_config_dict": map[string]any{"type": "test/detector"}})
	for _, tt := range []struct {
		opts *deploy.Options
		want int
	}{
		{nil, 3},
		{&deploy.Options{Threads: 3}, 1},
		{&deploy.Options{Sessions: 5}, 5},
	} {
		d, err := deploy.LoadDetector(context.Background(), reg, "m", tt.opts)
		if err != nil {
			t.Fatal(err)
		}
		got := d.(interface{ Unwrap() deploy.Model }).Unwrap().(*echoDetector).req.Options.Sessions
		d.Close()
		if got != tt.want {
			t.Errorf("options %+v: factory saw Sessions %d, want %d", tt.opts, got, tt.want)
		}
	}
}
