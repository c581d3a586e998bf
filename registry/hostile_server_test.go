package registry_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/modelreg/modelreg/registry"
	_ "github.com/modelreg/modelreg/registry/httpmanager"
)

// Outcomes of a hostile-server case.
const (
	hzRejected = "rejected" // Download fails and nothing is installed
	hzSurvived = "survived" // Download succeeds with the published bytes
)

const hostileHTML = "<!DOCTYPE html><html><head><title>Quota exceeded</title></head><body>Too many users have viewed or downloaded this file recently.</body></html>"

// hostileCase is one misbehaving server.
type hostileCase struct {
	name    string
	handler func(data []byte) http.HandlerFunc
	extra   func(data []byte) string // manifest fields; nil: none
	want    string                   // hzRejected or hzSurvived
	wantErr error                    // for hzRejected: the error must wrap it (nil: any)
	timeout time.Duration            // ctx timeout; 0: 20 s
	topts   *registry.TransferOptions
	partial bool          // a resumable partial download may stay
	maxTime time.Duration // the call must end sooner; 0: no bound but timeout
}

func hostileWithSHA(data []byte) string { return fmt.Sprintf(`"sha256": %q`, hostileSHA(data)) }

func hostileWithSHAAndSize(data []byte) string {
	return fmt.Sprintf(`"sha256": %q, "size_bytes": %d`, hostileSHA(data), len(data))
}

// byteRange parses a "bytes=a-b" or "bytes=a-" header against size.
func hostileRange(h string, size int) (start, end int, ok bool) {
	spec, found := strings.CutPrefix(h, "bytes=")
	a, b, found2 := strings.Cut(spec, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	s, err := strconv.Atoi(a)
	if err != nil || s >= size {
		return 0, 0, false
	}
	e := size - 1
	if b != "" {
		if e, err = strconv.Atoi(b); err != nil {
			return 0, 0, false
		}
	}
	return s, min(e, size-1), true
}

// serve answers HEAD with size and GET with body, honouring ranges when
// ranges is true; cut > 0 aborts each answer after cut body bytes.
func hostileServe(w http.ResponseWriter, r *http.Request, data []byte, ranges bool, cut int) {
	w.Header().Set("Content-Type", "application/octet-stream")
	if !ranges {
		w.Header().Set("Accept-Ranges", "none")
	} else {
		w.Header().Set("Accept-Ranges", "bytes")
	}
	body, status := data, http.StatusOK
	if s, e, ok := hostileRange(r.Header.Get("Range"), len(data)); ok && ranges {
		body, status = data[s:e+1], http.StatusPartialContent
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", s, e, len(data)))
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if cut > 0 && cut < len(body) {
		w.Write(body[:cut])
		w.(http.Flusher).Flush()
		panic(http.ErrAbortHandler) // the connection drops mid-body
	}
	w.Write(body)
}

var hostileCases = []hostileCase{
	{name: "html page 200 without sha256", want: hzRejected, wantErr: registry.ErrCorrupt,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, hostileHTML)
			}
		}},
	{name: "html page 200 with sha256", want: hzRejected, wantErr: registry.ErrCorrupt, extra: hostileWithSHA,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				fmt.Fprint(w, hostileHTML)
			}
		}},
	{name: "html page 200 with sha256 and size", want: hzRejected, wantErr: registry.ErrCorrupt, extra: hostileWithSHAAndSize,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, hostileHTML) }
		}},
	{name: "truncated body, correct Content-Length, no ranges", want: hzRejected, extra: hostileWithSHA,
		topts: &registry.TransferOptions{MaxRetries: -1},
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { hostileServe(w, r, data, false, len(data)/2) }
		}},
	{name: "truncated bodies, ranges honoured (resumes)", want: hzSurvived, extra: hostileWithSHA,
		topts: &registry.TransferOptions{PartSize: 16 << 10},
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { hostileServe(w, r, data, true, 7000) }
		}},
	{name: "Content-Length too large", want: hzRejected, extra: hostileWithSHAAndSize,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)+100))
				if r.Method != http.MethodHead {
					w.Write(data)
				}
			}
		}},
	{name: "Content-Length too large, manifest without digest", want: hzRejected,
		topts: &registry.TransferOptions{MaxRetries: -1},
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)+100))
				if r.Method != http.MethodHead {
					w.Write(data)
				}
			}
		}},
	{name: "Content-Length too small", want: hzRejected, wantErr: registry.ErrCorrupt, extra: hostileWithSHA,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)-100))
				if r.Method != http.MethodHead {
					w.Write(data[:len(data)-100])
					w.Write(data[len(data)-100:]) // refused: past Content-Length
				}
			}
		}},
	{name: "one byte different", want: hzRejected, wantErr: registry.ErrCorrupt, extra: hostileWithSHAAndSize,
		handler: func(data []byte) http.HandlerFunc {
			bad := bytes.Clone(data)
			bad[len(bad)/2] ^= 1
			return func(w http.ResponseWriter, r *http.Request) { hostileServe(w, r, bad, true, 0) }
		}},
	{name: "Range ignored (200 with the whole body)", want: hzSurvived, extra: hostileWithSHA,
		topts: &registry.TransferOptions{PartSize: 8 << 10},
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Accept-Ranges", "bytes") // but it lies
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				if r.Method != http.MethodHead {
					w.Write(data)
				}
			}
		}},
	{name: "Range answered from the wrong offset", want: hzRejected, extra: hostileWithSHA, maxTime: 15 * time.Second,
		topts: &registry.TransferOptions{PartSize: 8 << 10, MaxRetries: 1},
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				s, e, ok := hostileRange(r.Header.Get("Range"), len(data))
				if !ok || r.Method == http.MethodHead {
					hostileServe(w, r, data, true, 0)
					return
				}
				n := e - s + 1 // right length, bytes from offset 0
				w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", s, e, len(data)))
				w.Header().Set("Content-Length", strconv.Itoa(n))
				w.WriteHeader(http.StatusPartialContent)
				w.Write(data[:n])
			}
		}},
	{name: "endless slow drip (bounded by ctx)", want: hzRejected, wantErr: context.DeadlineExceeded,
		timeout: 1500 * time.Millisecond, partial: true,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(64<<20))
				w.WriteHeader(http.StatusOK)
				if r.Method == http.MethodHead {
					return
				}
				for i := 0; ; i++ {
					if _, err := w.Write([]byte{byte(i) | 1}); err != nil {
						return
					}
					w.(http.Flusher).Flush()
					select {
					case <-r.Context().Done():
						return
					case <-time.After(20 * time.Millisecond):
					}
				}
			}
		}},
	{name: "headers then silence (stall detection)", want: hzRejected, extra: hostileWithSHA, partial: true,
		timeout: 20 * time.Second, maxTime: 10 * time.Second,
		topts: &registry.TransferOptions{StallTimeout: 200 * time.Millisecond, MaxRetries: 1},
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Length", strconv.Itoa(len(data)))
				w.WriteHeader(http.StatusOK)
				if r.Method == http.MethodHead {
					return
				}
				w.(http.Flusher).Flush()
				<-r.Context().Done()
			}
		}},
	{name: "connection dropped before the first byte, always", want: hzRejected, timeout: time.Minute, maxTime: 30 * time.Second,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodHead {
					hostileServe(w, r, data, true, 0)
					return
				}
				panic(http.ErrAbortHandler)
			}
		}},
	{name: "redirect loop", want: hzRejected, maxTime: 5 * time.Second,
		handler: func(data []byte) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }
		}},
}

