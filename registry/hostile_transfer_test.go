package registry_test

import (
	"bytes"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/internal/transfer"
	"github.com/modelreg/modelreg/registry"
)

// TestHostileSlowOrSilentServers covers servers that hold a download
// without ever going silent long enough to stall: a drip below the minimum
// rate, and a server that accepts the connection but never answers. With
// small windows through TransferOptions each fails, with its typed error,
// in well under a second per attempt, and says what it waited for.
func TestHostileSlowOrSilentServers(t *testing.T) {
	data := hostileModel(40000)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    error
		waiting string
	}{
		{"drip of one byte every 10 ms", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "40000")
			w.WriteHeader(http.StatusOK)
			if r.Method == http.MethodHead {
				return
			}
			tick := time.NewTicker(10 * time.Millisecond)
			defer tick.Stop()
			for i := 0; ; i++ {
				if _, err := w.Write(data[i : i+1]); err != nil {
					return
				}
				w.(http.Flusher).Flush()
				select {
				case <-r.Context().Done():
					return
				case <-tick.C:
				}
			}
		}, transfer.ErrTooSlow, ""},
		{"accepts and never answers", func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() },
			transfer.ErrNoAnswer, "the source's answer"},
		{"answers HEAD, never answers GET", func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodHead {
				hostileServe(w, r, data, true, 0)
				return
			}
			<-r.Context().Done()
		}, transfer.ErrNoAnswer, "the source's answer"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.handler)
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", srv.URL+"/m.onnx", hostileWithSHA(data)))
			r := newHostileRegistry(t, nil, dir)
			var waits atomic.Int32
			opts := &registry.DownloadOptions{
				Transfer: &registry.TransferOptions{MinRate: 1 << 10, RateWindow: 200 * time.Millisecond,
					HeaderTimeout: 200 * time.Millisecond, MaxRetries: 1},
				Progress: func(e registry.Event) {
					if e.Kind == registry.EventWait && e.Waiting == tc.waiting {
						waits.Add(1)
					}
				},
			}
			start := time.Now()
			_, err := r.Download(t.Context(), "m", opts)
			elapsed := time.Since(start)
			t.Logf("after %v: %v", elapsed.Round(time.Millisecond), err)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Download = %v; want one wrapping %v", err, tc.want)
			}
			if elapsed > 5*time.Second {
				t.Errorf("took %v; want the small windows to end it in about a second", elapsed)
			}
			if tc.waiting != "" && waits.Load() == 0 {
				t.Errorf("no EventWait for %q", tc.waiting)
			}
			assertNothingInstalled(t, r, dir, "m", true)
		})
	}
}

// TestHostileDeadPrimaryFallsBackAtOnce serves an entry whose manager
// points at a port where nothing listens and whose mirror works: the
// download moves to the mirror at once, with the default options.
func TestHostileDeadPrimaryFallsBackAtOnce(t *testing.T) {
	data := hostileModel(40000)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := "http://" + l.Addr().String() + "/m.onnx"
	l.Close()
	mirror := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hostileServe(w, r, data, true, 0) }))
	t.Cleanup(mirror.Close)
	dir := t.TempDir()
	extra := hostileWithSHA(data) + `, "mirrors": [{"type": "http", "config": {"url": "` + mirror.URL + `/m.onnx"}}]`
	writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", dead, extra))
	r := newHostileRegistry(t, nil, dir)
	start := time.Now()
	p, err := r.Download(t.Context(), "m", nil)
	elapsed := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, data) {
		t.Fatalf("installed %d bytes; want the mirror's %d", len(got), len(data))
	}
	t.Logf("fell back to the mirror in %v", elapsed)
	// Retrying the refused connection would take at least 3.9 s (five
	// backoffs from 125 ms, doubling); 3 s leaves room for a loaded machine.
	if elapsed > 3*time.Second {
		t.Errorf("took %v to fall back from a refused connection; want at once", elapsed)
	}
}

// TestHostilePermanentAnswersAreNotRetried checks answers that retrying
// cannot fix: refused credentials and a redirect to a file: URL. Each
// fails with an error wrapping ErrPermanent after one request per source
// call, at once.
func TestHostilePermanentAnswersAreNotRetried(t *testing.T) {
	tests := []struct {
		name    string
		handler func(w http.ResponseWriter, r *http.Request)
	}{
		{"401", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusUnauthorized) }},
		{"403", func(w http.ResponseWriter, r *http.Request) { http.Error(w, "no", http.StatusForbidden) }},
		{"redirect to file:", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusFound)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				tc.handler(w, r)
			}))
			t.Cleanup(srv.Close)
			dir := t.TempDir()
			writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", srv.URL+"/m.onnx", ""))
			r := newHostileRegistry(t, nil, dir)
			start := time.Now()
			_, err := r.Download(t.Context(), "m", nil)
			if !errors.Is(err, registry.ErrPermanent) || requests.Load() != 1 || time.Since(start) > 3*time.Second {
				t.Errorf("Download = %v after %d requests and %v; want ErrPermanent after 1, at once", err, requests.Load(), time.Since(start))
			}
			assertNothingInstalled(t, r, dir, "m", false)
		})
	}
}
