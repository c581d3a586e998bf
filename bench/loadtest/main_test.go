package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"
)

// TestSummarise checks the figures of a report from known samples.
func TestSummarise(t *testing.T) {
	var samples []sample
	for i := 1; i <= 100; i++ {
		v := "m@1"
		if i > 60 {
			v = "m@2"
		}
		samples = append(samples, sample{took: time.Duration(i) * time.Millisecond, at: time.Duration(i) * time.Second / 10, version: v})
	}
	samples = append(samples, sample{err: "503 overloaded"}, sample{err: "later"})
	r := &report{Seconds: 10, Published: "m@2", Versions: map[string]int{}}
	r.summarise(samples)
	tests := []struct {
		name      string
		got, want any
	}{
		{"requests", r.Requests, 102},
		{"errors", r.Errors, 2},
		{"first error", r.FirstError, "503 overloaded"},
		{"p50", r.P50ms, 51.0},
		{"p99", r.P99ms, 100.0},
		{"req/s", r.ReqPerSec, 10.0},
		{"m@1", r.Versions["m@1"], 60},
		{"m@2", r.Versions["m@2"], 40},
		{"switched", r.Switched, true},
		{"switched at", r.SwitchedAt, 6.1},
	}
	for _, tt := range tests {
		if fmt.Sprint(tt.got) != fmt.Sprint(tt.want) {
			t.Errorf("%s = %v, want %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestMeasureCountsFailures runs clients against a server that fails one
// request in ten and never switches: the report counts the failures; and
// run's status is 1 against a server that fails every request (however
// few a loaded machine makes in 50 ms: none fails it too).
func TestMeasureCountsFailures(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if n.Add(1)%10 == 0 {
			http.Error(w, `{"error":{"code":"overloaded"}}`, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, `{"model":"m@1","objects":[]}`)
	}))
	defer srv.Close()
	o := &options{url: srv.URL, model: "m", clients: 2, duration: 200 * time.Millisecond, images: "../../testdata/images", pid: os.Getpid()}
	rep, err := measure(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Requests < 10 || rep.Errors != rep.Requests/10 || rep.Versions["m@1"] != rep.Requests-rep.Errors {
		t.Errorf("requests %d, errors %d, versions %v", rep.Requests, rep.Errors, rep.Versions)
	}
	if rep.RSSStartMiB <= 0 || rep.RSSEndMiB <= 0 {
		t.Errorf("RSS of this process: %v, %v MiB", rep.RSSStartMiB, rep.RSSEndMiB)
	}
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		http.Error(w, `{"error":{"code":"overloaded"}}`, http.StatusServiceUnavailable)
	}))
	defer failing.Close()
	var out, errOut io.Writer = io.Discard, io.Discard
	if got := run(context.Background(), []string{"-url", failing.URL, "-model", "m", "-clients", "1", "-duration", "50ms",
		"-images", "../../testdata/images"}, out, errOut); got != 1 {
		t.Errorf("run with failed requests: status %d, want 1", got)
	}
}