// TestHostileServers downloads through the real http manager from servers
// that misbehave; each is hzRejected with a clear error and nothing installed,
// or hzSurvived with the published bytes.
func TestHostileServers(t *testing.T) {
	data := hostileModel(40000)
	for _, tc := range hostileCases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runHostile(t, tc, data)
		})
	}
}

func runHostile(t *testing.T, tc hostileCase, data []byte) {
	srv := httptest.NewServer(tc.handler(data))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	extra := ""
	if tc.extra != nil {
		extra = tc.extra(data)
	}
	writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", srv.URL+"/m.onnx", extra))
	r := newHostileRegistry(t, nil, dir)
	ctx, cancel := context.WithTimeout(t.Context(), hostileDur(tc.timeout, 20*time.Second))
	defer cancel()
	start := time.Now()
	p, err := r.Download(ctx, "m", &registry.DownloadOptions{Transfer: tc.topts})
	elapsed := time.Since(start)
	t.Logf("outcome after %v: err = %v", elapsed.Round(time.Millisecond), err)
	if tc.maxTime > 0 && elapsed > tc.maxTime {
		t.Errorf("took %v; want under %v", elapsed, tc.maxTime)
	}
	switch tc.want {
	case hzSurvived:
		if err != nil {
			t.Fatalf("Download = %v; want success", err)
		}
		got, err := os.ReadFile(p)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("installed %d bytes (%v); want the %d published bytes", len(got), err, len(data))
		}
	case hzRejected:
		if err == nil {
			t.Fatal("Download succeeded; want an error")
		}
		if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
			t.Errorf("Download error = %v; want one wrapping %v", err, tc.wantErr)
		}
		assertNothingInstalled(t, r, dir, "m", tc.partial)
	}
}

