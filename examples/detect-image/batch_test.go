package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestSessionsFor(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, tc := range []struct {
		images, threads, cores, want int
	}{
		{8, 1, 2, 1},    // the eight photos: one session
		{200, 1, 2, 2},  // a directory: one per core
		{200, 1, 8, 8},  //
		{40, 1, 8, 2},   // at most one per 16 images
		{200, 2, 2, 1},  // two threads each: one session fills both cores
		{200, 3, 16, 5}, //
		{0, 1, 4, 1},    // at least one
		{1000, 1, 1, 1}, // one core
	} {
		runtime.GOMAXPROCS(tc.cores)
		if got := sessionsFor(tc.images, tc.threads, false); got != tc.want {
			t.Errorf("%d images, %d threads, %d cores: %d sessions; want %d", tc.images, tc.threads, tc.cores, got, tc.want)
		}
	}
}

func TestAcceleratorRule(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	runtime.GOMAXPROCS(8)
	for _, tc := range []struct {
		flag              string
		accel             bool
		sessions, workers int
	}{
		{"", false, 8, 0}, // 0: detect.FilesOptions' default
		{"cpu", false, 8, 0},
		{"cuda,cpu", true, 1, 9},
		{" tensorrt , cuda ", true, 1, 9},
	} {
		ps := providerList(tc.flag)
		accel := accelerated(ps)
		s := sessionsFor(200, 1, accel)
		if w := workersFor(s, accel); accel != tc.accel || s != tc.sessions || w != tc.workers {
			t.Errorf("-providers %q (%q): accelerated %v, %d sessions, %d workers; want %v, %d, %d",
				tc.flag, ps, accel, s, w, tc.accel, tc.sessions, tc.workers)
		}
	}
}

// photoDir fills a directory with the eight test photos, copies times
// over, and returns it.
func photoDir(t *testing.T, copies int) string {
	t.Helper()
	src, err := filepath.Glob("../../testdata/images/*.*g")
	if err != nil || len(src) != 8 {
		t.Fatalf("photos: %v %v", src, err)
	}
	dir := t.TempDir()
	for k := range copies {
		for _, p := range src {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("%02d-%s", k, filepath.Base(p))), data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestBatchSessions runs a directory of 32 photos with one session, with
// the default rule and with more sessions and workers than cores: the
// JSON lines are the same, in the same order.
func TestBatchSessions(t *testing.T) {
	setup(t)
	dir := photoDir(t, 4)
	runJSON := func(args ...string) string {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), append(append([]string{"-json"}, args...), dir), &stdout, &stderr); code != 0 {
			t.Fatalf("%q: exit %d; stderr: %s", args, code, stderr.String())
		}
		return stdout.String()
	}
	want := runJSON("-sessions", "1", "-workers", "1")
	if n := strings.Count(want, "\n"); n != 32 || strings.Count(want, `"label"`) < 32 {
		t.Fatalf("one session: %d lines, %d objects; want 32 lines with objects", n, strings.Count(want, `"label"`))
	}
	for _, args := range [][]string{nil, {"-sessions", "3", "-workers", "5"}, {"-sessions", "2", "-workers", "1"}} {
		if got := runJSON(args...); got != want {
			t.Errorf("%q: the output differs from one session's", args)
		}
	}
}

func TestBatchUsageErrors(t *testing.T) {
	for _, args := range [][]string{{"-sessions", "-1", dog}, {"-workers", "-2", dog}, {"-threads", "0", dog}} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), args, &stdout, &stderr); code != 2 || !strings.Contains(stderr.String(), "-sessions") {
			t.Errorf("%q: exit %d, stderr %q; want 2 and the rule", args, code, stderr.String())
		}
	}
}
