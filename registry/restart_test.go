package registry_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer/transfertest"
	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// restartServer serves body with ranges until noRange is set, stalling
// every answer at three quarters of the body; then it answers every GET,
// Range or not, with 200 and the whole body: the first 64 KiB at once, the
// rest once release is closed.
type restartServer struct {
	*httptest.Server
	body    []byte
	stalled chan struct{} // closed once an answer stalls
	release chan struct{}
	holding chan struct{} // closed once an answer without ranges waits for release
	hold    sync.Once
	served  atomic.Int64 // bytes written (counted before each write) since noRange
	noRange atomic.Bool
	once    sync.Once
}

func newRestartServer(t *testing.T, body []byte) *restartServer {
	s := &restartServer{body: body, stalled: make(chan struct{}), release: make(chan struct{}), holding: make(chan struct{})}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.noRange.Load() {
			if r.Method == http.MethodHead {
				http.ServeContent(w, r, "m.onnx", time.Unix(1700000000, 0), bytes.NewReader(body))
				return
			}
			s.serveStalling(w, r)
			return
		}
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		if r.Method == http.MethodHead {
			return
		}
		const first = 64 << 10
		s.served.Add(first)
		w.Write(body[:first])
		w.(http.Flusher).Flush()
		s.hold.Do(func() { close(s.holding) })
		select {
		case <-s.release:
		case <-r.Context().Done():
			return
		}
		s.served.Add(int64(len(body) - first))
		w.Write(body[first:])
	}))
	t.Cleanup(s.Close)
	return s
}

// serveStalling answers a ranged GET up to three quarters of the body, then
// holds the answer open until the client gives up.
func (s *restartServer) serveStalling(w http.ResponseWriter, r *http.Request) {
	var start int64
	if rg := r.Header.Get("Range"); rg != "" {
		fmt.Sscanf(rg, "bytes=%d-", &start)
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(s.body)-1, len(s.body)))
		w.Header().Set("Content-Length", fmt.Sprint(int64(len(s.body))-start))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", fmt.Sprint(len(s.body)))
	}
	stop := int64(len(s.body) * 3 / 4)
	if start < stop {
		w.Write(s.body[start:stop])
	}
	w.(http.Flusher).Flush()
	s.once.Do(func() { close(s.stalled) })
	<-r.Context().Done()
}

// A download resumed from a server that ignores Range says that it
// restarts from 0 (EventRestart with the bytes dropped, and a log record),
// and the progress after it counts only the bytes received since: Resumed
// is 0, Done never exceeds what the server sent, and the rate is not
// inflated by the dropped bytes.
func TestResumeFromServerWithoutRanges(t *testing.T) {
	body := hostileModel(8 << 20) // one part of the transfer engine
	srv := newRestartServer(t, body)
	dir := filepath.Join(t.TempDir(), "models")
	writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", srv.URL+"/m.onnx",
		fmt.Sprintf(`"size_bytes": %d, "sha256": %q`, len(body), hostileSHA(body))))
	var logs bytes.Buffer
	var lmu sync.Mutex
	r := newHostileRegistry(t, &registry.Options{Logger: slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &lmu}, nil))}, dir)

	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	first, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		_, err := r.Download(first, "m", nil)
		done <- err
	}()
	select {
	case <-srv.stalled:
	case <-ctx.Done():
		t.Fatal("the first download never reached the server's stall")
	}
	transfertest.WaitCheckpoint(ctx, t, dir)
	stop()
	if err := <-done; err == nil {
		t.Fatal("the interrupted download succeeded")
	}

	srv.noRange.Store(true)
	var (
		mu     sync.Mutex
		events []registry.Event
		served []int64                   // srv.served when each event came
		after  = make(chan struct{}, 16) // a progress event while the server holds back
	)
	opts := &registry.DownloadOptions{Progress: func(e registry.Event) {
		mu.Lock()
		defer mu.Unlock()
		events = append(events, e)
		served = append(served, srv.served.Load())
		select {
		case <-srv.holding:
			if e.Kind == registry.EventProgress {
				select {
				case after <- struct{}{}:
				default:
				}
			}
		default:
		}
	}}
	go func() {
		_, err := r.Download(ctx, "m", opts)
		done <- err
	}()
	select {
	case <-srv.holding:
	case err := <-done:
		t.Fatalf("download ended before the server held back: %v", err)
	case <-ctx.Done():
		t.Fatal("the server never got the download without ranges")
	}
	for range 3 { // progress reports while the server holds back the rest
		select {
		case <-after:
		case <-ctx.Done():
			t.Fatal("no progress after the restart")
		}
	}
	close(srv.release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(dir, "m.onnx")); err != nil || !bytes.Equal(got, body) {
		t.Fatalf("model: %d bytes, %v", len(got), err)
	}

	mu.Lock()
	defer mu.Unlock()
	var resumed, dropped int64
	restart := -1
	for i, e := range events {
		switch {
		case e.Kind == registry.EventStart && restart < 0:
			resumed = e.Resumed
		case e.Kind == registry.EventRestart:
			if restart >= 0 {
				t.Errorf("second EventRestart: %+v", e)
			}
			restart, dropped = i, e.Dropped
		case e.Kind == registry.EventProgress && restart >= 0:
			// Each rate measured over at least half the 200 ms report
			// interval; bytes the server has not sent cannot count.
			limit := float64(served[i]) / 0.1
			if e.Resumed != 0 || e.Done > served[i] || e.Rate > limit {
				t.Errorf("progress after the restart: Done %d, Resumed %d, Rate %.0f B/s; the server had sent %d bytes (rate at most %.0f)",
					e.Done, e.Resumed, e.Rate, served[i], limit)
			}
		}
	}
	if resumed <= 0 || restart < 0 || dropped != resumed {
		t.Errorf("resumed %d bytes, restart event %d dropping %d; want a resume, then a restart dropping the resumed bytes", resumed, restart, dropped)
	}
	lmu.Lock()
	defer lmu.Unlock()
	var found bool
	for line := range strings.Lines(logs.String()) {
		var rec struct {
			Msg     string
			Dropped int64 `json:"dropped_bytes"`
		}
		if json.Unmarshal([]byte(line), &rec) == nil && strings.HasPrefix(rec.Msg, "download restarts from 0") && rec.Dropped == dropped {
			found = true
		}
	}
	if !found {
		t.Errorf("no log record of the restart with dropped_bytes=%d:\n%s", dropped, logs.String())
	}
}

// lockedWriter serialises writes to w.
type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
