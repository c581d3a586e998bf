package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/modelreg/modelreg/deploy/reload"
	"github.com/modelreg/modelreg/internal/orttest"
	"github.com/modelreg/modelreg/internal/servetest"
	"github.com/modelreg/modelreg/loader"
)

const imagesDir = "../../testdata/images"

// photos are the eight test images.
var photos = []string{"african_elephants.jpg", "astronaut.png", "camera.png", "chelsea.png",
	"coffee.png", "dog.jpg", "person.jpg", "vehicle.jpg"}

func readPhoto(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(imagesDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testServer is a detect-server serving on loopback, as main runs it.
type testServer struct {
	url    string
	dir    string // its models directory
	srv    *server
	cancel context.CancelFunc // SIGTERM
	done   chan error         // serve's result
	events chan reload.Event
}

// startServer publishes yolox@1 in a fresh models directory and serves
// "yolox" from it with cfg's limits (zero fields: small test defaults).
func startServer(t *testing.T, cfg *config) *testServer {
	t.Helper()
	orttest.Require(t)
	ctx := context.Background()
	ts := &testServer{dir: t.TempDir(), done: make(chan error, 1), events: make(chan reload.Event, 256)}
	if err := servetest.Publish(ctx, ts.dir, "yolox", "1", servetest.Good); err != nil {
		t.Fatal(err)
	}
	cfg.models = []string{"yolox"}
	cfg.dirs = ts.dir
	if cfg.poll == 0 {
		cfg.poll = time.Hour
	}
	if cfg.sessions == 0 {
		cfg.sessions = 2
	}
	if cfg.lim.concurrency == 0 {
		cfg.lim.concurrency = cfg.sessions
	}
	if cfg.lim.queue == 0 {
		cfg.lim.queue = 16
	}
	if cfg.lim.maxBody == 0 {
		cfg.lim.maxBody = 4 << 20
	}
	if cfg.lim.maxPixels == 0 {
		cfg.lim.maxPixels = 40_000_000
	}
	if cfg.lim.timeout == 0 {
		cfg.lim.timeout = time.Minute
	}
	if cfg.drain == 0 {
		cfg.drain = time.Minute
	}
	cfg.onEvent = func(e reload.Event) { ts.events <- e }
	started := make(chan *server, 1)
	cfg.started = func(s *server) { started <- s }
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.url = "http://" + ln.Addr().String()
	sctx, cancel := context.WithCancel(ctx)
	ts.cancel = cancel
	lib, err := loader.Find(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(loader.EnvLibraryPath, lib)    // found before the user cache moves
	t.Setenv("XDG_CACHE_HOME", t.TempDir()) // ONNX Runtime's optimised graphs stay out of the user's cache
	go func() { ts.done <- serve(sctx, ln, cfg, slog.New(slog.DiscardHandler)) }()
	select {
	case ts.srv = <-started:
	case err := <-ts.done:
		t.Fatalf("serve: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		if err := <-ts.done; err != nil {
			t.Errorf("serve: %v", err)
		}
	})
	return ts
}

// waitEvent returns the next reload event of kind k, failing after a
// minute.
func (ts *testServer) waitEvent(t *testing.T, k reload.EventKind) reload.Event {
	t.Helper()
	return servetest.WaitEvent(t, ts.events, k)
}

// reply is a decoded answer of the server.
type reply struct {
	status  int
	header  http.Header
	body    []byte
	detect  detectResponse
	errCode string
}

func do(t testing.TB, method, url string, body []byte) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := reply{status: resp.StatusCode, header: resp.Header, body: data}
	if resp.StatusCode == http.StatusOK && bytes.HasPrefix(data, []byte(`{"model"`)) {
		if err := json.Unmarshal(data, &r.detect); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
	}
	var e struct{ Error apiError }
	if json.Unmarshal(data, &e) == nil {
		r.errCode = e.Error.Code
	}
	return r
}

// pngHeader returns the start of a PNG file of w×h pixels: signature and
// IHDR chunk, with a valid CRC, and nothing else.
func pngHeader(w, h uint32) []byte {
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 17)
	copy(ihdr, "IHDR")
	binary.BigEndian.PutUint32(ihdr[4:], w)
	binary.BigEndian.PutUint32(ihdr[8:], h)
	ihdr[12], ihdr[13] = 8, 2 // 8-bit RGB
	binary.Write(&b, binary.BigEndian, uint32(13))
	b.Write(ihdr)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(ihdr))
	return b.Bytes()
}
