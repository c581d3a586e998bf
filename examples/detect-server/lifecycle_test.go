package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/modelreg/modelreg/deploy/reload"
	"github.com/modelreg/modelreg/internal/servetest"
)

// TestGracefulShutdown stops the server (as SIGTERM does) while a request
// runs: it finishes with its answer, /readyz turned 503 first, serve
// returns without error, and the model is closed after the request.
func TestGracefulShutdown(t *testing.T) {
	held := make(chan struct{})
	release := make(chan struct{})
	shutdown := make(chan struct{})
	hook := func(ctx context.Context, point string) {
		switch point {
		case "detect":
			held <- struct{}{}
			<-release
		case "shutdown":
			close(shutdown)
		}
	}
	ts := startServer(t, &config{hook: hook})
	inflight := make(chan reply, 1)
	go func() { inflight <- do(t, "POST", ts.url+"/v1/detect", readPhoto(t, "dog.jpg")) }()
	<-held
	ts.cancel()
	<-shutdown
	if ts.srv.ready.Load() {
		t.Error("still ready while shutting down")
	}
	if v := ts.srv.models["yolox"].det.Version(); v != "yolox@1" {
		t.Errorf("model closed before the request in flight finished (version %q)", v)
	}
	close(release)
	if r := <-inflight; r.status != http.StatusOK || r.detect.Model != "yolox@1" || len(r.detect.Objects) == 0 {
		t.Errorf("request in flight at shutdown: %d %s", r.status, r.body)
	}
	if err := <-ts.done; err != nil {
		t.Errorf("serve: %v", err)
	}
	ts.done <- nil // for the cleanup
	if v := ts.srv.models["yolox"].det.Version(); v != "" {
		t.Errorf("model still open after shutdown (version %q)", v)
	}
}

// load runs clients that post the test photos in turn until stop is
// closed, and counts answers by model version and failures.
type load struct {
	mu       sync.Mutex
	versions map[string]int
	failures []string
	answered chan string // every version answered, for a test to wait on
	wg       sync.WaitGroup
	stop     chan struct{}
}

func startLoad(t *testing.T, url string, clients int) *load {
	l := &load{versions: map[string]int{}, answered: make(chan string, 1024), stop: make(chan struct{})}
	imgs := make([][]byte, len(photos))
	for i, p := range photos {
		imgs[i] = readPhoto(t, p)
	}
	for c := range clients {
		l.wg.Go(func() {
			for i := c; ; i++ {
				select {
				case <-l.stop:
					return
				default:
				}
				r := do(t, "POST", url+"/v1/detect?model=yolox", imgs[i%len(imgs)])
				l.mu.Lock()
				if r.status != http.StatusOK {
					l.failures = append(l.failures, fmt.Sprintf("%d %s", r.status, r.body))
				} else {
					l.versions[r.detect.Model]++
				}
				l.mu.Unlock()
				select {
				case l.answered <- r.detect.Model:
				default:
				}
			}
		})
	}
	return l
}

// until waits for an answer from version.
func (l *load) until(version string) {
	for v := range l.answered {
		if v == version {
			return
		}
	}
}

func (l *load) end() (map[string]int, []string) {
	close(l.stop)
	l.wg.Wait()
	return l.versions, l.failures
}

// TestReloadUnderLoad publishes new versions while clients send requests
// without pause: a good version swaps in with no failed request, and a
// corrupt one (bad sha256) and a broken one (not ONNX) are rolled back,
// the good one serving on, still with no failed request. The metrics
// count the reloads.
func TestReloadUnderLoad(t *testing.T) {
	ts := startServer(t, &config{poll: 20e6}) // 20 ms
	l := startLoad(t, ts.url, 4)
	ctx := context.Background()
	l.until("yolox@1")
	if err := servetest.Publish(ctx, ts.dir, "yolox", "2", servetest.Good); err != nil {
		t.Fatal(err)
	}
	if e := ts.waitEvent(t, reload.EventSwapped); e.Version != "yolox@2" {
		t.Fatalf("swapped to %s", e.Version)
	}
	l.until("yolox@2")
	ts.waitEvent(t, reload.EventRetired)
	for _, bad := range []struct {
		version string
		kind    servetest.Kind
		cause   string
	}{
		{"3", servetest.Corrupt, "sha256"},
		{"4", servetest.Broken, "load yolox@4"},
	} {
		if err := servetest.Publish(ctx, ts.dir, "yolox", bad.version, bad.kind); err != nil {
			t.Fatal(err)
		}
		e := ts.waitEvent(t, reload.EventFailed)
		if e.Version != "yolox@"+bad.version || e.Serving != "yolox@2" || !strings.Contains(e.Err.Error(), bad.cause) {
			t.Errorf("failure of version %s: %+v", bad.version, e)
		}
		l.until("yolox@2")
	}
	versions, failures := l.end()
	if len(failures) > 0 {
		t.Errorf("%d requests failed during the reloads; first: %s", len(failures), failures[0])
	}
	if versions["yolox@1"] == 0 || versions["yolox@2"] == 0 || len(versions) != 2 {
		t.Errorf("answers by version: %v; want yolox@1 then yolox@2 only", versions)
	}
	t.Logf("answers by version: %v", versions)
	r := do(t, "GET", ts.url+"/v1/models", nil)
	if !strings.Contains(string(r.body), `"version":"yolox@2"`) {
		t.Errorf("/v1/models after the rollbacks: %s", r.body)
	}
	m := string(do(t, "GET", ts.url+"/metrics", nil).body)
	for _, want := range []string{
		`modelreg_reload_count_total{model="yolox",otel_scope_name="github.com/modelreg/modelreg",otel_scope_schema_url="",otel_scope_version="",result="success"} 1`,
		`modelreg_reload_count_total{model="yolox",otel_scope_name="github.com/modelreg/modelreg",otel_scope_schema_url="",otel_scope_version="",result="failure"} 2`,
		`version="yolox@2"} 1`,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}