func hostileDur(d, def time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	return d
}

// TestRedirectToOtherHostDropsCredentials follows a redirect from good.test
// to evil.test: neither the URL's user:password nor its basic-auth header
// reaches evil.test.
func TestRedirectToOtherHostDropsCredentials(t *testing.T) {
	data := hostileModel(20000)
	var mu sync.Mutex
	var leaked []string
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if a := r.Header.Get("Authorization"); a != "" {
			leaked = append(leaked, r.Method+" Authorization: "+a)
		}
		if r.URL.User != nil || strings.Contains(r.URL.RawQuery, "SECRET") {
			leaked = append(leaked, r.Method+" URL: "+r.URL.String())
		}
		mu.Unlock()
		hostileServe(w, r, data, true, 0)
	}))
	t.Cleanup(evil.Close)
	var sawAuth bool
	good := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		_, pw, ok := r.BasicAuth()
		sawAuth = sawAuth || ok && pw == "SECRET"
		mu.Unlock()
		http.Redirect(w, r, "http://evil.test:"+hostilePort(t, evil.URL)+"/cdn/m.onnx", http.StatusFound)
	}))
	t.Cleanup(good.Close)
	dir := t.TempDir()
	u := "http://user:SECRET@good.test:" + hostilePort(t, good.URL) + "/m.onnx"
	writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", u, hostileWithSHA(data)))
	r := newHostileRegistry(t, &registry.Options{HTTPClient: hostileClient()}, dir)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := r.Download(ctx, "m", nil)
	if err != nil && strings.Contains(err.Error(), "SECRET") {
		t.Errorf("error shows the password: %v", err)
	}
	if err != nil {
		t.Fatalf("Download = %v; want the redirected download to succeed", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !sawAuth {
		t.Error("good.test never received the basic-auth credentials from the URL")
	}
	for _, l := range leaked {
		t.Errorf("credentials followed the redirect to evil.test: %s", l)
	}
}

// TestHostileReplacedMidDownload serves an object without ETag or
// Last-Modified, for an entry without sha256, and replaces it by another
// version of the same size once the first GET has been answered: the
// registry installs one version whole, never a splice of both.
func TestHostileReplacedMidDownload(t *testing.T) {
	a, b := hostileModel(40000), hostileModel(40000)
	for i := range b {
		b[i] ^= 0x55
	}
	b[0] = 0x08
	var mu sync.Mutex
	gets := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		data := a
		if r.Method == http.MethodGet {
			if gets > 0 {
				data = b
			}
			gets++
		}
		mu.Unlock()
		hostileServe(w, r, data, true, 0)
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", srv.URL+"/m.onnx", ""))
	r := newHostileRegistry(t, nil, dir)
	p, err := r.Download(t.Context(), "m", &registry.DownloadOptions{Transfer: &registry.TransferOptions{PartSize: 4 << 10}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	if !bytes.Equal(got, a) && !bytes.Equal(got, b) {
		t.Errorf("installed %d bytes that are neither version (%d GETs)", len(got), gets)
	}
	if gets != 1 {
		t.Errorf("%d GETs; want one stream", gets)
	}
}

// TestHostileEndlessBody serves an endless chunked body, with no size in
// HEAD nor GET, for an entry without size_bytes: the download stops at
// Options.MaxDownloadSize with an error naming the limit and the flag that
// raises it, and removes what it wrote.
func TestHostileEndlessBody(t *testing.T) {
	const limit = 1 << 20
	var sent atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		if r.Method == http.MethodHead {
			return
		}
		buf := hostileModel(32 << 10)
		for r.Context().Err() == nil {
			n, err := w.Write(buf)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	writeHostileManifest(t, dir, hostileEntry("m", "m.onnx", srv.URL+"/m.onnx", ""))
	r := newHostileRegistry(t, &registry.Options{MaxDownloadSize: limit}, dir)
	_, err := r.Download(t.Context(), "m", nil)
	if !errors.Is(err, registry.ErrTooLarge) || !strings.Contains(err.Error(), "1048576") || !strings.Contains(err.Error(), "--max-size") {
		t.Fatalf("Download = %v; want ErrTooLarge naming the 1048576-byte limit and --max-size", err)
	}
	t.Logf("stopped after the server sent %d bytes: %v", sent.Load(), err)
	assertNothingInstalled(t, r, dir, "m", false)
}
